"""Staff and partner sessions, probed from outside: a cookie copied before log-out is
worthless after it, the cookie carries nothing derived from the visitor's address or
browser, and a deactivated partner organisation's users are shut out."""
from __future__ import annotations

import base64
import json
import zlib

from sqlalchemy import select

from survey_app import storage
from survey_app.extensions import db
from survey_app.models import Partner
from tests.conftest import PASSWORD, csrf_token
from tests.survey_app.report_fixtures import SLUG

COOKIE = "session"


def log_in(client, email: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": password})


def cookie_value(client) -> str:
    return client.get_cookie(COOKIE).value


def cookie_payload(value: str) -> dict:
    """What a signed Flask session cookie holds: readable by anyone who has the cookie."""
    body = value.split(".")[1] if value.startswith(".") else value.split(".")[0]
    data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if value.startswith("."):
        data = zlib.decompress(data)
    return json.loads(data)


def test_sessions_cookie_replayed_after_logout_opens_nothing(app, users):
    browser = app.test_client()
    log_in(browser, "staff@example.org")
    assert browser.get("/staff/").status_code == 200
    copied = cookie_value(browser)
    page = browser.get("/staff/")
    browser.post("/logout", data={"csrf_token": csrf_token(page.text)})

    thief = app.test_client()
    thief.set_cookie(COOKIE, copied)
    assert thief.get("/staff/").status_code == 302
    export = thief.get(f"/staff/exports/{SLUG}/responses.csv")
    assert export.status_code == 302 and "/login" in export.location


def test_sessions_partner_cookie_replayed_after_logout_downloads_nothing(app, users):
    browser = app.test_client()
    log_in(browser, "mira@example.org")
    copied = cookie_value(browser)
    page = browser.get("/partner/")
    browser.post("/logout", data={"csrf_token": csrf_token(page.text)})

    thief = app.test_client()
    thief.set_cookie(COOKIE, copied)
    download = thief.get(f"/partner/responses/{SLUG}/download.csv")
    assert download.status_code == 302 and "/login" in download.location


def test_sessions_logout_lets_the_user_log_in_again(app, users):
    browser = app.test_client()
    log_in(browser, "staff@example.org")
    page = browser.get("/staff/")
    browser.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert log_in(browser, "staff@example.org").status_code == 302
    assert browser.get("/staff/").status_code == 200


def test_sessions_cookie_holds_no_hash_of_address_or_browser(app, users):
    browser = app.test_client()
    browser.environ_base.update({"REMOTE_ADDR": "198.51.100.23", "HTTP_USER_AGENT": "Probe/1.0"})
    log_in(browser, "staff@example.org")
    browser.get("/staff/")
    payload = cookie_payload(cookie_value(browser))
    assert "_user_id" in payload  # really the logged-in session
    assert "_id" not in payload, payload
    assert not any(isinstance(value, str) and len(value) >= 64 and all(c in "0123456789abcdef" for c in value)
                   for value in payload.values()), payload


def _deactivate_mira() -> None:
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.update_partner(mira, {"active": False})


def test_sessions_deactivated_partner_users_cannot_log_in(app, users):
    _deactivate_mira()
    browser = app.test_client()
    reply = log_in(browser, "mira@example.org")
    assert reply.status_code == 200 and "The email address or password is not right." in reply.text
    assert browser.get(f"/partner/responses/{SLUG}/download.csv").status_code == 302


def test_sessions_deactivating_a_partner_ends_its_users_sessions(app, users):
    browser = app.test_client()
    log_in(browser, "mira@example.org")
    assert browser.get(f"/partner/responses/{SLUG}/download.csv").status_code == 200
    _deactivate_mira()
    download = browser.get(f"/partner/responses/{SLUG}/download.csv")
    assert download.status_code == 302 and "/login" in download.location


def test_sessions_reactivating_a_partner_does_not_revive_old_cookies(app, users):
    browser = app.test_client()
    log_in(browser, "mira@example.org")
    copied = cookie_value(browser)
    _deactivate_mira()
    storage.update_partner(db.session.scalar(select(Partner).where(Partner.code == "mira")), {"active": True})
    thief = app.test_client()
    thief.set_cookie(COOKIE, copied)
    assert thief.get("/partner/").status_code == 302
    assert log_in(app.test_client(), "mira@example.org").status_code == 302
