"""Drafts ready to be submitted, for measuring the last page's POST on its own.

One respondent answers pages 1 to 4 through the running server. Its draft is then copied,
each copy with its own signed session cookie, so that the load generator can send the last
page of a different draft with every request: each request is a real submission (the draft becomes a
response with its answers, exactly once), and nothing but the last POST is timed.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import func, insert, select

from survey_app import create_app
from survey_app.extensions import db, dispose_engines
from survey_app.models import Draft, Response, utcnow

from .flow import SLUG


@contextmanager
def app_for(database_url: str) -> Iterator[Flask]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            dispose_engines()


def copy_draft(database_url: str, cookie: str, count: int) -> list[str]:
    """Store `count` copies of the draft the session `cookie` points at; returns a session
    cookie for each copy (the same session, pointing at the copy)."""
    with app_for(database_url) as app:
        serializer = app.session_interface.get_signing_serializer(app)
        session: dict[str, Any] = serializer.loads(cookie)
        original = db.session.get(Draft, session["drafts"][SLUG])
        now = utcnow()
        rows = [{"id": str(uuid.uuid4()), "survey_version_id": original.survey_version_id,
                 "partner_id": original.partner_id, "language": original.language,
                 "channel": original.channel, "answers": dict(original.answers), "updated_at": now}
                for _ in range(count)]
        # A fixture, not an application write: the copies stand for drafts made page by page.
        for start in range(0, count, 2000):
            db.session.execute(insert(Draft), rows[start:start + 2000])
        db.session.commit()
        return [serializer.dumps({**session, "drafts": {**session["drafts"], SLUG: row["id"]}}) for row in rows]


def count_responses(database_url: str) -> int:
    with app_for(database_url):
        return db.session.scalar(select(func.count()).select_from(Response))
