"""Retention: `flask purge --expired`, run daily from cron, deletes unfinished drafts
older than DRAFT_RETENTION_DAYS and contact details past their retention date."""
from __future__ import annotations

from datetime import timedelta

from cryptography.fernet import Fernet
from sqlalchemy import func, select, update

from survey_app.extensions import db
from survey_app.models import AuditEvent, Contact, ContactTicket, Draft, utcnow
from tests.conftest import FULL_ANSWERS, Respondent, csrf_token


def started_draft(app) -> str:
    respondent = Respondent(app.test_client())
    respondent.start()
    respondent.answer(**FULL_ANSWERS[0])
    return db.session.scalars(select(Draft.id).order_by(Draft.updated_at.desc())).first()


def test_retention_purge_expired_deletes_old_drafts_only(app, runner):
    app.config["DRAFT_RETENTION_DAYS"] = 7
    old, fresh = started_draft(app), started_draft(app)
    db.session.execute(update(Draft).where(Draft.id == old).values(updated_at=utcnow() - timedelta(days=8)))
    db.session.execute(update(Draft).where(Draft.id == fresh).values(updated_at=utcnow() - timedelta(days=6)))
    db.session.commit()
    result = runner.invoke(args=["purge", "--expired"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 unfinished draft(s)" in result.output
    assert set(db.session.scalars(select(Draft.id))) == {fresh}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "purged_expired")).one()
    assert event.detail["drafts"] == 1


def test_retention_purge_expired_deletes_expired_contacts_and_tickets(app, runner):
    app.config["CONTACT_KEY"] = Fernet.generate_key().decode()
    for name in ("Old", "New"):
        family = app.test_client()
        respondent = Respondent(family)
        respondent.start()
        for answers in FULL_ANSWERS:
            respondent.answer(**answers)
        page = family.get("/s/family-voices/contact")
        family.post("/s/family-voices/contact", data={"csrf_token": csrf_token(page.text), "agree": "y",
                                                      "name": name, "phone": "555"})
    unused = Respondent(app.test_client())
    unused.start()
    for answers in FULL_ANSWERS:
        unused.answer(**answers)
    assert db.session.scalar(select(func.count()).select_from(ContactTicket)) == 1
    contacts = db.session.scalars(select(Contact)).all()
    contacts[0].delete_on = utcnow().date() - timedelta(days=1)
    db.session.execute(update(ContactTicket).values(expires_on=utcnow().date() - timedelta(days=1)))
    db.session.commit()
    result = runner.invoke(args=["purge", "--expired"])
    assert result.exit_code == 0, result.output
    assert "1 contact record(s) and 1 unused contact ticket(s)" in result.output
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 1
    assert db.session.scalar(select(func.count()).select_from(ContactTicket)) == 0


def test_retention_purge_needs_to_be_told_what(runner):
    result = runner.invoke(args=["purge"])
    assert result.exit_code != 0 and "--expired" in result.output
