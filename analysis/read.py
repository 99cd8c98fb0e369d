"""Reading stored responses of one survey into the canonical analysis frame.

Plain SQL on the table and column names, so this package does not depend on the web
application's models and can run anywhere a database URL is available. Answers are read with
one streamed query, from the driver's cursor, and pivoted in pandas.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from analysis.definition import frame_columns, merged_definition
from analysis.frame import frame_from_long

__all__ = ["frame_columns", "read_responses", "survey_definitions"]

# Large enough to amortise round trips, small enough that one batch of tuples stays a few MB.
_BATCH = 100_000

_VERSIONS = text(
    """
    SELECT sv.version, sv.definition
    FROM survey_versions AS sv JOIN surveys AS s ON s.id = sv.survey_id
    WHERE s.slug = :slug
    ORDER BY sv.version DESC
    """
)
_RESPONSES = """
    SELECT r.id AS response_id, r.submitted_at, sv.version AS survey_version,
           r.language, p.code AS partner, r.channel
    FROM responses AS r
    JOIN survey_versions AS sv ON sv.id = r.survey_version_id
    JOIN surveys AS s ON s.id = sv.survey_id
    LEFT JOIN partners AS p ON p.id = r.partner_id
    WHERE s.slug = :slug {period}
    ORDER BY r.submitted_at, r.id
"""
# Ordered by answer id so that "last answer wins" for a repeated question is deterministic.
_ANSWERS = """
    SELECT a.response_id, a.question, a.value
    FROM answers AS a
    JOIN responses AS r ON r.id = a.response_id
    JOIN survey_versions AS sv ON sv.id = r.survey_version_id
    JOIN surveys AS s ON s.id = sv.survey_id
    WHERE s.slug = :slug {period}
    ORDER BY a.id
"""
_SINCE = " AND r.submitted_at >= :since"
_BEFORE = " AND r.submitted_at < :before"
# The DB-API's own placeholder for a parameter: sqlite3 ("qmark") and psycopg ("pyformat").
PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Millions of new tuples would otherwise set off the cyclic garbage collector again and
    again, each time walking every object read so far: reads took twice as long."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _connection(connectable: Engine | Connection) -> Iterator[Connection]:
    if isinstance(connectable, Connection):
        yield connectable
    else:
        with connectable.connect() as conn:
            yield conn


def _as_dict(stored: Any) -> dict[str, Any]:
    # JSON columns come back as dicts from PostgreSQL but as text from SQLite.
    if isinstance(stored, (str, bytes, bytearray)):
        decoded: dict[str, Any] = json.loads(stored)
        return decoded
    return dict(stored)


def survey_definitions(connectable: Engine | Connection, survey_slug: str) -> list[dict[str, Any]]:
    """Every stored definition of the survey, newest version first."""
    with _connection(connectable) as conn:
        rows = conn.execute(_VERSIONS, {"slug": survey_slug}).all()
    if not rows:
        raise LookupError(f"no stored versions for survey {survey_slug!r}")
    return [_as_dict(row.definition) for row in rows]


def _period(conn: Connection, since: datetime | None, before: datetime | None) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters limiting a read to responses submitted from `since` (included)
    to `before` (excluded); times are naive UTC, as stored."""
    sql, params = "", {}
    for bound, name, clause in ((since, "since", _SINCE), (before, "before", _BEFORE)):
        if bound is not None:
            sql += clause
            # SQLite keeps times as text in SQLAlchemy's format, which sorts as the times do.
            params[name] = bound.strftime("%Y-%m-%d %H:%M:%S.%f") if conn.dialect.name == "sqlite" else bound
    return sql, params


def _read_answers(conn: Connection, survey_slug: str, since: datetime | None = None,
                  before: datetime | None = None) -> pd.DataFrame:
    """The survey's answers as three columns of text. A million responses are about ten
    million answers, so they are fetched from the driver's own cursor in batches (building
    a SQLAlchemy row for each costs more than the rest of the read), and every text is
    interned: the same question name or choice code is then one string, not millions."""
    placeholder = PLACEHOLDERS[conn.dialect.paramstyle]
    driver = conn.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection has been closed")
    # PostgreSQL sends the rows as they are fetched only to a named (server-side) cursor.
    cursor = driver.cursor(name="survey_answers") if conn.dialect.name == "postgresql" else driver.cursor()
    ids: list[str] = []
    names: list[str] = []
    values: list[str] = []
    period, params = _period(conn, since, before)
    sql = _ANSWERS.format(period=period)
    for name in (":slug", *(f":{name}" for name in params)):
        sql = sql.replace(name, placeholder)
    try:
        cursor.execute(sql, (survey_slug, *params.values()))
        while batch := cursor.fetchmany(_BATCH):
            batch_ids, batch_names, batch_values = zip(*batch)
            ids.extend(map(sys.intern, batch_ids))
            names.extend(map(sys.intern, batch_names))
            values.extend(map(sys.intern, batch_values))
    finally:
        cursor.close()
    return pd.DataFrame({"response_id": pd.Series(ids, dtype=object), "question": pd.Series(names, dtype=object),
                         "value": pd.Series(values, dtype=object)})


def read_responses(
    connectable: Engine | Connection,
    survey_slug: str,
    definition: Mapping[str, Any] | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
) -> pd.DataFrame:
    """Responses of every version of the survey as the canonical frame (one row per response).

    With ``definition=None`` the columns follow the newest stored version, followed by the
    questions and choices that only older versions had, so answers to removed questions are
    kept. A definition passed in is used as given: answers to questions it lacks are left out.
    ``since`` and ``before`` (naive UTC) read only the responses submitted from ``since``
    (included) to ``before`` (excluded).
    """
    with _connection(connectable) as conn, _collection_paused():
        if definition is None:
            definition = merged_definition(survey_definitions(conn, survey_slug))
        period, params = _period(conn, since, before)
        result = conn.execute(text(_RESPONSES.format(period=period)), {"slug": survey_slug, **params})
        responses = pd.DataFrame.from_records(
            [tuple(row) for row in result.all()], columns=list(result.keys())
        )
        answers = _read_answers(conn, survey_slug, since, before)
    return frame_from_long(responses, answers, definition)
