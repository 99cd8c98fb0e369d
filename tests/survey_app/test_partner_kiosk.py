"""Kiosk mode: one device at a community meeting, one family after another."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app import storage
from survey_app.extensions import db
from survey_app.models import AuditEvent, Draft, Partner, Response, Survey
from tests.conftest import FULL_ANSWERS, Respondent, csrf_token

PASSWORD = "a long enough password"
KIOSK = "/partner/surveys/family-voices/kiosk"


@pytest.fixture
def mira_user(app):
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    return storage.create_user("mira@example.org", PASSWORD, "partner", mira)


def log_in(client, email: str = "mira@example.org") -> None:
    page = client.get("/login")
    reply = client.post("/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD})
    assert reply.status_code == 302


def start_kiosk(client):
    log_in(client)
    page = client.get(KIOSK)
    assert page.status_code == 200
    return client.post(KIOSK, data={"csrf_token": csrf_token(page.text)})


def session_of(app, client) -> dict:
    cookie = client.get_cookie("session")
    return app.session_interface.get_signing_serializer(app).loads(cookie.value) if cookie else {}


def answer_all(respondent: Respondent, pages=FULL_ANSWERS) -> None:
    respondent.start()
    for answers in pages:
        assert respondent.answer(**answers).status_code == 200


def test_partner_kiosk_start_logs_out_and_opens_the_survey(app, client, mira_user):
    reply = start_kiosk(client)
    assert reply.status_code == 302 and reply.location.endswith("/s/family-voices")
    session = session_of(app, client)
    kiosk = session["kiosk"]
    assert {key: kiosk[key] for key in ("slug", "partner", "user", "version")} == {
        "slug": "family-voices", "partner": "mira", "user": mira_user.id, "version": mira_user.session_version}
    assert "_user_id" not in session and not session.get("_permanent")
    portal = client.get("/partner/")
    assert portal.status_code == 302 and "/login" in portal.location
    start = client.get("/s/family-voices")
    assert start.status_code == 200 and 'class="languages"' in start.text
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "kiosk_started")).one()
    assert event.user_id == mira_user.id and event.detail == {"survey": "family-voices", "partner": "mira"}


def test_partner_kiosk_stores_channel_kiosk_and_the_partner(app, client, mira_user):
    start_kiosk(client)
    respondent = Respondent(client)
    respondent.open("?ref=nyic")  # a link's partner code cannot take over the kiosk
    answer_all(respondent)
    response = db.session.scalars(select(Response)).one()
    assert (response.channel, response.partner.code, response.entered_by_id) == ("kiosk", "mira", None)
    assert not session_of(app, client).get("_permanent")  # ends with the browser


def test_partner_kiosk_thanks_returns_to_start_by_itself(app, client, mira_user):
    start_kiosk(client)
    respondent = Respondent(client)
    answer_all(respondent)
    thanks = respondent.page
    assert respondent.path.endswith("/thanks")
    assert thanks.headers["Refresh"] == "8; url=/s/family-voices/kiosk-reset"
    assert "goes back to the start in a few seconds" in thanks.text
    assert "<script" not in thanks.text
    assert "Is someone else using this phone" not in thanks.text
    back = client.get("/s/family-voices/kiosk-reset")
    assert back.status_code == 302 and back.location.endswith("/s/family-voices")
    session = session_of(app, client)
    assert not session.get("drafts") and not session.get("done")
    assert session["kiosk"]["partner"] == "mira"
    assert client.get("/s/family-voices/thanks").location.endswith("/s/family-voices")


def test_partner_kiosk_back_after_submission_shows_no_answers(app, client, mira_user):
    start_kiosk(client)
    respondent = Respondent(client)
    respondent.start()
    visited = []
    for answers in FULL_ANSWERS:
        visited.append(respondent.path)
        respondent.answer(**answers)
    client.get("/s/family-voices/kiosk-reset")
    for path in visited:  # the browser's Back button, one page after another
        old = client.get(path)
        assert old.status_code == 302 and old.location.endswith("/s/family-voices")
        page = client.get(path, follow_redirects=True)
        assert page.request.path == "/s/family-voices"
        assert "checked" not in page.text and "More interpreters" not in page.text
        assert "Continue where I stopped" not in page.text
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_partner_kiosk_inactivity_returns_to_start_and_drops_the_draft(app, client, mira_user):
    start_kiosk(client)
    respondent = Respondent(client)
    respondent.start("?lang=es")
    first = respondent.page
    assert first.headers["Refresh"] == "180; url=/s/family-voices/kiosk-reset"
    assert first.headers["Cache-Control"] == "no-store"
    assert 'autocomplete="off"' in first.text
    respondent.answer(role="parent", state="MN")
    assert respondent.page.headers["Refresh"].startswith("180; ")
    abandoned = session_of(app, client)["drafts"]["family-voices"]
    client.get("/s/family-voices/kiosk-reset")
    assert db.session.get(Draft, abandoned) is None
    session = session_of(app, client)
    assert "family-voices" not in session.get("drafts", {})
    start = client.get("/s/family-voices")
    assert "Seguir donde me quedé" not in start.text and "<html lang=\"es\"" in start.text
    next_person = Respondent(client)
    next_person.start()
    assert "checked" not in next_person.page.text
    assert session_of(app, client)["drafts"]["family-voices"] != abandoned


def test_partner_kiosk_next_person_starts_in_the_last_language_used(app, client, mira_user):
    start_kiosk(client)
    client.get("/s/family-voices?lang=so")  # chosen by the partner, or by the last person
    respondent = Respondent(client)
    answer_all(respondent)
    assert respondent.path.endswith("/thanks")
    reset = client.get("/s/family-voices/kiosk-reset", follow_redirects=True)
    assert '<html lang="so"' in reset.text
    assert db.session.scalars(select(Response)).one().language == "so"


def test_partner_kiosk_start_page_drops_an_unfinished_draft(app, client, mira_user):
    start_kiosk(client)
    respondent = Respondent(client)
    respondent.start()
    respondent.answer(role="student", state="IL")
    respondent.answer(action="back")
    respondent.answer(action="back")  # back from the first page leads to the start
    assert respondent.path == "/s/family-voices"
    assert "Continue where I stopped" not in respondent.page.text
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_partner_kiosk_needs_the_form_token(app, client, mira_user):
    log_in(client)
    reply = client.post(KIOSK)
    assert reply.status_code == 400
    assert "kiosk" not in session_of(app, client)
    assert client.get("/partner/").status_code == 200


def test_partner_kiosk_closed_survey_cannot_start(app, client, mira_user):
    db.session.scalars(select(Survey)).one().status = "closed"
    db.session.commit()
    log_in(client)
    page = client.get(KIOSK)
    assert "This survey is closed" in page.text and "Start kiosk" not in page.text
    reply = client.post(KIOSK, data={"csrf_token": csrf_token(client.get("/partner/").text)})
    assert reply.status_code == 200 and "kiosk" not in session_of(app, client)


@pytest.mark.parametrize("path", ["/partner/surveys/no-such-survey/kiosk", "/partner/surveys/..%2Fetc/kiosk"])
def test_partner_kiosk_unknown_survey_is_404(client, mira_user, path):
    log_in(client)
    assert client.get(path).status_code == 404


def test_partner_kiosk_other_survey_pages_stay_web(app, client, mira_user):
    """The kiosk serves its own survey only: the web flow elsewhere is unchanged."""
    respondent = Respondent(client)
    respondent.start("?ref=mira")
    assert "Refresh" not in respondent.page.headers
    assert "kiosk" not in session_of(app, client)
    assert session_of(app, client).get("_permanent")


def test_partner_kiosk_is_not_limited_by_its_address(app, client, mira_user):
    """Families on the meeting's Wi-Fi use up the address's limit; the kiosk counts on its own."""
    app.config["RATELIMIT_PUBLIC"] = "6 per minute"
    start_kiosk(client)
    for _ in range(6):
        Respondent(app.test_client()).start()
    assert Respondent(app.test_client()).start().status_code == 429
    answer_all(Respondent(client))
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert set(db.session.scalars(select(Response.channel))) == {"kiosk"}
