"""Contact details cannot be joined to answers: nothing about a contact is finer than a
day, lists are not in the order people answered, and one completed survey leaves at
most one contact however often its form is posted."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text

from survey_app import create_app, storage
from survey_app.config import PROJECT_ROOT
from survey_app.extensions import db, dispose_engines
from survey_app.models import Contact, Response
from tests.conftest import FULL_ANSWERS, Respondent, csrf_token

PASSWORD = "a long enough password"
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


@pytest.fixture
def keyed_app(app):
    app.config["CONTACT_KEY"] = Fernet.generate_key().decode()
    return app


def finish_survey(client) -> None:
    respondent = Respondent(client)
    respondent.start("?ref=mira")
    for answers in FULL_ANSWERS:
        respondent.answer(**answers)


def leave_contact(client, name: str):
    page = client.get("/s/family-voices/contact")
    return client.post("/s/family-voices/contact", data={"csrf_token": csrf_token(page.text), "agree": "y",
                                                          "name": name, "phone": "+1 612 555 0100"})


def families_answer_and_leave_contacts(app, count: int) -> list[str]:
    names = []
    for number in range(count):
        family = app.test_client()
        finish_survey(family)
        assert leave_contact(family, f"Family{number:02d}").status_code == 302
        names.append(f"Family{number:02d}")
    return names


def test_contacts_privacy_no_stored_value_times_a_contact(keyed_app):
    families_answer_and_leave_contacts(keyed_app, 3)
    # The join attack: a contact's time next to the responses' times.
    rows = db.session.execute(text("SELECT * FROM contacts")).mappings().all()
    assert len(rows) == 3
    for row in rows:
        for column, value in row.items():
            assert not isinstance(value, datetime), (column, value)
            assert not (isinstance(value, str) and TIMESTAMP.search(value)), (column, value)
    columns = {c["name"]: c["type"] for c in inspect(db.engine).get_columns("contacts")}
    assert not any("TIME" in str(kind).upper() for kind in columns.values()), columns


def test_contacts_privacy_admin_list_is_not_in_answering_order(keyed_app):
    names = families_answer_and_leave_contacts(keyed_app, 12)
    storage.create_user("admin@example.org", PASSWORD, "admin")
    admin = keyed_app.test_client()
    page = admin.get("/login")
    admin.post("/login", data={"csrf_token": csrf_token(page.text), "email": "admin@example.org",
                               "password": PASSWORD})
    listed = re.findall(r"Family\d\d", admin.get("/staff/contacts").text)
    assert sorted(listed) == names
    # Submission order, forwards or backwards, would pair the n-th contact with the n-th response.
    answered = [r.id for r in db.session.scalars(select(Response).order_by(Response.submitted_at))]
    assert len(answered) == 12
    assert listed != names and listed != names[::-1]


def test_contacts_privacy_one_contact_per_completed_response(keyed_app):
    family = keyed_app.test_client()
    finish_survey(family)
    before = family.get_cookie("session").value
    assert leave_contact(family, "Amina").status_code == 302
    assert family.get("/s/family-voices/contact").location.endswith("/contact/saved")
    token = csrf_token(family.get("/s/family-voices/thanks").text)
    again = family.post("/s/family-voices/contact", data={"csrf_token": token, "agree": "y", "name": "Amina again",
                                                          "phone": "+1 612 555 0100"})
    assert again.status_code == 302 and again.location.endswith("/contact/saved")
    for number in range(5):
        replay = keyed_app.test_client()
        replay.set_cookie("session", before)
        assert leave_contact(replay, f"Copy{number}").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 1
    # Answering the survey again is a new response, with a contact of its own.
    page = family.get("/s/family-voices/thanks")
    family.post("/s/family-voices/again", data={"csrf_token": csrf_token(page.text)})
    finish_survey(family)
    assert leave_contact(family, "Amina, second survey").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 2


def test_contacts_privacy_migration_keeps_contacts_by_day(database_url, monkeypatch):
    monkeypatch.setenv("SURVEY_ENV", "testing")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test"})
    migrations = str(PROJECT_ROOT / "migrations")
    with app.app_context():
        try:
            upgrade(directory=migrations, revision="0003_accounts_audit_contacts")
            with db.engine.begin() as connection:
                connection.execute(text("INSERT INTO surveys (id, slug, status, created_at, public_results) "
                                        "VALUES (1, 'old', 'open', '2026-01-01 00:00:00', :no)"), {"no": False})
                for number, delete_after in enumerate(["2027-03-04 10:11:12.123456", None]):
                    connection.execute(text(
                        "INSERT INTO contacts (id, survey_id, language, sealed, created_at, delete_after) "
                        "VALUES (:id, 1, 'so', :sealed, '2026-03-04 10:11:12.123456', :delete_after)"),
                        {"id": f"contact-{number}", "sealed": b"sealed", "delete_after": delete_after})
            upgrade(directory=migrations, revision="0005_contact_day")
            columns = {c["name"] for c in inspect(db.engine).get_columns("contacts")}
            assert "created_at" not in columns and "delete_after" not in columns
            kept = {c.id: c.delete_on for c in db.session.scalars(select(Contact))}
            assert kept == {"contact-0": date(2027, 3, 4), "contact-1": None}
            db.session.remove()
            downgrade(directory=migrations, revision="0003_accounts_audit_contacts")
            with db.engine.connect() as connection:
                assert connection.execute(text("SELECT count(*) FROM contacts")).scalar() == 2
        finally:
            db.session.remove()
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            dispose_engines()
