"""A database error neither writes what was stored into the error log nor leaves the request broken."""
from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from survey_app import storage
from survey_app.extensions import db
from survey_app.models import User

PASSWORD = "a long enough password"


def test_database_errors_name_no_value_in_their_message(app):
    # Flask logs an unhandled error with its message: it must not carry addresses, hashes or answers.
    storage.create_user("first@example.org", PASSWORD, "staff")
    with pytest.raises(IntegrityError) as raised:
        db.session.execute(insert(User).values(email="first@example.org", password_hash="argon2-hash-secret",
                                               role="staff", session_version=1, active=True))
    db.session.rollback()
    message = str(raised.value)
    assert "INSERT INTO users" in message
    # PostgreSQL's own detail names the duplicated key (here the address); no other value may appear.
    assert "argon2-hash-secret" not in message
    assert "first@example.org" not in message.replace("(email)=(first@example.org)", "")


def test_database_errors_the_same_user_added_twice_at_once_is_refused_cleanly(app):
    # Two staff adding the same partner user at the same moment both pass the form's check; the second insert
    # must be refused with a clear error, and the session must still work for the page that says so.
    first = storage.create_user("same@example.org", PASSWORD, "staff")
    with pytest.raises(storage.UserExists):
        storage.create_user("Same@example.org ", "another password here", "staff")
    assert db.session.scalars(select(User.email)).all() == ["same@example.org"]
    assert db.session.get(User, first.id).password_hash == first.password_hash
