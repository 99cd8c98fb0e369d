"""A parent answers Family Voices through the real app and database."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Answer, Draft, Partner, Response
from tests.conftest import FULL_ANSWERS, Respondent, csrf_token


def stored_answers(response_id: str) -> dict[str, list[str]]:
    rows = db.session.execute(select(Answer.question, Answer.value).where(Answer.response_id == response_id))
    found: dict[str, list[str]] = {}
    for question, value in rows:
        found.setdefault(question, []).append(value)
    return found


def complete(respondent: Respondent, pages=FULL_ANSWERS, query: str = "") -> None:
    respondent.start(query)
    for answers in pages:
        page = respondent.answer(**answers)
        assert page.status_code == 200, page.text
    assert respondent.path.endswith("/thanks")


def test_start_page_welcomes_and_explains_consent(client):
    page = client.get("/s/family-voices")
    assert page.status_code == 200
    assert "Family Voices" in page.text
    assert "We do not ask for your name" in page.text
    assert "you agree to take part" in page.text
    assert 'href="/privacy"' in page.text


def test_public_flow_stores_one_response_as_codes(app, respondent):
    complete(respondent, query="?ref=mira")
    assert "Your answers have been saved" in respondent.page.text
    response = db.session.scalars(select(Response)).one()
    assert response.partner.code == "mira"
    assert (response.language, response.channel, response.version.version) == ("en", "web", 1)
    assert stored_answers(response.id) == {
        "role": ["parent"], "state": ["MN"], "grade_bands": ["k5", "g6_8"], "child_el": ["yes"],
        "home_languages": ["so", "en"], "top_issues": ["language_access", "safety", "mental_health"],
        "school_communication": ["2"], "interpreter_offered": ["sometimes"],
        "one_change": ["More interpreters, please."],
    }
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_public_flow_shows_no_step_total_that_could_move(respondent):
    respondent.start()
    first = respondent.page.text
    respondent.answer(role="parent", state="CA")  # the children page is only for parents and students
    for page in (first, respondent.page.text):
        assert "Step" not in page and "<progress" not in page and " of 4" not in page and " of 5" not in page


def test_public_flow_back_keeps_answers(respondent):
    respondent.start()
    respondent.answer(role="parent", state="CA")
    respondent.answer(grade_bands=["prek"], child_el="not_sure")
    respondent.answer(action="back", home_languages=["es"])
    assert respondent.path.endswith("/2")
    assert 'value="prek" checked' in respondent.page.text
    assert 'value="not_sure" checked' in respondent.page.text
    respondent.answer(action="back")
    assert 'value="parent" checked' in respondent.page.text
    assert 'value="CA" checked' in respondent.page.text
    respondent.answer(role="parent", state="CA")
    respondent.answer(grade_bands=["prek"], child_el="not_sure")
    assert 'value="es" checked' in respondent.page.text  # saved although Back was pressed


def test_public_flow_error_keeps_answers_and_links_summary(respondent):
    respondent.start()
    page = respondent.answer(role="student")
    assert page.status_code == 200
    assert "There is a problem" in page.text
    assert 'href="#state-0"' in page.text
    assert "Choose the state you live in." in page.text
    assert 'value="student" checked' in page.text
    assert "<title>Error:" in page.text


@pytest.mark.parametrize("issues, error", [
    ([], "Choose at least one issue."),
    (["safety", "newcomers", "prek_access", "public_data"], "Choose no more than 3 issues."),
    (["safety", "not_an_issue"], "Choose from the answers shown."),
])
def test_public_flow_checks_issue_choices_on_server(respondent, issues, error):
    respondent.start()
    respondent.answer(role="community", state="NY")
    respondent.answer(home_languages=["bn"])
    page = respondent.answer(top_issues=issues)
    assert error in page.text
    assert respondent.path.endswith("/4")
    for code in set(issues) - {"not_an_issue"}:
        assert f'value="{code}" checked' in page.text


def test_public_flow_follow_up_hidden_until_it_applies(respondent):
    page = respondent.start().text
    box = page.split('id="follow-up-state_other"', 1)[1].split("</div>\n</div>", 1)[0]
    assert page.count('id="follow-up-state_other" data-follow-up hidden') == 1
    assert '<textarea' in box and " disabled " in box.split("<textarea", 1)[1].split(">", 1)[0] + " "
    assert 'value="other" data-aria-controls="follow-up-state_other"' in page
    assert 'value="MN" data-aria-controls' not in page
    assert "Answer only if" not in page


def test_public_flow_follow_up_asked_on_the_following_page_without_javascript(app, respondent):
    respondent.start()
    page = respondent.answer(role="community", state="other")  # the hidden box is not sent
    assert respondent.path.endswith("/1") and "There is a problem" not in page.text
    assert "Which state?" in page.text and 'name="role"' in page.text and 'type="radio"' not in page.text
    assert 'type="hidden" name="state" value="other"' in page.text
    page = respondent.answer(role="community", state="other", asked="state_other", state_other="")
    assert "Write the name of your state." in page.text
    respondent.answer(role="community", state="other", asked="state_other", state_other="Oregon")
    assert respondent.path.endswith("/3")  # the children page is skipped for community members
    for answers in FULL_ANSWERS[2:]:
        respondent.answer(**answers)
    response = db.session.scalars(select(Response)).one()
    answers = stored_answers(response.id)
    assert answers["state_other"] == ["Oregon"]
    assert "grade_bands" not in answers


def test_public_flow_follow_up_shown_on_the_same_page_is_checked_there(respondent):
    respondent.start()
    page = respondent.answer(role="community", state="other", asked="state_other", state_other="")
    assert "Write the name of your state." in page.text and 'type="radio"' in page.text
    assert 'id="follow-up-state_other" data-follow-up>' in page.text  # shown, with its error


def test_public_flow_drops_answers_that_stopped_being_relevant(app, respondent):
    respondent.start()
    respondent.answer(role="parent", state="WA")
    respondent.answer(grade_bands=["g9_12"], child_el="no")
    respondent.answer(action="back")
    respondent.answer(action="back")
    respondent.answer(role="community", state="WA")
    for answers in FULL_ANSWERS[2:]:
        respondent.answer(**answers)
    answers = stored_answers(db.session.scalars(select(Response)).one().id)
    assert "grade_bands" not in answers and "child_el" not in answers


def test_public_flow_same_page_other_field_ignored_when_not_relevant(app, respondent):
    complete(respondent, pages=[{"role": "parent", "state": "IL", "state_other": "Texas"}, *FULL_ANSWERS[1:]])
    assert "state_other" not in stored_answers(db.session.scalars(select(Response)).one().id)


def test_public_flow_double_submission_stores_one_response(app, client):
    respondent = Respondent(client)
    respondent.start()
    for answers in FULL_ANSWERS[:-1]:
        respondent.answer(**answers)
    last_page = respondent.page
    data = {"csrf_token": csrf_token(last_page.text), "action": "next", **FULL_ANSWERS[-1]}
    first = client.post(respondent.path, data=data)
    second = client.post(respondent.path, data=data)  # a double tap or a retried request
    assert first.status_code == second.status_code == 302
    assert second.location.endswith("/thanks")
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_public_flow_replayed_cookie_after_submission_stores_nothing_new(app, client):
    respondent = Respondent(client)
    respondent.start()
    for answers in FULL_ANSWERS[:-1]:
        respondent.answer(**answers)
    cookie = client.get_cookie("session").value
    data = {"csrf_token": csrf_token(respondent.page.text), "action": "next", **FULL_ANSWERS[-1]}
    path = respondent.path
    client.post(path, data=data)
    client.set_cookie("session", cookie)  # the browser's Back button, then submit again
    again = client.post(path, data=data)
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


@pytest.mark.parametrize("query", ["?ref=nobody", "?ref=", "", "?ref=%3Cscript%3E"])
def test_public_flow_unknown_or_missing_ref_still_stores(app, respondent, query):
    complete(respondent, query=query)
    assert db.session.scalars(select(Response)).one().partner_id is None


def test_public_flow_inactive_partner_ref_is_not_attributed(app, respondent):
    db.session.scalars(select(Partner).where(Partner.code == "nyic")).one().active = False
    db.session.commit()
    complete(respondent, query="?ref=nyic")
    assert db.session.scalars(select(Response)).one().partner_id is None


def test_public_flow_keeps_answers_on_server_not_in_cookie(app, respondent, client):
    respondent.start()
    respondent.answer(role="parent", state="TN")
    respondent.answer(grade_bands=["k5"], child_el="yes")
    cookie = client.get_cookie("session").value
    assert len(cookie) < 400
    session = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert set(session) <= {"csrf_token", "drafts", "done", "refs", "lang", "_permanent", "_fresh"}
    assert "TN" not in repr(session) and "k5" not in repr(session)


def test_public_flow_continue_goes_to_the_first_unfinished_page(app, client):
    respondent = Respondent(client)
    respondent.start()
    for answers in FULL_ANSWERS[:3]:
        respondent.answer(**answers)
    assert respondent.path.endswith("/4")
    page = respondent.open()  # the family comes back later from the link
    assert "Continue where I stopped" in page.text
    page = client.post("/s/family-voices/start", data={"csrf_token": csrf_token(page.text)})
    assert page.status_code == 302 and page.location.endswith("/s/family-voices/4")


def test_public_flow_continue_after_back_goes_to_the_page_left_unfinished(app, client):
    respondent = Respondent(client)
    respondent.start()
    respondent.answer(**FULL_ANSWERS[0])
    respondent.answer(action="back", child_el="yes")  # saved, but the grades (required) still unanswered
    page = respondent.open()
    page = client.post("/s/family-voices/start", data={"csrf_token": csrf_token(page.text)})
    assert page.location.endswith("/s/family-voices/2")


def test_public_flow_back_after_thanks_shows_thanks_again(app, client):
    respondent = Respondent(client)
    complete(respondent)
    for path in ("/s/family-voices/5", "/s/family-voices/4", "/s/family-voices/1"):  # the browser's Back button
        page = client.get(path, follow_redirects=True)
        assert page.request.path == "/s/family-voices/thanks"
        assert "Your answers have been saved" in page.text and "Start a new survey" in page.text
    again = client.post("/s/family-voices/again", data={"csrf_token": csrf_token(page.text)}, follow_redirects=True)
    assert again.request.path == "/s/family-voices" and "Start" in again.text
    assert client.get("/s/family-voices/5").location.endswith("/s/family-voices")
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_public_flow_language_menu_keeps_the_answers_on_the_page(app, respondent):
    respondent.start()
    respondent.answer(**FULL_ANSWERS[0])
    page = respondent.page
    assert 'name="switch_language" value="so"' in page.text  # a button of the page's form, not a link
    switched = respondent.client.post(respondent.path, data={
        "csrf_token": csrf_token(page.text), "switch_language": "so", "grade_bands": ["k5"]},
        follow_redirects=True)
    assert switched.request.path.endswith("/2") and '<html lang="so"' in switched.text
    assert 'value="k5" checked' in switched.text
    assert "There is a problem" not in switched.text  # saved unchecked: child_el is still to answer


def test_public_flow_optional_questions_are_marked(respondent):
    respondent.start("?lang=es")
    respondent.answer(**FULL_ANSWERS[0])
    page = respondent.page.text
    legends = page.split("<legend")
    child_el = next(legend for legend in legends if 'name="child_el"' in legend)
    grade_bands = next(legend for legend in legends if 'name="grade_bands"' in legend)
    assert "(opcional)" in child_el.split("</legend>")[0]
    assert "(opcional)" not in grade_bands.split("</legend>")[0]


def test_public_flow_page_without_draft_goes_to_start(client):
    page = client.get("/s/family-voices/3")
    assert page.status_code == 302 and page.location.endswith("/s/family-voices")


def test_public_flow_stale_token_keeps_typed_answers(respondent):
    respondent.start()
    page = respondent.client.post(respondent.path, data={"csrf_token": "stale", "action": "next",
                                                         "role": "student", "state": "MA"})
    assert "This page timed out" in page.text
    assert 'value="student" checked' in page.text and 'value="MA" checked' in page.text


def test_unknown_survey_is_404(client):
    assert client.get("/s/no-such-survey").status_code == 404


def test_healthz_reports_database(client):
    reply = client.get("/healthz")
    assert reply.status_code == 200
    assert reply.get_json() == {"status": "ok", "database": "ok"}


def test_pages_send_privacy_headers(client):
    page = client.get("/s/family-voices?ref=mira")
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]


def test_responses_store_no_address_or_device(app):
    columns = {c.name for c in Response.__table__.columns}
    assert columns == {"id", "survey_version_id", "partner_id", "language", "channel", "submitted_at", "entered_by_id"}


def test_public_flow_honeypot_drops_bots_quietly(app, respondent):
    respondent.start()
    for answers in FULL_ANSWERS[:-1]:
        respondent.answer(**answers)
    page = respondent.answer(**FULL_ANSWERS[-1], website="http://spam.example")
    assert page.status_code == 200 and respondent.path == "/s/family-voices"
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_public_flow_database_failure_on_save_keeps_typed_answers(app, respondent, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from survey_app import storage

    respondent.start("?lang=es")
    respondent.answer(role="parent", state="MN")

    def unavailable(*args, **kwargs):
        raise OperationalError("UPDATE drafts", {}, Exception("could not connect to server"))

    monkeypatch.setattr(storage, "save_answers", unavailable)
    page = respondent.answer(grade_bands=["k5", "g9_12"], child_el="yes")
    assert page.status_code == 503
    assert '<html lang="es"' in page.text and "There is a problem" not in page.text
    assert 'value="k5" checked' in page.text and 'value="g9_12" checked' in page.text
    monkeypatch.undo()
    page = respondent.answer(grade_bands=["k5", "g9_12"], child_el="yes")  # the retry goes through
    assert page.status_code == 200 and respondent.path.endswith("/3")


def test_public_flow_database_down_shows_translated_try_again_page(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from survey_app import surveys

    def unavailable(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("could not connect to server"))

    monkeypatch.setattr(surveys, "find_survey", unavailable)
    page = client.get("/s/family-voices?lang=so")
    assert page.status_code == 503
    assert '<html lang="so"' in page.text
    assert "Please try again in a few minutes" not in page.text  # Somali, not English


def test_public_flow_start_and_start_again_refuse_another_sessions_token(app, client):
    other = app.test_client()
    others_token = csrf_token(other.get("/s/family-voices").text)
    client.get("/s/family-voices")
    for data in ({}, {"csrf_token": "x"}, {"csrf_token": others_token}):
        refused = client.post("/s/family-voices/start", data=data)
        assert refused.status_code == 302 and refused.location.endswith("/s/family-voices")
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    complete(Respondent(client))
    for data in ({}, {"csrf_token": others_token}):
        client.post("/s/family-voices/again", data=data)
        assert client.get("/s/family-voices/thanks").status_code == 200
