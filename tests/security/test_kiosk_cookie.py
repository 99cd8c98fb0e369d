"""A kiosk's cookie, copied to another device: it works only as long as the partner user
who started the kiosk could still log in, and it is rate-limited like any visitor."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app import storage
from survey_app.extensions import db
from survey_app.models import Partner, Response, User
from tests.conftest import FULL_ANSWERS, Respondent, csrf_token

PASSWORD = "a long enough password"
KIOSK = "/partner/surveys/family-voices/kiosk"


@pytest.fixture
def mira_user(app):
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    return storage.create_user("mira@example.org", PASSWORD, "partner", mira)


def log_in(client) -> None:
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": "mira@example.org",
                                "password": PASSWORD})


def kiosk_device(app):
    device = app.test_client()
    log_in(device)
    page = device.get(KIOSK)
    assert device.post(KIOSK, data={"csrf_token": csrf_token(page.text)}).status_code == 302
    return device


def copy_of(app, device):
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.50"
    other.set_cookie("session", device.get_cookie("session").value)
    return other


def submit_one(client) -> Response:
    respondent = Respondent(client)
    respondent.start()
    for answers in FULL_ANSWERS:
        assert respondent.answer(**answers).status_code == 200
    return db.session.scalars(select(Response).order_by(Response.submitted_at.desc())).first()


def mira() -> User:
    return db.session.scalar(select(User).where(User.email == "mira@example.org"))


def test_kiosk_cookie_copy_works_while_the_partner_user_is_active(app, mira_user):
    copied = copy_of(app, kiosk_device(app))
    response = submit_one(copied)
    assert response.channel == "kiosk" and response.partner.code == "mira"


def test_kiosk_cookie_copy_stops_when_the_partner_user_is_disabled(app, mira_user):
    copied = copy_of(app, kiosk_device(app))
    storage.set_user_active(mira(), False)
    response = submit_one(copied)
    assert response.channel == "web" and response.partner_id is None


def test_kiosk_cookie_copy_stops_when_the_partner_user_logs_out_elsewhere(app, mira_user):
    copied = copy_of(app, kiosk_device(app))
    laptop = app.test_client()
    log_in(laptop)
    page = laptop.get("/partner/")
    laptop.post("/logout", data={"csrf_token": csrf_token(page.text)})
    response = submit_one(copied)
    assert response.channel == "web" and response.partner_id is None


def test_kiosk_cookie_copy_stops_when_the_partner_is_deactivated(app, mira_user):
    device = kiosk_device(app)
    storage.update_partner(db.session.scalar(select(Partner).where(Partner.code == "mira")), {"active": False})
    response = submit_one(device)
    assert response.channel == "web" and response.partner_id is None


def test_kiosk_cookie_copy_is_rate_limited(app, mira_user):
    app.config["RATELIMIT_PUBLIC"] = "2 per minute"  # counted per page of the survey
    copied = copy_of(app, kiosk_device(app))
    respondent = Respondent(copied)
    respondent.open()
    token = csrf_token(respondent.page.text)
    replies = [copied.post("/s/family-voices/start", data={"csrf_token": token}).status_code for _ in range(3)]
    assert replies == [302, 302, 429]


def test_kiosk_cookie_counts_apart_from_families_at_the_same_address(app, mira_user):
    """A kiosk has its own counter: the families on the meeting's Wi-Fi do not use it up."""
    app.config["RATELIMIT_PUBLIC"] = "2 per minute"
    device = kiosk_device(app)
    family = app.test_client()
    for _ in range(2):
        page = family.get("/s/family-voices")
        family.post("/s/family-voices/start", data={"csrf_token": csrf_token(page.text)})
    page = device.get("/s/family-voices")
    assert device.post("/s/family-voices/start", data={"csrf_token": csrf_token(page.text)}).status_code == 302
