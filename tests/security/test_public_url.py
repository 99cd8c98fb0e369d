"""Links, QR codes and flyers name the service's own address, whatever Host a request sends."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app import create_app, storage
from survey_app.config import ConfigError
from survey_app.extensions import db
from survey_app.models import Partner
from tests.conftest import csrf_token

PASSWORD = "a long enough password"


def partner_client(app):
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("mira@example.org", PASSWORD, "partner", mira)
    client = app.test_client()
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": "mira@example.org",
                                "password": PASSWORD})
    return client


def test_public_url_unknown_host_is_refused(app):
    client = partner_client(app)
    reply = client.get("/partner/surveys/family-voices/flyer/en", headers={"Host": "evil.example"})
    assert reply.status_code == 400 and "evil.example" not in reply.text
    assert client.get("/s/family-voices", headers={"Host": "evil.example"}).status_code == 400


def test_public_url_flyer_and_links_use_the_configured_address(app):
    app.config.update(PUBLIC_URL="https://survey.example.org", TRUSTED_HOSTS=["localhost", "survey.example.org"])
    client = partner_client(app)
    flyer = client.get("/partner/surveys/family-voices/flyer/en").text
    home = client.get("/partner/").text
    assert "https://survey.example.org/s/family-voices?ref=mira" in flyer
    assert "https://survey.example.org/s/family-voices?ref=mira" in home
    assert "http://localhost/s/" not in flyer + home


def test_public_url_trusted_hosts_default_to_the_public_address(database_url, monkeypatch):
    monkeypatch.setenv("SURVEY_ENV", "testing")
    monkeypatch.setenv("PUBLIC_URL", "https://survey.example.org/")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret"})
    assert app.config["PUBLIC_URL"] == "https://survey.example.org"
    assert app.config["TRUSTED_HOSTS"] == ["survey.example.org"]


@pytest.mark.parametrize("value", ["survey.example.org", "ftp://survey.example.org", "https://x.org/?a=1"])
def test_public_url_must_be_an_address(database_url, monkeypatch, value):
    monkeypatch.setenv("SURVEY_ENV", "testing")
    monkeypatch.setenv("PUBLIC_URL", value)
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret"})
