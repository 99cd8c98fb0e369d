"""The respondent's writes in `storage`, on the real database."""
from __future__ import annotations

from sqlalchemy import func, select

from survey_app import drafts, storage, surveys
from survey_app.extensions import db
from survey_app.models import Answer, Draft, Response
from tests.conftest import FULL_ANSWERS


def test_storage_a_draft_submitted_twice_at_once_is_stored_once(app, respondent):
    respondent.start()
    for answers in FULL_ANSWERS[:-1]:
        respondent.answer(**answers)
    with respondent.client.session_transaction() as session:
        draft_id = session["drafts"]["family-voices"]
    definition = surveys.public_survey("family-voices").definition
    # Two tries of the last page that both read the draft before either stored it.
    first_read = drafts.to_update(draft_id)
    db.session.rollback()
    second_read = drafts.to_update(draft_id)
    db.session.rollback()

    first = storage.submit_draft(first_read, definition, {**first_read.answers, **FULL_ANSWERS[-1]}, "en")
    answers_stored = db.session.scalar(select(func.count()).select_from(Answer))
    second = storage.submit_draft(second_read, definition, {**second_read.answers, **FULL_ANSWERS[-1]}, "en")

    assert first == second == draft_id
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert db.session.scalar(select(func.count()).select_from(Answer)) == answers_stored > 0
    assert db.session.get(Draft, draft_id) is None
