"""Paper mode: the printable survey in each language, and keying completed forms in."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forms.survey import Survey as SurveyDefinition
from forms.expressions import parse
from survey_app import storage, surveys
from survey_app.extensions import db
from survey_app.models import Answer, Partner, Response, Survey
from survey_app.partner.paper import SkipRule, paper_parts, question_numbers, skip_rule
from tests.conftest import csrf_token

PASSWORD = "a long enough password"
ENTER = "/partner/surveys/family-voices/enter"
FORM = {
    "form_language": "so", "role": "parent", "state": "MN", "grade_bands": ["k5"], "child_el": "yes",
    "home_languages": ["so", "en"], "top_issues": ["language_access", "safety"],
    "school_communication": "3", "interpreter_offered": "never", "one_change": "Waxaan u baahanahay turjumaan.",
}


@pytest.fixture
def mira_user(app):
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    return storage.create_user("mira@example.org", PASSWORD, "partner", mira)


@pytest.fixture
def partner_client(client, mira_user):
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": "mira@example.org",
                                "password": PASSWORD})
    return client


def definition() -> SurveyDefinition:
    return surveys.parsed(surveys.newest_version("family-voices"))


def enter(client, **changes):
    page = client.get(ENTER)
    data = {**FORM, **changes}
    return client.post(ENTER, data={"csrf_token": csrf_token(page.text), **{k: v for k, v in data.items()
                                                                              if v is not None}})


def stored(response_id: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for question, value in db.session.execute(select(Answer.question, Answer.value)
                                              .where(Answer.response_id == response_id)):
        found.setdefault(question, []).append(value)
    return found


@pytest.mark.parametrize("lang, direction", [("en", "ltr"), ("es", "ltr"), ("zh-Hans", "ltr"), ("ar", "rtl"),
                                             ("ur", "rtl"), ("ckb", "rtl"), ("prs", "rtl"), ("ksw", "ltr")])
def test_partner_paper_form_prints_in_each_language(partner_client, lang, direction):
    page = partner_client.get(f"/partner/surveys/family-voices/paper/{lang}")
    assert page.status_code == 200
    assert f'<html lang="{lang}" dir="{direction}">' in page.text
    survey = definition()
    assert f"<title>{survey.text(survey.title, lang)}</title>" in page.text
    role_label = survey.text(survey.questions["role"].label, lang)
    assert role_label in page.text
    assert "<script" not in page.text and "style=" not in page.text
    assert 'href="/static/paper.css?v=' in page.text


def test_partner_paper_form_has_marks_codes_lines_and_skips(partner_client):
    page = partner_client.get("/partner/surveys/family-voices/paper/en").text
    # One circle per single-choice answer, one box per multiple-choice answer.
    survey = definition()
    circles = sum(len(q.choices) for q in survey.questions.values() if q.type == "select_one")
    boxes = sum(len(q.choices) for q in survey.questions.values() if q.type == "select_multiple")
    assert page.count("◯") == circles and page.count("☐") == boxes
    assert '<span class="code" dir="ltr">role</span>' in page
    assert '<span class="code" dir="ltr">language_access</span>' in page
    assert re.search(r'<span class="number">1\.</span> Which best describes you\?', page)
    assert page.count('<div class="line"></div>') == 1 + 1 + 4  # two "other" answers and the one change
    assert "Answer only if you chose this answer in question 2:" in page  # "Which state?" follows "Another state"
    assert "Answer the questions in this part only if you chose one of these answers in question 1:" in page
    assert "<li>Parent or guardian</li><li>Student</li>" in page
    assert "Fill in this form with a pen." in page


@pytest.mark.parametrize("path", ["/partner/surveys/family-voices/paper/fr", "/partner/surveys/family-voices/paper/xx",
                                  "/partner/surveys/no-such-survey/paper/en", "/partner/surveys/no-such-survey/paper",
                                  "/partner/surveys/no-such-survey/enter"])
def test_partner_paper_unknown_survey_or_language_is_404(partner_client, path):
    assert partner_client.get(path).status_code == 404


def test_partner_paper_switched_off_language_is_not_printed(partner_client):
    storage.set_survey_languages(db.session.scalars(select(Survey)).one(), ["en", "es"])
    assert partner_client.get("/partner/surveys/family-voices/paper/es").status_code == 200
    assert partner_client.get("/partner/surveys/family-voices/paper/ar").status_code == 404
    index = partner_client.get("/partner/surveys/family-voices/paper").text
    assert "/paper/es" in index and "/paper/ar" not in index


@pytest.mark.parametrize("source, expected", [
    ("${role} = 'parent' or ${role} = 'student'", SkipRule(1, ("Parent or guardian", "Student"))),
    ("'parent' = ${role}", SkipRule(1, ("Parent or guardian",))),
    ("selected(${home_languages}, 'other')", SkipRule(6, ("Another language",))),
    ("${state} = 'other'", SkipRule(2, ("Another state",))),
    ("${role} = 'parent' and ${state} = 'MN'", SkipRule(None)),
    ("${role} = 'parent' or ${state} = 'MN'", SkipRule(None)),
    ("${role} = 'no_such_choice'", SkipRule(None)),
    ("${role} != 'parent'", SkipRule(None)),
])
def test_partner_paper_skip_rule_in_words(app, source, expected):
    survey = definition()
    assert skip_rule(parse(source), survey, question_numbers(survey), "en") == expected


def test_partner_paper_parts_number_questions_once(app):
    parts = paper_parts(definition(), "es")
    numbers = [item.number for part in parts for item in part.questions]
    assert numbers == list(range(1, len(numbers) + 1))
    assert parts[1].skip == SkipRule(1, ("Padre, madre o tutor", "Estudiante"))


def test_partner_paper_entry_stores_paper_response(app, partner_client, mira_user):
    page = partner_client.get(ENTER)
    assert page.status_code == 200
    assert re.search(r'<input class="choice-input" id="role-0" name="role" type="radio" value="parent" autofocus>',
                     page.text)
    assert page.text.count("autofocus") == 1
    assert "<code>language_access</code>" in page.text and "0 forms entered in this session." in page.text
    reply = enter(partner_client)
    assert reply.status_code == 302 and reply.location.endswith(f"{ENTER}?form_language=so")
    response = db.session.scalars(select(Response)).one()
    assert (response.channel, response.partner.code, response.language, response.entered_by_id) == (
        "paper", "mira", "so", mira_user.id)
    assert stored(response.id) == {
        "role": ["parent"], "state": ["MN"], "grade_bands": ["k5"], "child_el": ["yes"],
        "home_languages": ["so", "en"], "top_issues": ["language_access", "safety"],
        "school_communication": ["3"], "interpreter_offered": ["never"],
        "one_change": ["Waxaan u baahanahay turjumaan."],
    }
    after = partner_client.get(reply.location)
    assert "Saved. Enter the next form." in after.text
    assert "1 form entered in this session." in after.text
    assert "checked" not in after.text and "turjumaan" not in after.text
    assert '<option value="so" selected>' in after.text
    enter(partner_client, form_language="ar")
    assert "2 forms entered in this session." in partner_client.get(ENTER).text
    assert db.session.scalar(select(func.count()).select_from(Response)) == 2


def test_partner_paper_entry_errors_keep_everything_typed(app, partner_client):
    reply = enter(partner_client, state=None, one_change="<b>Más intérpretes</b>")
    assert reply.status_code == 200
    assert "This form was not saved" in reply.text and "Question 2: Choose the state you live in." in reply.text
    assert 'href="#state-0"' in reply.text
    assert re.search(r'<div class="error-summary"[^>]*autofocus>', reply.text)
    assert reply.text.count("autofocus") == 1
    for code in ("parent", "k5", "yes", "so", "en", "language_access", "safety", "3", "never"):
        assert f'value="{code}" checked' in reply.text
    assert "&lt;b&gt;Más intérpretes&lt;/b&gt;</textarea>" in reply.text
    assert '<option value="so" selected>' in reply.text
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


@pytest.mark.parametrize("changes, error", [
    ({"top_issues": ["safety", "newcomers", "prek_access", "public_data"]}, "Question 8: Choose no more than 3 issues."),
    ({"top_issues": None}, "Question 8: Choose at least one issue."),
    ({"top_issues": ["safety", "not_an_issue"]}, "Question 8: Choose from the answers shown."),
    ({"state": "other"}, "Question 3: Write the name of your state."),
    ({"state": "other", "state_other": "x" * 61}, "Question 3: Write 60 letters or fewer."),
    ({"role": None}, "Question 1: Choose the answer that best describes you."),
    ({"form_language": "xx"}, "Choose the language the paper form is in."),
    ({"form_language": None}, "Choose the language the paper form is in."),
])
def test_partner_paper_entry_checks_the_survey_rules(app, partner_client, changes, error):
    reply = enter(partner_client, **changes)
    assert reply.status_code == 200
    assert error in reply.text
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_partner_paper_entry_keeps_only_relevant_answers(app, partner_client):
    reply = enter(partner_client, role="community", state="other", state_other="Oregon", grade_bands=["prek"])
    assert reply.status_code == 302
    answers = stored(db.session.scalars(select(Response)).one().id)
    assert answers["state_other"] == ["Oregon"]
    assert "grade_bands" not in answers and "child_el" not in answers  # that part is for parents and students


def test_partner_paper_entry_needs_the_form_token(app, partner_client):
    reply = partner_client.post(ENTER, data=FORM)
    assert reply.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
