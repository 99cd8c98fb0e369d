"""Configuration is read once, when the app starts, and numbers out of range stop it with a
message that names the setting."""
from __future__ import annotations

import pytest

from survey_app import create_app
from survey_app.config import ConfigError
from survey_app.extensions import db, dispose_engines
from tests.conftest import FULL_ANSWERS, Respondent, build_app, fill_database


@pytest.mark.parametrize(("name", "value", "message"), [
    ("MIN_GROUP_SIZE", "9", "MIN_GROUP_SIZE must be at least 10"),
    ("MIN_GROUP_SIZE", "ten", "MIN_GROUP_SIZE must be a whole number"),
    ("RENDERED_PAGES", "-1", "RENDERED_PAGES must be at least 0"),
    ("RENDERED_PAGES", "1.5", "RENDERED_PAGES must be a whole number"),
    ("SURVEY_CACHE_SECONDS", "nan", "SURVEY_CACHE_SECONDS must be at least 0"),
    ("SURVEY_VERSIONS_CACHED", "0", "SURVEY_VERSIONS_CACHED must be at least 1"),
    ("REPORTS_MAX_AGE", "soon", "REPORTS_MAX_AGE must be a number"),
    ("SESSION_HOURS", "0", "SESSION_HOURS must be at least 1"),
    ("TRUSTED_PROXIES", "-1", "TRUSTED_PROXIES must be at least 0"),
])
def test_config_refuses_numbers_out_of_range(monkeypatch, name, value, message):
    monkeypatch.setenv("SURVEY_ENV", "testing")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test"})


def test_config_refuses_a_small_group_size_given_to_the_factory(monkeypatch):
    monkeypatch.setenv("SURVEY_ENV", "testing")
    with pytest.raises(ConfigError, match="MIN_GROUP_SIZE must be at least 10"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test", "MIN_GROUP_SIZE": 3})


def test_config_rendered_pages_zero_still_serves_every_page(database_url, monkeypatch, default_definition):
    monkeypatch.setenv("SURVEY_ENV", "testing")
    monkeypatch.setenv("RENDERED_PAGES", "0")
    app = build_app(database_url)
    with app.app_context():
        try:
            fill_database(default_definition)
            respondent = Respondent(app.test_client())
            assert respondent.start().status_code == 200
            for answers in FULL_ANSWERS:
                assert respondent.answer(**answers).status_code == 200
            assert respondent.path.endswith("/thanks")
        finally:
            db.session.remove()
            dispose_engines()
