"""Follow-up contact details: only after a separate opt-in, sealed, apart from
answers, for admins only, and removable."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from survey_app import storage
from survey_app.extensions import db
from survey_app.models import Answer, Contact
from tests.conftest import FULL_ANSWERS, csrf_token


@pytest.fixture
def keyed_app(app):
    app.config["CONTACT_KEY"] = Fernet.generate_key().decode()
    return app


def finish_survey(respondent, query: str = "?ref=mira"):
    respondent.start(query)
    for answers in FULL_ANSWERS:
        respondent.answer(**answers)
    return respondent.page


def leave_contact(client, **fields):
    page = client.get("/s/family-voices/contact")
    return client.post("/s/family-voices/contact", data={"csrf_token": csrf_token(page.text), **fields})


def test_contacts_offered_only_after_answering_and_only_with_a_key(app, client, respondent):
    assert client.get("/s/family-voices/contact").status_code == 404
    thanks = finish_survey(respondent)
    assert "/s/family-voices/contact" not in thanks.text  # no key configured: not offered
    assert client.get("/s/family-voices/contact").status_code == 404


def test_contacts_are_sealed_and_kept_apart_from_answers(keyed_app, client, respondent):
    thanks = finish_survey(respondent)
    assert "/s/family-voices/contact" in thanks.text
    reply = leave_contact(client, agree="y", name="Amina", phone="+1 612 555 0100")
    assert reply.status_code == 302
    contact = db.session.scalars(select(Contact)).one()
    assert b"Amina" not in contact.sealed and b"555" not in contact.sealed
    assert {c.name for c in Contact.__table__.columns}.isdisjoint({"response_id", "answer_id"})
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.value.like("%Amina%"))) == 0
    from survey_app.contacts import unseal

    assert unseal(contact.sealed).phone == "+1 612 555 0100"


@pytest.mark.parametrize("fields, message", [
    ({"name": "A", "phone": "1"}, "Tick the box if you want to be contacted."),
    ({"agree": "y", "name": "Amina"}, "Give a phone number or an email address."),
    ({"agree": "y", "email": "not an email"}, "Enter an email address like name@example.com."),
])
def test_contacts_form_errors_keep_what_was_typed(keyed_app, client, respondent, fields, message):
    finish_survey(respondent)
    reply = leave_contact(client, **fields)
    assert reply.status_code == 200 and message in reply.text
    for value in fields.values():
        if value != "y":
            assert f'value="{value}"' in reply.text
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0


def test_contacts_visible_to_admins_only_and_purged(keyed_app, client, respondent, runner):
    finish_survey(respondent)
    leave_contact(client, agree="y", email="family@example.org")
    storage.create_user("admin@example.org", "a long enough password", "admin")
    storage.create_user("staff@example.org", "a long enough password", "staff")
    for email, status in [("staff@example.org", 403), ("admin@example.org", 200)]:
        other = keyed_app.test_client()
        page = other.get("/login")
        other.post("/login", data={"csrf_token": csrf_token(page.text), "email": email,
                                   "password": "a long enough password"})
        reply = other.get("/staff/contacts")
        assert reply.status_code == status
    assert "family@example.org" in reply.text
    result = runner.invoke(args=["purge-contacts", "--survey", "family-voices"])
    assert result.exit_code == 0 and "Deleted 1 contact record(s)." in result.output
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0


def test_contacts_retention_purge_removes_only_expired(keyed_app, client, respondent, runner):
    finish_survey(respondent)
    leave_contact(client, agree="y", email="family@example.org")
    contact = db.session.scalars(select(Contact)).one()
    assert runner.invoke(args=["purge-contacts", "--expired"]).output.startswith("Deleted 0")
    contact.delete_on = contact.delete_on.replace(year=contact.delete_on.year - 2)
    db.session.commit()
    assert runner.invoke(args=["purge-contacts", "--expired"]).output.startswith("Deleted 1")
