"""Only responses that the survey's definition accepts are stored, whatever is posted:
later pages first, Back with answers the page would refuse, unknown codes, long text."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from forms.answer_checks import TEXT_LIMIT
from forms.builder import page_form_to_fix
from survey_app import storage, surveys
from survey_app.cli.survey_files import read_definition
from survey_app.extensions import db
from survey_app.models import Answer, Draft, Response
from tests.conftest import FULL_ANSWERS, Respondent, csrf_token


@pytest.fixture
def chain(app):
    storage.load_survey(read_definition(Path("tests/data/skip-chain.yaml")))
    return Respondent(app.test_client(), "skip-chain")


def stored_responses() -> list[dict]:
    stored: dict[str, dict] = {}
    for answer in db.session.scalars(select(Answer)):
        values = stored.setdefault(answer.response_id, {})
        values.setdefault(answer.question, []).append(answer.value)
    return list(stored.values())


def assert_every_stored_response_is_acceptable(slug: str) -> None:
    """Each stored response, read back, passes the same check as a submission."""
    definition = surveys.public_survey(slug).definition
    for response in db.session.scalars(select(Response)):
        answers: dict = {}
        for answer in response.answers:
            question = definition.questions[answer.question]
            if question.multiple:
                answers.setdefault(answer.question, []).append(answer.value)
            else:
                answers[answer.question] = answer.value
        assert page_form_to_fix(definition, answers, "en") is None, answers


def post(respondent: Respondent, number: int, action: str = "next", **answers):
    """POST to any page number, with the token of the page last shown."""
    data = {"csrf_token": csrf_token(respondent.page.text), "action": action, **answers}
    respondent.page = respondent.client.post(f"/s/{respondent.slug}/{number}", data=data, follow_redirects=True)
    return respondent.page


def test_response_checks_posting_the_last_page_first_stores_nothing(app, respondent):
    respondent.start()
    page = post(respondent, 5, **FULL_ANSWERS[-1])
    assert db.session.scalar(select(Response)) is None
    # The family is shown the first page to fix, with the reason, in their language.
    assert page.request.path == "/s/family-voices/1"
    assert "There is a problem" in page.text
    assert "Answer this question." in page.text or 'class="error-message"' in page.text
    # What they answered on the last page is kept for when they get there.
    assert db.session.scalar(select(Draft)).answers["school_communication"] == "2"


def test_response_checks_skipping_a_middle_page_shows_it_again(app, respondent):
    respondent.start()
    for answers in FULL_ANSWERS[:2]:
        respondent.answer(**answers)
    page = post(respondent, 5, **FULL_ANSWERS[-1])  # pages 3 and 4 never answered
    assert db.session.scalar(select(Response)) is None
    assert page.request.path == "/s/family-voices/3"
    for answers in FULL_ANSWERS[2:]:
        respondent.answer(**answers)
    assert respondent.path == "/s/family-voices/thanks"
    assert_every_stored_response_is_acceptable("family-voices")


def test_response_checks_back_keeps_an_unfinished_page_but_not_what_it_refuses(app, respondent):
    respondent.start()
    respondent.answer("back", role="parent", state="XX", state_other="x" * 50_000)
    draft = db.session.scalar(select(Draft))
    assert draft.answers["role"] == "parent"  # kept for when they come back
    assert draft.answers["state"] is None  # not a choice of the question
    assert len(draft.answers["state_other"]) == TEXT_LIMIT
    respondent.start()
    for number, answers in enumerate(FULL_ANSWERS[1:], start=2):
        post(respondent, number, **answers)
    assert db.session.scalar(select(Response)) is None
    assert respondent.path == "/s/family-voices/1"


@pytest.mark.parametrize(("answers", "message"), [
    ({"top_issues": ["safety", "bogus"]}, "Choose from the answers shown."),
    ({"top_issues": ["safety", "newcomers", "prek_access", "public_data"]}, "Choose no more than 3 issues."),
])
def test_response_checks_a_page_refuses_codes_and_counts_the_definition_refuses(app, respondent, answers, message):
    respondent.start()
    for page_answers in FULL_ANSWERS[:3]:
        respondent.answer(**page_answers)
    page = respondent.answer(**answers)
    assert message in page.text
    assert respondent.path == "/s/family-voices/4"


def test_response_checks_text_over_the_limit_is_refused_with_its_length(app, respondent):
    respondent.start()
    respondent.answer(role="parent", state="other", state_other="x" * (TEXT_LIMIT + 5))
    assert f"Write no more than {TEXT_LIMIT} characters. You wrote {TEXT_LIMIT + 5}." in respondent.page.text
    assert 'maxlength="2000"' in respondent.page.text


def test_response_checks_a_chain_changed_on_the_way_back_keeps_only_what_counts(app, chain):
    chain.start()
    chain.answer(a="yes", d="first")
    chain.answer(b="yes", c="yes")
    chain.answer(colours=["red"])
    assert chain.path == "/s/skip-chain/4"
    # Back to the start, where `a` becomes no: `b`, `c` and the colours page no longer count.
    chain.answer("back")
    chain.answer("back")
    chain.answer("back")
    assert chain.path == "/s/skip-chain/1"
    chain.answer(a="no")
    assert chain.path == "/s/skip-chain/4"  # the pages behind `a` = yes are not shown
    chain.answer(comment="done")
    assert chain.path == "/s/skip-chain/thanks"
    assert stored_responses() == [{"a": ["no"], "comment": ["done"]}]


def test_response_checks_a_chain_posted_out_of_order_is_checked_as_a_whole(app, chain):
    chain.start()
    post(chain, 2, b="yes", c="yes")  # a page that the (missing) answers do not lead to
    assert db.session.scalar(select(Draft)).answers == {}
    chain.page = chain.client.get("/s/skip-chain/1")
    chain.answer(a="yes", d="x")
    post(chain, 3, colours=["red", "blue", "green"])  # too many, and page 2 never answered
    post(chain, 4, comment="hello")
    assert db.session.scalar(select(Response)) is None
    assert chain.path == "/s/skip-chain/2"
    chain.answer(b="yes", c="yes")
    chain.answer(colours=["red", "blue", "green"])
    assert "There is a problem" in chain.page.text
    chain.answer(colours=["red", "blue"])
    chain.answer(comment="hello")
    assert chain.path == "/s/skip-chain/thanks"
    assert_every_stored_response_is_acceptable("skip-chain")
