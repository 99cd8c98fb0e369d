"""Whatever arrives at the submission endpoints, the answer is a clear 4xx or a
correctly stored response, never a server error."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer, Response
from tests.conftest import Respondent, csrf_token

QUESTIONS = ["role", "state", "state_other", "grade_bands", "child_el", "home_languages", "home_language_other",
             "top_issues", "school_communication", "interpreter_offered", "one_change", "action", "website"]
CODES = ["parent", "MN", "other", "k5", "yes", "so", "safety", "3", "always", "next", "back", "language_access",
         "prek_access", "newcomers", "public_data"]
ODD_TEXT = st.text(alphabet=st.sampled_from(["a", "é", "ع", "\u200f", "\u200d", "\u202e", "😀", "\x00", "\n", " ", "=",
                                             "<", "'", '"', ";", "中", "ᱚ"]), max_size=60)
VALUES = st.one_of(st.sampled_from(CODES), ODD_TEXT, st.text(max_size=30), st.just("x" * 5000),
                   st.integers(-10**30, 10**30).map(str))
FIELDS = st.dictionaries(st.one_of(st.sampled_from(QUESTIONS), st.text(max_size=12)),
                         st.lists(VALUES, min_size=0, max_size=5), max_size=10)

ALLOWED = {"role": {"parent", "student", "school_staff", "community", "other"},
           "state": {"CA", "IL", "MA", "MN", "NY", "TN", "WA", "other"},
           "top_issues": None}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(page=st.integers(min_value=-1, max_value=7), fields=FIELDS, with_token=st.booleans())
def test_fuzz_survey_pages_never_fail(app, client, page, fields, with_token):
    respondent = Respondent(client)
    respondent.start()
    data = {key: value for key, value in fields.items()}
    if with_token:
        data["csrf_token"] = csrf_token(respondent.page.text)
    reply = client.post(f"/s/family-voices/{page}", data=data)
    assert reply.status_code < 500, reply.text[:500]
    assert reply.status_code in {200, 302, 400, 404, 405, 413, 429}
    for response in db.session.scalars(select(Response)):
        answers = db.session.scalars(select(Answer).where(Answer.response_id == response.id)).all()
        issues = [a.value for a in answers if a.question == "top_issues"]
        assert 1 <= len(issues) <= 3
        for answer in answers:
            assert "\x00" not in answer.value
            if answer.question in ALLOWED and ALLOWED[answer.question]:
                assert answer.value in ALLOWED[answer.question]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=FIELDS)
def test_fuzz_start_and_login_never_fail(app, client, fields):
    for path in ("/s/family-voices/start", "/login", "/s/family-voices/again"):
        reply = client.post(path, data=fields)
        assert reply.status_code < 500


def test_fuzz_nul_and_marks_in_free_text_are_stored_safely(app, respondent):
    respondent.start()
    respondent.answer(role="community", state="other", state_other="Ore\x00gon\u200f")
    respondent.answer(home_languages=["other"], home_language_other="ትግርኛ 😀")
    respondent.answer(top_issues=["safety"])
    respondent.answer(school_communication="3", interpreter_offered="always", one_change="\u202eevil\x00")
    values = set(db.session.scalars(select(Answer.value)))
    assert "Oregon\u200f" in values and "ትግርኛ 😀" in values and "\u202eevil" in values
