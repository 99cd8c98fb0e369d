"""An anonymous visitor cannot fill a worker's memory through the rendered-page cache:
the cache is keyed only by what changes a page, and bounded in pages and in bytes."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app import create_app, storage
from survey_app.cli.survey_files import DEFAULT_SURVEY_FILE, read_definition
from survey_app.config import ConfigError
from survey_app.extensions import db, dispose_engines
from survey_app.models import Survey
from tests.conftest import FULL_ANSWERS, Respondent, csrf_token

ONE_MB_ANSWER = "x" * 1_000_000


def cache_filling_sequence(respondent: Respondent, pages) -> None:
    """One POST with action=back and a 1 MB text answer, then 300 GETs that differ only in a
    query parameter. The cache is checked after every request, so an unbounded one fails early."""
    respondent.start()
    first = respondent.path
    respondent.client.post(first, data={"csrf_token": csrf_token(respondent.page.text), "action": "back",
                                        "role": "parent", "state": "other", "state_other": ONE_MB_ANSWER})
    for number in range(300):
        reply = respondent.client.get(f"{first}?x={number}")
        assert reply.status_code == 200
        assert len(pages) <= 2 and pages.size_bytes < 200_000


@pytest.mark.parametrize("request_limit", [None, 4 * 1024 * 1024])
def test_page_cache_stays_bounded_under_the_cache_filling_sequence(app, request_limit):
    # With the request limit raised, the 1 MB answer is stored: the cache alone must hold the line.
    if request_limit:
        app.config.update(MAX_CONTENT_LENGTH=request_limit, MAX_FORM_MEMORY_SIZE=request_limit)
    cache_filling_sequence(Respondent(app.test_client()), app.extensions["rendered_pages"])


def test_page_cache_ignores_query_parameters(app):
    pages = app.extensions["rendered_pages"]
    respondent = Respondent(app.test_client())
    respondent.start()
    respondent.client.get("/s/family-voices")  # the welcome page, for someone with answers to come back to
    kept = len(pages)  # that, the welcome page for newcomers, and this question page
    for number in range(20):
        respondent.client.get(f"{respondent.path}?ref=mira&x={number}")
        respondent.client.get(f"/s/family-voices?ref=mira&x={number}")
    assert len(pages) == kept == 3


def test_page_cache_typed_answers_are_shown_but_not_kept(app):
    pages = app.extensions["rendered_pages"]
    respondent = Respondent(app.test_client())
    respondent.start()
    page = respondent.path
    respondent.answer(action="back", role="parent", state="other", state_other="Ohio")
    again = respondent.client.get(page)
    assert '>Ohio</textarea>' in again.text
    other = Respondent(app.test_client())
    other.start()
    assert "Ohio" not in other.page.text
    assert all("Ohio" not in "".join(parts) for parts in pages.kept_pages())


def test_page_cache_is_bounded_in_bytes(app):
    app.extensions["rendered_pages"].resize(max_pages=1000, max_bytes=30_000)
    pages = app.extensions["rendered_pages"]
    for language in ("en", "es", "ar", "vi", "so"):
        Respondent(app.test_client()).start(f"?lang={language}")
    assert 0 < len(pages) < 5 and pages.size_bytes <= 30_000


def test_page_cache_zero_pages_means_no_cache(database_url, monkeypatch):
    monkeypatch.setenv("SURVEY_ENV", "testing")
    monkeypatch.setenv("RENDERED_PAGES", "0")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret"})
    with app.app_context():
        db.create_all()
        storage.upsert_partners(storage.read_partners_csv(Path("survey_app/data/partners.csv")))
        storage.load_survey(read_definition(DEFAULT_SURVEY_FILE))
        try:
            respondent = Respondent(app.test_client())
            assert respondent.start().status_code == 200
            assert respondent.client.get(respondent.path).status_code == 200
            assert len(app.extensions["rendered_pages"]) == 0
        finally:
            db.session.remove()
            db.drop_all()
            dispose_engines()


@pytest.mark.parametrize("name, value", [("RENDERED_PAGES", "-1"), ("RENDERED_PAGES", "many"),
                                         ("RENDERED_PAGES_MB", "-5"), ("RENDERED_PAGES_MB", "lots")])
def test_page_cache_settings_are_validated(database_url, monkeypatch, name, value):
    monkeypatch.setenv("SURVEY_ENV", "testing")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret"})


def test_page_cache_one_visitors_query_never_reaches_another(app):
    first, second = Respondent(app.test_client()), Respondent(app.test_client())
    first.start()
    assert "first-visitor" in first.client.get(f"{first.path}?lang=vi&note=first-visitor").request.url
    second.start("?lang=vi")
    assert "first-visitor" not in second.client.get(second.path).text


def test_page_cache_thanks_page_is_kept_once_with_each_respondents_token(app):
    pages = app.extensions["rendered_pages"]
    first, second = Respondent(app.test_client()), Respondent(app.test_client())
    for respondent in (first, second):
        respondent.start()
        for answers in FULL_ANSWERS:
            respondent.answer(**answers)
        assert respondent.path == "/s/family-voices/thanks"
    kept = len(pages)
    again = [respondent.client.get("/s/family-voices/thanks") for respondent in (first, second)]
    assert len(pages) == kept
    tokens = [csrf_token(page.text) for page in again]
    assert tokens[0] != tokens[1]
    assert again[0].text.replace(tokens[0], "") == again[1].text.replace(tokens[1], "")
    # Each respondent's own token starts a new survey on their phone.
    assert first.client.post("/s/family-voices/again", data={"csrf_token": tokens[0]}).status_code == 302
    assert first.client.get("/s/family-voices/thanks").location.endswith("/s/family-voices")


def test_page_cache_thanks_page_follows_published_results(app):
    respondent = Respondent(app.test_client())
    respondent.start()
    for answers in FULL_ANSWERS:
        respondent.answer(**answers)
    results = 'href="/s/family-voices/results"'
    assert results not in respondent.page.text
    storage.set_public_results(db.session.scalars(select(Survey).where(Survey.slug == "family-voices")).one(), True)
    assert results in respondent.client.get("/s/family-voices/thanks").text
