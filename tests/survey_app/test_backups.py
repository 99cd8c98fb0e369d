"""`backup` and `restore`: a database with responses, drafts, sealed contacts and users,
backed up, emptied, restored, and found whole."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text

from survey_app import storage
from survey_app.contacts import unseal
from survey_app.extensions import db
from survey_app.models import Answer, Contact, Draft, Partner, Response, Survey, SurveyVersion, User
from tests.conftest import FULL_ANSWERS, Respondent, csrf_token

TABLES = (Survey, SurveyVersion, Partner, User, Response, Answer, Draft, Contact)


def counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in TABLES}


@pytest.fixture
def filled(app):
    """Two finished responses (one with a contact), one unfinished, and a staff user."""
    app.config["CONTACT_KEY"] = Fernet.generate_key().decode()
    for _ in range(2):
        respondent = Respondent(app.test_client())
        respondent.start("?ref=mira")
        for answers in FULL_ANSWERS:
            respondent.answer(**answers)
    contact = respondent.client.get("/s/family-voices/contact")
    respondent.client.post("/s/family-voices/contact", data={
        "csrf_token": csrf_token(contact.text), "agree": "y", "name": "Amina", "phone": "+1 612 555 0100"})
    unfinished = Respondent(app.test_client())
    unfinished.start()
    unfinished.answer(role="parent", state="MN")
    storage.create_user("lead@example.org", "a long enough password", "staff")
    return app


def test_backups_restore_into_an_empty_database_finds_everything(filled, runner, tmp_path):
    before = counts()
    assert before["responses"] == 2 and before["drafts"] == 1 and before["contacts"] == 1
    answers_before = sorted(db.session.execute(select(Answer.response_id, Answer.question, Answer.value)).all())
    sealed_before = db.session.scalar(select(Contact.sealed))
    out = tmp_path / "survey.backup"

    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0

    db.session.remove()
    db.drop_all()
    assert db.session.execute(text("SELECT 1")).scalar() == 1
    refused = runner.invoke(args=["restore", str(tmp_path / "no-such-file")])
    assert refused.exit_code != 0 and "no backup file" in refused.output

    result = runner.invoke(args=["restore", str(out)])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert counts() == before
    assert sorted(db.session.execute(select(Answer.response_id, Answer.question, Answer.value)).all()) == answers_before
    contact = db.session.scalar(select(Contact))
    assert contact.sealed == sealed_before  # still sealed, and opens with the same key
    assert unseal(contact.sealed).phone == "+1 612 555 0100"
    user = db.session.scalar(select(User).where(User.email == "lead@example.org"))
    assert storage.password_hasher().verify(user.password_hash, "a long enough password")


def test_backups_restore_refuses_a_database_that_holds_data(filled, runner, tmp_path):
    out = tmp_path / "survey.backup"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    result = runner.invoke(args=["restore", str(out)])
    assert result.exit_code != 0
    assert "not empty" in result.output
    assert counts()["responses"] == 2
