"""A survey's responses as its reports read them, built once and shared by every server.

Reading a million responses from the answers table takes tens of seconds and gigabytes, so it
is done once, in parts: each part holds the responses submitted in one span of time, read with
`analysis.read` and stored in the database as plain arrays (`columnar`). A report then reads
the numbers of the stored parts (a fraction of a second for a million responses), plus the
responses after the last part (the tail), read from the answers as before. The text columns
(response ids and free text) are kept apart in each part, and read only when a comments page
asks (`texts`): they were most of the bytes of a part and three quarters of the frame. Whichever
server or worker first finds enough responses past the last part stores them as new parts;
every other one reads them.

Only responses submitted more than `SETTLED` ago go into a part: a response's time is taken
before its transaction commits, so a span still open to commits could gain a response after
its part was stored. The parts are checked against the responses on every read (their count
of responses before the last part's end, and that they follow one another); if they disagree
(a restore, a response stored late), they are deleted and read again. Parts are keyed by the
report definition (every version merged), so a new version of the survey starts new parts.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from analysis.read import read_responses

from .. import storage
from ..extensions import db
from ..models import ReportPart, Response, SurveyVersion, utcnow
from . import columnar

# Far longer than any transaction between taking a response's time and committing it.
SETTLED = timedelta(minutes=5)
EARLIEST = datetime(1970, 1, 1)
# Responses per part when a backlog is stored: a part is read (and its memory freed) before the next.
PART_RESPONSES = 100_000


def fingerprint(definition: Mapping[str, Any]) -> str:
    """What a part was read with: the report definition and the way parts are stored, so that
    parts stored by an earlier release of `columnar` are read again, not misread."""
    keyed = {"definition": definition, "format": columnar.FORMAT}
    return hashlib.sha256(json.dumps(keyed, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _in_period(survey_id: int, since: datetime | None, before: datetime | None) -> list[Any]:
    where = [SurveyVersion.survey_id == survey_id]
    if since is not None:
        where.append(Response.submitted_at >= since)
    if before is not None:
        where.append(Response.submitted_at < before)
    return where


def _count(survey_id: int, since: datetime | None, before: datetime | None) -> int:
    return int(db.session.execute(
        select(func.count()).select_from(Response).join(SurveyVersion, Response.survey_version_id == SurveyVersion.id)
        .where(*_in_period(survey_id, since, before))).scalar_one())


def _boundaries(survey_id: int, since: datetime, before: datetime) -> list[datetime]:
    """Times that cut the responses from `since` to `before` into parts of about PART_RESPONSES
    (responses submitted at the same moment stay in one part), then `before`."""
    position = func.row_number().over(order_by=Response.submitted_at).label("position")
    ordered = (select(Response.submitted_at.label("at"), position).select_from(Response)
               .join(SurveyVersion, Response.survey_version_id == SurveyVersion.id)
               .where(*_in_period(survey_id, since, before)).subquery())
    cuts = db.session.scalars(select(ordered.c.at).where((ordered.c.position - 1) % PART_RESPONSES == 0,
                                                         ordered.c.position > 1).order_by(ordered.c.at))
    found = sorted({at for at in cuts if since < at < before})
    return [*found, before]


@dataclass(frozen=True)
class Span:
    """The responses submitted from `since` (included) to `before` (excluded): `responses` of them."""

    since: datetime
    before: datetime
    responses: int


@dataclass(frozen=True)
class Source:
    """Where a frame's rows came from, in order: the spans of the stored parts, then the
    responses after them, whose text columns (response ids and free text) are kept here. The
    frame itself holds no text; `texts` reads it again when a comments page asks."""

    digest: str
    spans: tuple[Span, ...]
    tail: pd.DataFrame


def _stored(survey_id: int, digest: str) -> tuple[list[columnar.Columns], list[Span], datetime]:
    """The numbers of the survey's stored parts, their spans, and the time they run to (EARLIEST
    when there are none); parts that do not match the responses, or were read with another
    definition, are deleted."""
    digests = set(db.session.scalars(select(ReportPart.definition_hash).where(ReportPart.survey_id == survey_id)
                                     .distinct()))
    if digests - {digest}:
        storage.forget_report_parts(survey_id)
        return [], [], EARLIEST
    spans = db.session.execute(select(ReportPart.id, ReportPart.submitted_from, ReportPart.submitted_before,
                                      ReportPart.responses)
                               .where(ReportPart.survey_id == survey_id, ReportPart.definition_hash == digest)
                               .order_by(ReportPart.submitted_from)).all()
    if not spans:
        return [], [], EARLIEST
    until = spans[-1].submitted_before
    chained = spans[0].submitted_from == EARLIEST and all(
        later.submitted_from == earlier.submitted_before for earlier, later in zip(spans, spans[1:]))
    if not chained or _count(survey_id, None, until) != sum(span.responses for span in spans):
        storage.forget_report_parts(survey_id)
        return [], [], EARLIEST
    # One part's bytes at a time: each is let go as soon as its arrays are read.
    pieces = [columnar.from_bytes(_data(span.id)) for span in spans]
    return pieces, [Span(span.submitted_from, span.submitted_before, span.responses) for span in spans], until


def _data(part_id: int) -> bytes:
    """A part's numbers. PostgreSQL sends a bytea as hexadecimal text unless the query asks for
    binary, which SQLAlchemy cannot: through the driver's cursor, the parts of a million
    responses arrive in a fifth of the time."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return db.session.scalar(select(ReportPart.data).where(ReportPart.id == part_id)) or b""
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection has been closed")
    with driver.cursor() as cursor:
        cursor.execute("SELECT data FROM report_parts WHERE id = %s", (part_id,), binary=True)
        row = cursor.fetchone()
    return bytes(row[0]) if row is not None else b""


def read_frame(survey_id: int, slug: str, definition: Mapping[str, Any],
               part_min: int) -> tuple[pd.DataFrame, Source]:
    """The survey's responses as the analysis frame, exactly as `analysis.read.read_responses`
    reads them with `definition` but without its text columns, from the stored parts and the
    tail; and where its rows came from. When at least `part_min` settled responses are past the
    last part, they are stored as new parts first."""
    digest = fingerprint(definition)
    pieces, spans, stored_until = _stored(survey_id, digest)
    settled = utcnow() - SETTLED
    if settled > stored_until and _count(survey_id, stored_until, settled) >= part_min:
        since, storing = stored_until, True
        for before in _boundaries(survey_id, stored_until, settled):
            piece = columnar.split(read_responses(db.engine, slug, definition, since=since, before=before))
            numbers = columnar.only(piece, columnar.is_number)
            if storing:
                storing = storage.store_report_part(
                    survey_id, digest, since, before, piece.rows, columnar.to_bytes(numbers),
                    columnar.to_bytes(columnar.only(piece, columnar.is_text)))
            pieces.append(numbers)
            spans.append(Span(since, before, piece.rows))
            since = before
        stored_until = settled
    tail = read_responses(db.engine, slug, definition, since=stored_until)
    texts = columnar.text_columns(tail)
    pieces.append(columnar.split(tail.drop(columns=texts)))
    return columnar.join(pieces), Source(digest, tuple(spans), tail[texts])


def texts(survey_id: int, slug: str, definition: Mapping[str, Any], source: Source) -> Iterator[columnar.Columns]:
    """The text columns of the frame `read_frame` gave with `source`, row for row, a piece at a
    time: from the stored parts, or, for a span stored differently since, from the answers.
    LookupError when a span no longer holds the responses it held."""
    for span in source.spans:
        data = db.session.scalar(select(ReportPart.texts).where(
            ReportPart.survey_id == survey_id, ReportPart.definition_hash == source.digest,
            ReportPart.submitted_from == span.since, ReportPart.submitted_before == span.before))
        if data is not None:
            piece = columnar.from_bytes(data)
        else:
            read = read_responses(db.engine, slug, definition, since=span.since, before=span.before)
            piece = columnar.split(read[columnar.text_columns(read)])
        if piece.rows != span.responses:
            raise LookupError(f"the responses from {span.since} to {span.before} changed")
        yield piece
    yield columnar.split(source.tail)


def stored(survey_id: int) -> tuple[int, int]:
    """(parts, responses in them) stored for the survey."""
    count, responses = db.session.execute(select(func.count(), func.coalesce(func.sum(ReportPart.responses), 0))
                                          .where(ReportPart.survey_id == survey_id)).one()
    return int(count), int(responses)
