"""Reading a respondent's draft: the answers kept on the server while a survey is in progress,
and whether it has become a response. Every page of the survey reads it, so the reads are built once."""
from __future__ import annotations

import json
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select

from analysis.read import PLACEHOLDERS

from .config import READS
from .extensions import db
from .models import Draft


class SavedDraft(NamedTuple):
    id: str
    survey_version_id: int
    partner_id: int | None
    channel: str
    answers: dict[str, Any]


_DRAFTS = Draft.__table__
# Through the ORM, reading the draft cost a third of a page view.
_TO_UPDATE = select(_DRAFTS.c.id, _DRAFTS.c.survey_version_id, _DRAFTS.c.partner_id, _DRAFTS.c.channel,
                    _DRAFTS.c.answers).where(_DRAFTS.c.id == bindparam("draft_id"))
# The same for the driver's own cursor: with SQLAlchemy's statement machinery it took three times as long.
_SHOWN = "SELECT id, survey_version_id, partner_id, channel, answers FROM drafts WHERE id = {}"
# A submitted draft is a response with the draft's id (`storage.submit_draft`).
_SUBMITTED = "SELECT 1 FROM responses WHERE id = {}"


def _read_one(statement: str, draft_id: str) -> tuple | None:
    """One row of `statement` (one placeholder, the draft's id), from the driver's own cursor
    on a connection of its own, which starts no transaction (`config.engine_binds`).

    Connections for these reads are not checked before each use (`config.engine_binds`): one the
    database has dropped, after a restart say, fails here; the pool is then emptied and the read
    made again on a new connection. Any other error is raised as it is."""
    engine = db.engines.get(READS, db.engine)
    sql = statement.format(PLACEHOLDERS[engine.dialect.paramstyle])
    for last_try in (False, True):
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(sql, (draft_id,))
            row: tuple | None = cursor.fetchone()
            cursor.close()
            return row
        except engine.dialect.loaded_dbapi.Error as error:
            if last_try or not engine.dialect.is_disconnect(error, connection.dbapi_connection, None):
                raise
            connection.invalidate()
            engine.dispose()  # every other pooled connection is as old as this one
        finally:
            connection.close()
    raise AssertionError("unreachable")


def shown(draft_id: str) -> SavedDraft | None:
    """The draft as a page shows it, read on a connection of its own."""
    row = _read_one(_SHOWN, draft_id)
    if row is None:
        return None
    answers = row[4]
    # SQLite hands JSON back as text; PostgreSQL's driver decodes it.
    return SavedDraft(row[0], row[1], row[2], row[3], json.loads(answers) if isinstance(answers, str) else answers)


def submitted(draft_id: str) -> bool:
    """Whether the draft has been sent and stored as a response (the thank-you page asks): read
    like `shown`, which took a third of the time of the ORM's `Session.get`."""
    return _read_one(_SUBMITTED, draft_id) is not None


def to_update(draft_id: str) -> SavedDraft | None:
    """The draft read in the session's transaction, which then saves or submits it."""
    row = db.session.connection().execute(_TO_UPDATE, {"draft_id": draft_id}).one_or_none()
    return SavedDraft(*row) if row is not None else None
