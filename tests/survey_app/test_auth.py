"""Staff and partner users log in; nobody reaches an area that is not theirs."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app import storage
from survey_app.extensions import db
from survey_app.models import Partner
from tests.conftest import csrf_token

PASSWORD = "a long enough password"


@pytest.fixture
def users(app):
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("admin@example.org", PASSWORD, "admin")
    storage.create_user("staff@example.org", PASSWORD, "staff")
    storage.create_user("mira@example.org", PASSWORD, "partner", mira)


def log_in(client, email: str, password: str = PASSWORD, next_url: str = ""):
    page = client.get(f"/login{next_url}")
    return client.post(f"/login{next_url}", data={"csrf_token": csrf_token(page.text), "email": email,
                                                   "password": password})


@pytest.mark.parametrize("path", ["/staff/", "/partner/"])
def test_auth_anonymous_is_sent_to_login(client, path):
    reply = client.get(path)
    assert reply.status_code == 302 and "/login" in reply.location


@pytest.mark.parametrize("email, home", [("staff@example.org", "/staff/"), ("admin@example.org", "/staff/"),
                                         ("mira@example.org", "/partner/")])
def test_auth_login_goes_to_own_area(client, users, email, home):
    reply = log_in(client, email)
    assert reply.status_code == 302 and reply.location.endswith(home)
    assert client.get(home).status_code == 200


def test_auth_partner_sees_own_tracked_link(client, users):
    log_in(client, "mira@example.org")
    page = client.get("/partner/")
    assert "Massachusetts Immigrant and Refugee Advocacy Coalition" in page.text
    assert "/s/family-voices?ref=mira" in page.text


@pytest.mark.parametrize("email, path", [("mira@example.org", "/staff/"), ("staff@example.org", "/partner/")])
def test_auth_users_cannot_enter_other_areas(client, users, email, path):
    log_in(client, email)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("email, password", [("staff@example.org", "wrong password"), ("nobody@example.org", PASSWORD)])
def test_auth_wrong_credentials_get_one_clear_message(client, users, email, password):
    reply = log_in(client, email, password)
    assert reply.status_code == 200
    assert "The email address or password is not right." in reply.text
    assert client.get("/staff/").status_code == 302


def test_auth_login_without_csrf_token_is_refused(client, users):
    reply = client.post("/login", data={"email": "staff@example.org", "password": PASSWORD})
    assert reply.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_auth_logout_ends_session(client, users):
    log_in(client, "staff@example.org")
    page = client.get("/staff/")
    client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert client.get("/staff/").status_code == 302


def test_auth_disabled_user_cannot_log_in(client, users):
    user = db.session.scalar(select(storage.User).where(storage.User.email == "staff@example.org"))
    user.active = False
    db.session.commit()
    assert log_in(client, "staff@example.org").status_code == 200


@pytest.mark.parametrize("target, expected", [("?next=/partner/", "/partner/"), ("?next=https://evil.example/", "/staff/"),
                                              ("?next=//evil.example/", "/staff/")])
def test_auth_next_only_follows_local_paths(client, users, target, expected):
    reply = log_in(client, "admin@example.org", next_url=target)
    assert reply.location.endswith(expected) and "evil" not in reply.location


def test_auth_idle_session_ends(app, client, users, monkeypatch):
    log_in(client, "staff@example.org")
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] -= app.config["STAFF_IDLE_MINUTES"] * 60 + 1
    assert client.get("/staff/").status_code == 302


def test_auth_password_reset_ends_other_sessions(app, client, runner, users):
    log_in(client, "staff@example.org")
    assert client.get("/staff/").status_code == 200
    result = runner.invoke(args=["reset-password", "staff@example.org"])
    assert result.exit_code == 0, result.output
    assert client.get("/staff/").status_code == 302
    new_password = result.output.split("Password (shown once): ")[1].strip()
    assert log_in(app.test_client(), "staff@example.org", new_password).status_code == 302


def test_auth_disable_user_from_command_line_ends_session(app, client, runner, users):
    log_in(client, "mira@example.org")
    assert client.get("/partner/").status_code == 200
    assert runner.invoke(args=["disable-user", "mira@example.org"]).exit_code == 0
    assert client.get("/partner/").status_code == 302
    assert runner.invoke(args=["disable-user", "mira@example.org", "--enable"]).exit_code == 0
    assert log_in(app.test_client(), "mira@example.org").status_code == 302


def test_auth_audit_log_records_logins_without_addresses(app, client, users):
    log_in(client, "staff@example.org", "wrong password")
    log_in(client, "staff@example.org")
    page = client.get("/staff/audit")
    assert "A log-in as <bdi>staff@example.org</bdi> failed." in page.text and "Logged in." in page.text
    from survey_app.models import AuditEvent

    events = db.session.scalars(select(AuditEvent)).all()
    assert {e.action for e in events} >= {"login", "login_failed"}
    assert all("127.0.0.1" not in repr(e.detail) for e in events)


def test_auth_partner_cannot_read_audit_log(client, users):
    log_in(client, "mira@example.org")
    assert client.get("/staff/audit").status_code == 403


@pytest.mark.parametrize("email, path", [("staff@example.org", "/staff/reports/family-voices"),
                                         ("mira@example.org", "/partner/overview/family-voices")])
def test_auth_log_in_request_is_said_on_the_log_in_page_only(client, users, email, path):
    sent = client.get(path)
    login_page = client.get(sent.location)
    assert "Log in to see this page." in login_page.text
    reply = client.post(sent.location, data={"csrf_token": csrf_token(login_page.text), "email": email,
                                             "password": PASSWORD})
    assert reply.location.endswith(path)
    assert "Log in to see this page." not in client.get(path).text
