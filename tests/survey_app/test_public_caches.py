"""What each worker keeps in memory for respondents: the survey for a few seconds, and question
pages as first shown, each with the respondent's own CSRF token."""
from __future__ import annotations

from sqlalchemy import func, select

from survey_app import storage, surveys
from survey_app.extensions import db
from survey_app.models import Response, Survey
from survey_app.public import views
from tests.conftest import FULL_ANSWERS, Respondent, csrf_token


def reach_issues_page(respondent: Respondent) -> None:
    respondent.start("?lang=es")
    for answers in FULL_ANSWERS[:3]:
        respondent.answer(**answers)
    assert respondent.path.endswith("/4")


def test_public_caches_page_is_rendered_once_for_everyone_who_reaches_it_alike(app, monkeypatch):
    renders: list[str] = []
    original = views.render_template

    def counting(name, **context):
        renders.append(name)
        return original(name, **context)

    monkeypatch.setattr(views, "render_template", counting)
    first, second = Respondent(app.test_client()), Respondent(app.test_client())
    reach_issues_page(first)
    reach_issues_page(second)
    assert renders.count("public/page.html") == 4  # pages 1 to 4, rendered for the first respondent only
    first_token, second_token = csrf_token(first.page.text), csrf_token(second.page.text)
    assert first_token != second_token
    assert first.page.text.replace(first_token, "") == second.page.text.replace(second_token, "")
    assert first.page.text.count(first_token) == 1 and second_token not in first.page.text


def test_public_caches_each_respondent_submits_with_own_token_only(app):
    first, second = Respondent(app.test_client()), Respondent(app.test_client())
    reach_issues_page(first)
    reach_issues_page(second)
    stolen = {"csrf_token": csrf_token(first.page.text), "action": "next", **FULL_ANSWERS[3]}
    refused = second.client.post(second.path, data=stolen)
    assert refused.status_code == 200 and "Se acabó el tiempo de esta página" in refused.text
    for respondent in (first, second):
        respondent.answer(**FULL_ANSWERS[3])
        respondent.answer(**FULL_ANSWERS[4])
        assert respondent.path.endswith("/thanks")
    assert db.session.scalar(select(func.count()).select_from(Response)) == 2


def test_public_caches_saved_answers_show_when_going_back(app, respondent):
    reach_issues_page(respondent)
    respondent.answer(**FULL_ANSWERS[3])
    page = respondent.answer(action="back")
    assert respondent.path.endswith("/4")
    assert all(f'value="{code}" checked' in page.text for code in FULL_ANSWERS[3]["top_issues"])
    other = Respondent(app.test_client())
    reach_issues_page(other)
    assert 'checked' not in other.page.text.split('name="top_issues"', 1)[1].split("</fieldset>", 1)[0]


def test_public_caches_a_change_through_storage_is_seen_at_once(app, client):
    assert "Empezar" in client.get("/s/family-voices?lang=es").text
    storage.set_survey_status(db.session.scalar(select(Survey)), "closed")
    assert "Empezar" not in client.get("/s/family-voices?lang=es").text


def test_public_caches_another_workers_change_is_seen_when_the_copy_expires(app, client):
    now = [0.0]
    app.extensions["public_surveys"] = surveys.PublicSurveys(seconds=5, timer=lambda: now[0])
    assert "Empezar" in client.get("/s/family-voices?lang=es").text
    # Another process closes the survey: this one does not hear of it.
    db.session.execute(Survey.__table__.update().values(status="closed"))
    db.session.commit()
    assert "Empezar" in client.get("/s/family-voices?lang=es").text
    now[0] += 6
    assert "Empezar" not in client.get("/s/family-voices?lang=es").text


def test_public_caches_welcome_page_is_rendered_once_per_language(app, monkeypatch):
    renders: list[str] = []
    original = views.render_template

    def counting(name, **context):
        renders.append(name)
        return original(name, **context)

    monkeypatch.setattr(views, "render_template", counting)
    first, second = app.test_client(), app.test_client()
    pages = [client.get("/s/family-voices?lang=ar&ref=mira") for client in (first, second)]
    assert renders.count("public/start.html") == 1
    tokens = [csrf_token(page.text) for page in pages]
    assert tokens[0] != tokens[1]
    assert pages[0].text.replace(tokens[0], "") == pages[1].text.replace(tokens[1], "")
    # The language menu carries no query, so the page is the same for every link; the partner the
    # link named is remembered for the visit instead.
    assert "ref=mira" not in pages[0].text
    with first.session_transaction() as session:
        assert session["refs"]["family-voices"] == "mira"
    assert 'lang="so"' not in first.get("/s/family-voices?lang=ar&ref=nyic").text.split("<main")[1]
    assert renders.count("public/start.html") == 1  # another partner's link is the same page
    with first.session_transaction() as session:
        assert session["refs"]["family-voices"] == "nyic"


def test_public_caches_welcome_page_shows_continue_only_to_those_with_a_draft(app, client):
    respondent = Respondent(client)
    respondent.start()
    assert "Continue where I stopped" in client.get("/s/family-voices").text
    assert "Continue where I stopped" not in app.test_client().get("/s/family-voices").text


def test_public_caches_page_references_are_worked_out_once_per_version(app, monkeypatch):
    """Which answers change a page is read from its texts once per survey version, in the app's
    `version_cache`, not on every page a respondent opens."""
    worked_out: list[int] = []
    original = surveys.piping.page_references

    def counting(definition, index):
        worked_out.append(index)
        return original(definition, index)

    monkeypatch.setattr(surveys.piping, "page_references", counting)
    first, second = Respondent(app.test_client()), Respondent(app.test_client())
    reach_issues_page(first)
    pages = len(worked_out)
    reach_issues_page(second)
    assert pages >= 4 and worked_out == list(range(pages))
