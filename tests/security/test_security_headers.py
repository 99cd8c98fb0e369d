"""Every response leaves with the security headers, whatever made it: a page, a redirect, an
error, a static file; over https it also tells the browser to stay on https."""
from __future__ import annotations

import pytest

from survey_app.extensions import dispose_engines
from tests.conftest import build_app

SECURITY = {"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"}


@pytest.mark.parametrize("path, status", [
    ("/s/family-voices", 200),  # a respondent's page
    ("/", 302),  # a redirect
    ("/s/no-such-survey", 404),  # an error page
    ("/static/site.css", 200),  # a file
    ("/healthz", 200),  # JSON
])
def test_every_kind_of_response_has_the_security_headers_once(client, path, status):
    with client.get(path) as reply:
        assert reply.status_code == status
        for name in SECURITY:
            assert len(reply.headers.getlist(name)) == 1, name
        assert "Strict-Transport-Security" not in reply.headers  # plain http: a browser would ignore it


def test_https_responses_ask_to_stay_on_https(client):
    reply = client.get("/s/family-voices", base_url="https://localhost")
    assert reply.headers.getlist("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]


def test_pages_with_answers_or_typed_text_are_not_kept_by_browsers_or_proxies(client):
    assert client.get("/s/family-voices").headers["Cache-Control"] == "no-store"
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/privacy").headers.get("Cache-Control", "")


def test_behind_the_proxy_https_is_read_from_the_header_it_sets(app, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "1")  # as docs/deploying.md runs it, behind nginx
    proxied = build_app(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        client = proxied.test_client()
        secure = client.get("/s/family-voices", headers={"X-Forwarded-Proto": "https"})
        assert secure.headers.getlist("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]
        assert "Strict-Transport-Security" not in client.get("/s/family-voices").headers
    finally:
        with proxied.app_context():
            dispose_engines()
