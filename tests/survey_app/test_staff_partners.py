"""Staff manage partner organisations and their users; nobody else can."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app import storage, surveys
from survey_app.extensions import db
from survey_app.models import AuditEvent, Partner, User
from tests.conftest import csrf_token

PASSWORD = "a long enough password"
NEW_PARTNER = {"code": "casa-latina", "name": "Casa Latina", "state_code": "WA", "website": "casa-latina.org",
               "focus": "Day workers and their families", "active": "y"}


def partner(code: str) -> Partner | None:
    return db.session.scalar(select(Partner).where(Partner.code == code))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def log_in(client, email: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": password})


def post_form(client, path: str, data: dict):
    page = client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(page.text), **data})


def test_staff_partners_list_shows_the_eight_partners(staff_client):
    page = staff_client.get("/staff/partners")
    assert page.status_code == 200
    for code in ("caltogether", "caal", "conexion", "lpf", "mira", "mneep", "nyic", "oneamerica"):
        assert f"<code>{code}</code>" in page.text
    assert "Massachusetts" in page.text
    assert 'href="/staff/partners"' in staff_client.get("/staff/").text


def test_staff_partners_create(staff_client):
    reply = post_form(staff_client, "/staff/partners/new", NEW_PARTNER)
    assert reply.status_code == 302 and reply.location.endswith("/staff/partners")
    created = partner("casa-latina")
    assert (created.name, created.state_code, created.website, created.active) == (
        "Casa Latina", "WA", "casa-latina.org", True)
    assert "Casa Latina was added." in staff_client.get("/staff/partners").text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "partner_created"))
    assert event.detail["code"] == "casa-latina" and event.user.email == "staff@example.org"


def test_staff_partners_new_form_starts_active(staff_client):
    page = staff_client.get("/staff/partners/new")
    assert re.search(r'id="active" name="active" type="checkbox" value="y" checked', page.text)


def test_staff_partners_edit_and_deactivate(staff_client):
    mira = partner("mira")
    path = f"/staff/partners/{mira.id}/edit"
    page = staff_client.get(path)
    assert 'value="mira"' in page.text and '<option value="MA" selected>' in page.text
    data = {"code": "mira", "name": "MIRA Coalition", "state_code": "MA", "website": mira.website,
            "focus": mira.focus}  # the "active" box is left unticked
    reply = staff_client.post(path, data={"csrf_token": csrf_token(page.text), **data})
    assert reply.status_code == 302
    db.session.expire_all()
    mira = partner("mira")
    assert mira.name == "MIRA Coalition" and mira.active is False
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "partner_updated"))
    assert event.detail["changes"] == {"name": ["Massachusetts Immigrant and Refugee Advocacy Coalition (MIRA)",
                                                "MIRA Coalition"], "active": [True, False]}
    assert "Not active" in staff_client.get("/staff/partners").text


def test_staff_partners_deactivated_partner_no_longer_gets_credit(app, staff_client):
    mira = partner("mira")
    storage.update_partner(mira, {"active": False})
    with app.test_request_context():
        assert surveys.partner_by_code("mira") is None


def test_staff_partners_saving_unchanged_partner_records_nothing(staff_client):
    mira = partner("mira")
    data = {"code": "mira", "name": mira.name, "state_code": "MA", "website": mira.website, "focus": mira.focus,
            "active": "y"}
    assert post_form(staff_client, f"/staff/partners/{mira.id}/edit", data).status_code == 302
    assert "partner_updated" not in actions()


@pytest.mark.parametrize("code, message", [
    ("Casa Latina", "The code can only use lower-case letters, digits and hyphens"),
    ("casa_latina", "The code can only use lower-case letters, digits and hyphens"),
    ("casa-", "The code can only use lower-case letters, digits and hyphens"),
    ("x" * 41, "The code must be 40 characters or fewer."),
    ("", "Enter a code."),
])
def test_staff_partners_bad_code_is_rejected_and_kept(staff_client, code, message):
    reply = post_form(staff_client, "/staff/partners/new", {**NEW_PARTNER, "code": code})
    assert reply.status_code == 200
    assert "There is a problem" in reply.text and '<a href="#code">' in reply.text
    assert reply.text.count(message) == 2  # in the summary and next to the field
    assert 'id="code-error"' in reply.text and 'aria-describedby="code-hint code-error"' in reply.text
    assert f'value="{code}"' in reply.text.replace("&#39;", "'")
    assert 'value="Casa Latina"' in reply.text or code == "Casa Latina"  # the other fields are kept too
    assert partner(code) is None and "partner_created" not in actions()


def test_staff_partners_duplicate_code_is_rejected(staff_client):
    reply = post_form(staff_client, "/staff/partners/new", {**NEW_PARTNER, "code": "mira"})
    assert reply.status_code == 200
    assert "Another partner already uses this code." in reply.text and 'value="mira"' in reply.text
    assert db.session.query(Partner).filter_by(code="mira").count() == 1


def test_staff_partners_edit_cannot_take_another_partners_code(staff_client):
    caal = partner("caal")
    data = {"code": "mira", "name": caal.name, "state_code": "MN", "active": "y"}
    reply = post_form(staff_client, f"/staff/partners/{caal.id}/edit", data)
    assert reply.status_code == 200 and "Another partner already uses this code." in reply.text
    db.session.expire_all()
    assert partner("caal") is not None


def test_staff_partners_state_must_be_one_of_the_seven(staff_client):
    reply = post_form(staff_client, "/staff/partners/new", {**NEW_PARTNER, "state_code": "TX"})
    assert reply.status_code == 200 and '<a href="#state_code">' in reply.text
    reply = post_form(staff_client, "/staff/partners/new", {**NEW_PARTNER, "state_code": ""})
    assert "Choose the state the partner works in." in reply.text
    assert partner("casa-latina") is None


def test_staff_partners_create_user_shows_password_once(app, staff_client, client):
    mira = partner("mira")
    path = f"/staff/partners/{mira.id}/users"
    assert "This partner has no users yet." in staff_client.get(path).text
    reply = post_form(staff_client, path, {"email": " Organiser@Example.org "})
    assert reply.status_code == 200
    password = re.search(r'<code class="password" dir="ltr">([^<]+)</code>', reply.text).group(1)
    assert len(password) >= 20 and reply.headers["Cache-Control"] == "no-store"
    user = db.session.scalar(select(User).where(User.email == "organiser@example.org"))
    assert user.role == "partner" and user.partner_id == mira.id and password not in user.password_hash
    assert password not in staff_client.get(path).text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_created"))
    assert event.detail == {"email": "organiser@example.org", "role": "partner", "partner": "mira"}
    assert password not in str(event.detail)
    other = app.test_client()
    log_in(other, "organiser@example.org", password)
    assert other.get("/partner/").status_code == 200


@pytest.mark.parametrize("email, message", [("", "Enter an email address."),
                                            ("not-an-email", "Enter an email address in the right format"),
                                            ("staff@example.org", "A user with this email address already exists.")])
def test_staff_partners_bad_user_email_is_rejected(staff_client, email, message):
    mira = partner("mira")
    reply = post_form(staff_client, f"/staff/partners/{mira.id}/users", {"email": email})
    assert reply.status_code == 200 and message in reply.text and '<a href="#email">' in reply.text
    assert f'value="{email}"' in reply.text
    assert "user_created" not in actions()


def test_staff_partners_disable_and_enable_user(staff_client):
    mira = partner("mira")
    user = storage.create_user("organiser@example.org", PASSWORD, "partner", mira)
    path = f"/staff/partners/{mira.id}/users"
    page = staff_client.get(path)
    assert "organiser@example.org" in page.text and "Can log in" in page.text
    reply = staff_client.post(f"{path}/{user.id}/disable", data={"csrf_token": csrf_token(page.text)})
    assert reply.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    page = staff_client.get(path)
    assert "organiser@example.org can no longer log in." in page.text and "Disabled" in page.text
    staff_client.post(f"{path}/{user.id}/enable", data={"csrf_token": csrf_token(page.text)})
    db.session.expire_all()
    assert db.session.get(User, user.id).active is True
    assert actions()[-2:] == ["user_disabled", "user_enabled"]


def test_staff_partners_disabling_ends_the_partner_users_session(app, staff_client):
    mira = partner("mira")
    user = storage.create_user("organiser@example.org", PASSWORD, "partner", mira)
    organiser = app.test_client()
    log_in(organiser, "organiser@example.org")
    assert organiser.get("/partner/").status_code == 200
    page = staff_client.get(f"/staff/partners/{mira.id}/users")
    staff_client.post(f"/staff/partners/{mira.id}/users/{user.id}/disable", data={"csrf_token": csrf_token(page.text)})
    assert organiser.get("/partner/").status_code == 302


def test_staff_partners_user_of_another_partner_is_404(staff_client):
    user = storage.create_user("organiser@example.org", PASSWORD, "partner", partner("nyic"))
    staff = db.session.scalar(select(User).where(User.email == "staff@example.org"))
    mira = partner("mira")
    page = staff_client.get(f"/staff/partners/{mira.id}/users")
    for target in (user, staff):
        reply = staff_client.post(f"/staff/partners/{mira.id}/users/{target.id}/disable",
                                  data={"csrf_token": csrf_token(page.text)})
        assert reply.status_code == 404
    assert staff_client.get("/staff/partners/9999/edit").status_code == 404


def test_staff_partners_changes_need_csrf_token(staff_client):
    mira = partner("mira")
    user = storage.create_user("organiser@example.org", PASSWORD, "partner", mira)
    assert staff_client.post("/staff/partners/new", data=NEW_PARTNER).status_code == 400
    assert staff_client.post(f"/staff/partners/{mira.id}/users/{user.id}/disable").status_code == 400
    db.session.expire_all()
    assert partner("casa-latina") is None and db.session.get(User, user.id).active is True


ROUTES = [("get", "/staff/partners"), ("get", "/staff/partners/new"), ("post", "/staff/partners/new"),
          ("get", "/staff/partners/{id}/edit"), ("post", "/staff/partners/{id}/edit"),
          ("get", "/staff/partners/{id}/users"), ("post", "/staff/partners/{id}/users"),
          ("post", "/staff/partners/{id}/users/{user}/disable"), ("post", "/staff/partners/{id}/users/{user}/enable")]


@pytest.fixture
def targets(app):
    mira = partner("mira")
    organiser = storage.create_user("organiser@example.org", PASSWORD, "partner", mira)
    return {"id": mira.id, "user": organiser.id}


@pytest.mark.parametrize("method, path", ROUTES)
def test_staff_partners_anonymous_is_sent_to_login(app, targets, method, path):
    app.config["WTF_CSRF_ENABLED"] = False  # so the refusal comes from the log-in check, not the token
    client = app.test_client()
    reply = getattr(client, method)(path.format(**targets), data=NEW_PARTNER)
    assert reply.status_code == 302 and "/login" in reply.location


@pytest.mark.parametrize("method, path", ROUTES)
def test_staff_partners_partner_user_is_refused(app, targets, method, path):
    client = app.test_client()
    log_in(client, "organiser@example.org")
    page = client.get("/partner/")
    reply = getattr(client, method)(path.format(**targets), data={**NEW_PARTNER, "csrf_token": csrf_token(page.text)})
    assert reply.status_code == 403
    assert partner("casa-latina") is None and "partner_created" not in actions()


def test_staff_partners_set_a_response_target(staff_client):
    mira = partner("mira")
    path = f"/staff/partners/{mira.id}/edit"
    data = {"code": "mira", "name": mira.name, "state_code": "MA", "website": mira.website, "focus": mira.focus,
            "active": "y", "response_target": "150"}
    assert post_form(staff_client, path, data).status_code == 302
    db.session.expire_all()
    assert partner("mira").response_target == 150
    refused = post_form(staff_client, path, {**data, "response_target": "0"})
    assert refused.status_code == 200 and "whole number of at least 1" in refused.text
    assert post_form(staff_client, path, {**data, "response_target": ""}).status_code == 302
    db.session.expire_all()
    assert partner("mira").response_target is None
