"""A failed log-in's audit entry, which every staff member reads, never holds what was
typed unless it is the well-formed address of an existing account."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app import storage
from survey_app.extensions import db
from survey_app.models import AuditEvent
from tests.conftest import csrf_token

PASSWORD = "a long enough password"


def failed_login_email(client, typed: str) -> str:
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": typed, "password": "wrong"})
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
    return events[-1].detail["email"]


@pytest.mark.parametrize("typed", [
    "staff@example.org\x00<script>alert(1)</script>",
    "Tr0ub4dor&3-horse-battery",  # a password typed into the email box
    "nobody@example.org",  # well formed, but no such account
    "'; DROP TABLE users; --",
])
def test_login_audit_keeps_only_a_hash_of_unknown_input(app, client, typed):
    storage.create_user("staff@example.org", PASSWORD, "staff")
    stored = failed_login_email(client, typed)
    assert stored.startswith("unknown, hash ") and len(stored) < 40, stored
    assert "\x00" not in stored and "script" not in stored and "Tr0ub4dor" not in stored and "nobody" not in stored
    page = app.test_client()
    page.post("/login", data={"csrf_token": csrf_token(page.get("/login").text), "email": "staff@example.org",
                              "password": PASSWORD})
    assert typed not in page.get("/staff/audit").text


def test_login_audit_names_an_existing_account_cleaned(app, client):
    storage.create_user("staff@example.org", PASSWORD, "staff")
    assert failed_login_email(client, "  Staff@Example.org ") == "staff@example.org"
