"""The data behind the reports: a survey's responses as one frame (a snapshot), kept in
memory per survey and per process, with the tables and charts computed from it.

The frame comes from the parts every server shares (`parts`): read once from the answers and
stored in the database, so a process that starts, on this server or another, reads them in
about a second instead of reading a million responses again. It holds the numbers only: the
response ids and which free-text questions each response answered (`comments`) are read when
a comments page first asks. Each snapshot is keyed by
(survey id, number of responses, newest submission, newest version). A COUNT/MAX query says
whether that changed, at most every `REPORTS_MAX_AGE` seconds; only then is the frame read
again. Tables and chart images computed from a frame are cached under the same key, so a new
response retires them with the frame; the cache is bounded in entries and in bytes
(`REPORTS_CACHE_ENTRIES`, `REPORTS_CACHE_MB`). A read runs in the background: a request that
would wait longer than `REPORTS_FIRST_READ_WAIT` seconds gets a page that says so and
reloads itself. Every statistic is computed in `analysis`; this package only reads, caches
and labels.
"""
from __future__ import annotations

import dataclasses
import sys
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from cachetools import LRUCache
from flask import current_app
from sqlalchemy import func, select

from analysis.definition import SELECT_MULTIPLE, SELECT_ONE, merged_definition, questions, template
from analysis.read import survey_definitions
from forms.survey import Survey as SurveyDefinition

from .. import surveys
from ..extensions import db
from ..models import Response, Survey, SurveyVersion
from . import columnar, parts

T = TypeVar("T")
TEXT = "text"
_EXTENSION = "report_data"

Freshness = tuple[int, int, str | None, int | None]


@dataclass(frozen=True)
class Snapshot:
    """One survey's responses as read at one moment."""

    key: Freshness  # (survey id, responses, newest submission, newest version)
    slug: str
    frame: pd.DataFrame
    definition: dict[str, Any]  # every version merged, select and text questions only
    survey: SurveyDefinition  # the newest version, for labels
    # Where the frame's rows came from, for `comments` (the frame holds no response ids or text).
    source: parts.Source | None = None

    @property
    def responses(self) -> int:
        return self.key[1]

    @property
    def rank(self) -> str | None:
        """The select question the survey declares its reports rank (`report_rank`)."""
        return self.survey.report_rank

    @property
    def group(self) -> str | None:
        """The select_one question the survey declares its reports group by (`report_group`)."""
        return self.survey.report_group

    @property
    def breakdowns(self) -> tuple[str, ...]:
        """What one group can be broken down by, in the order staff see them (`report_breakdowns`)."""
        return self.survey.report_breakdowns

    @property
    def select_questions(self) -> list[str]:
        """Every select question of the survey, in its order (older versions' after); a question of
        a repeat once, by its name as written (its table counts each instance)."""
        return list(dict.fromkeys(template(q) or q.name for q in questions(self.definition)
                                  if q.type in (SELECT_ONE, SELECT_MULTIPLE)))

    @property
    def group_questions(self) -> list[str]:
        """The select_one questions, any of which staff may group the question tables by."""
        return [q.name for q in questions(self.definition) if q.type == SELECT_ONE and template(q) is None]


def size_bytes(value: Any) -> int:
    """About how much memory a cached value takes: frames and arrays by their contents, and
    the dataclasses, dicts, lists and tuples that hold them by what they hold."""
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=True).sum())
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sys.getsizeof(value) + sum(size_bytes(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(size_bytes(k) + size_bytes(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return sys.getsizeof(value) + sum(size_bytes(item) for item in value)
    return sys.getsizeof(value)


class _Derived(LRUCache[tuple[Any, ...], Any]):
    """Least recently used first out, bounded both in entries and in bytes (`size_bytes`)."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        super().__init__(maxsize=max_bytes, getsizeof=size_bytes)
        self.max_entries = max_entries

    def __setitem__(self, key: tuple[Any, ...], value: Any) -> None:
        if self.max_entries <= 0 or size_bytes(value) > self.maxsize:
            return
        super().__setitem__(key, value)
        while len(self) > self.max_entries:
            self.popitem()


class _Cache:
    """Per application (tests build many apps whose survey ids repeat)."""

    def __init__(self, surveys_kept: int, max_entries: int, max_bytes: int) -> None:
        self.lock = threading.Lock()
        # The frame of each survey read lately; more surveys than this are read again when asked.
        self.snapshots: LRUCache[int, Snapshot] = LRUCache(maxsize=surveys_kept)
        self.readers: dict[int, threading.Lock] = {}
        self.derived = _Derived(max_entries, max_bytes)
        self.checked: dict[int, tuple[float, Freshness]] = {}
        self.refreshing: dict[int, threading.Thread] = {}
        # The comments index of a survey's snapshot, read when a comments page first asks.
        self.comments: LRUCache[int, Comments] = LRUCache(maxsize=surveys_kept)

    def kept(self, survey_id: int) -> Snapshot | None:
        with self.lock:
            return self.snapshots.get(survey_id)

    def reader(self, survey_id: int) -> threading.Lock:
        with self.lock:
            return self.readers.setdefault(survey_id, threading.Lock())


def _cache() -> _Cache:
    cache = current_app.extensions.get(_EXTENSION)
    if cache is None:
        config = current_app.config
        cache = current_app.extensions.setdefault(_EXTENSION, _Cache(
            int(config["REPORTS_SURVEYS_KEPT"]), int(config["REPORTS_CACHE_ENTRIES"]),
            int(config["REPORTS_CACHE_MB"]) * 1024 * 1024))
    return cache


def freshness(survey: Survey | surveys.PublicSurvey, max_age: float = 0.0) -> Freshness:
    """(survey id, responses, newest submission, newest version): changes whenever a
    response is stored or a new version of the survey is loaded.

    With ``max_age`` the answer may be up to that many seconds old, which spares the query on
    busy public pages.
    """
    cache = _cache()
    if max_age > 0:
        checked = cache.checked.get(survey.id)
        if checked is not None and time.monotonic() - checked[0] < max_age:
            return checked[1]
    # count(*) rather than count(id): the (version, submitted_at) index then answers alone.
    # A new version of the definition (new wording, new questions) changes the key too.
    newest_version = (select(func.max(SurveyVersion.version)).where(SurveyVersion.survey_id == survey.id)
                      .scalar_subquery())
    count, newest, version = db.session.execute(
        select(func.count(), func.max(Response.submitted_at), newest_version)
        .select_from(Response)
        .join(SurveyVersion, Response.survey_version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == survey.id)
    ).one()
    key = (survey.id, int(count), str(newest) if newest is not None else None, version)
    cache.checked[survey.id] = (time.monotonic(), key)
    return key


def _report_definition(slug: str) -> dict[str, Any]:
    """Every stored version merged, keeping the select questions (the numbers) and the free
    text (the comments pages find a state's comments with the frame and `comments`: in SQL
    that would join two answers of every response)."""
    merged = merged_definition(survey_definitions(db.engine, slug))
    kept = {template(q) or q.name for q in questions(merged) if q.type in (SELECT_ONE, SELECT_MULTIPLE, TEXT)}
    return {**merged, "survey": [row for row in merged["survey"]
                                 if row.get("name") in kept or row.get("type") in ("begin_repeat", "end_repeat")]}


def _read(survey: Survey | surveys.PublicSurvey, key: Freshness) -> Snapshot:
    """Read the survey's responses and keep them as its snapshot; the caller holds its reader lock."""
    cache = _cache()
    definition = _report_definition(survey.slug)
    frame, source = parts.read_frame(survey.id, survey.slug, definition,
                                     int(current_app.config["REPORTS_PART_RESPONSES"]))
    version = surveys.newest_version(survey.slug)
    if version is None:
        raise LookupError(f"survey {survey.slug!r} has no version")
    fresh = Snapshot(key=key, slug=survey.slug, frame=frame, definition=definition, survey=surveys.parsed(version),
                     source=source)
    with cache.lock:
        cache.snapshots[survey.id] = fresh
        cache.comments.pop(survey.id, None)
        for stale in [k for k in list(cache.derived.keys()) if k[0][0] == survey.id and k[0] != key]:
            cache.derived.pop(stale, None)
    return fresh


def _refresh_in_background(survey_id: int) -> None:
    """Read the survey again in a thread of its own, unless a read is already under way."""
    cache = _cache()
    reader = cache.reader(survey_id)
    if not reader.acquire(blocking=False):
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app behind the proxy

    def run() -> None:
        try:
            with app.app_context():
                survey = db.session.get(Survey, survey_id)
                if survey is not None:
                    _read(survey, freshness(survey))
        finally:
            reader.release()

    thread = threading.Thread(target=run, name=f"report-refresh-{survey_id}", daemon=True)
    cache.refreshing[survey_id] = thread
    thread.start()


class ReportPreparing(Exception):
    """The survey's responses are being read for the first time in this process."""

    def __init__(self, responses: int) -> None:
        super().__init__(f"{responses} responses are being read")
        self.responses = responses


def snapshot(survey: Survey | surveys.PublicSurvey, max_age: float | None = None) -> Snapshot:
    """The survey's responses, read again only when the stored ones changed (checked at most
    every `max_age` seconds, by default `REPORTS_MAX_AGE`).

    The first read runs in a thread of its own; a request waits `REPORTS_FIRST_READ_WAIT`
    seconds for it, then raises ReportPreparing. Later, when responses have arrived since, the
    snapshot in memory is returned at once while a background thread reads the new one;
    `pending()` says how many responses it does not include yet. Set
    REPORTS_REFRESH_IN_BACKGROUND to False to wait for every read instead.
    """
    cache = _cache()
    config = current_app.config
    key = freshness(survey, config["REPORTS_MAX_AGE"] if max_age is None else max_age)
    current = cache.kept(survey.id)
    if current is not None and current.key == key:
        return current
    if config["REPORTS_REFRESH_IN_BACKGROUND"]:
        _refresh_in_background(survey.id)
        if current is not None:
            return current
        cache.refreshing[survey.id].join(config["REPORTS_FIRST_READ_WAIT"])
        current = cache.kept(survey.id)
        if current is None:
            raise ReportPreparing(key[1])
        return current
    # One reader per survey: others asking at the same time wait for its frame.
    with cache.reader(survey.id):
        current = cache.kept(survey.id)
        if current is not None and current.key == key:
            return current
        return _read(survey, key)


def read_now(survey: Survey | surveys.PublicSurvey) -> Snapshot:
    """Read the survey's responses now, whatever this process holds (for commands)."""
    with _cache().reader(survey.id):
        return _read(survey, freshness(survey))


def pending(snap: Snapshot) -> int | None:
    """None when the snapshot is current; otherwise how many responses arrived since it was
    read (as of the last check), which a background read is adding."""
    checked = _cache().checked.get(snap.key[0])
    if checked is None or checked[1] == snap.key:
        return None
    return max(checked[1][1] - snap.responses, 0)


def finish_refreshes(timeout: float | None = None) -> None:
    """Wait for background reads under way (for commands and tests that need current figures)."""
    for thread in list(_cache().refreshing.values()):
        thread.join(timeout)


def derived(snap: Snapshot, name: str, params: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """A value computed from a snapshot, cached until the survey's responses change."""
    cache = _cache()
    key = (snap.key, name, params)
    with cache.lock:
        if key in cache.derived:
            kept: T = cache.derived[key]
            return kept
    value = compute()
    with cache.lock:
        cache.derived[key] = value
    return value


@dataclass(frozen=True)
class Comments:
    """What the comments pages need beside a snapshot's frame: which free-text questions each
    response answered, and the ids of the responses that answered any (a comment or a note can
    only be on those). Not the words themselves, which a page reads from the answers fifty at a
    time, nor the ids of everyone: for a million responses either would take more memory than the frame."""

    key: Freshness  # the snapshot's
    answered: dict[str, np.ndarray]  # text question -> whether each row of the frame answered it
    response_ids: pd.Series  # of the rows that answered any text question, indexed by their row


def _response_id(described: dict[str, Any]) -> bool:
    return bool(described["name"] == "response_id")


def comments(snap: Snapshot) -> Comments:
    """The snapshot's comments index, read from the report parts the first time a comments page asks."""
    cache = _cache()
    with cache.lock:
        kept = cache.comments.get(snap.key[0])
    if kept is not None and kept.key == snap.key:
        return kept
    if snap.source is None:
        raise ValueError("the snapshot was not read from report parts")
    names = [name for name in snap.source.tail.columns if name != "response_id"]
    answered: dict[str, list[np.ndarray]] = {name: [] for name in names}
    ids, rows, start = [], [], 0
    try:
        # One part at a time, keeping the ids of the responses that answered.
        for piece in parts.texts(snap.key[0], snap.slug, snap.definition, snap.source):
            for name in names:
                answered[name].append(~columnar.missing([piece], name))
            commented = np.logical_or.reduce([np.zeros(piece.rows, dtype=bool), *(answered[name][-1] for name in names)])
            every = columnar.join([columnar.only(piece, _response_id)])["response_id"].to_numpy(dtype=object)
            ids.append(every[commented])
            rows.append(start + np.flatnonzero(commented))
            start += piece.rows
    except LookupError:
        # Responses stored earlier changed: the next read finds out, and stores new parts.
        with cache.lock:
            cache.snapshots.pop(snap.key[0], None)
        raise ReportPreparing(snap.responses) from None
    if start != len(snap.frame):
        raise ValueError("the snapshot's frame is not the one its source gave")
    found = Comments(snap.key, {name: np.concatenate(found) for name, found in answered.items()},
                     pd.Series(np.concatenate(ids), index=np.concatenate(rows),
                               dtype=snap.source.tail["response_id"].dtype, name="response_id"))
    with cache.lock:
        current = cache.snapshots.get(snap.key[0])
        if current is not None and current.key == snap.key:
            cache.comments[snap.key[0]] = found
    return found


def find_survey(slug: str) -> Survey | None:
    """The survey, if it has at least one stored version."""
    survey = surveys.find_survey(slug)
    return survey if survey is not None and surveys.newest_version(slug) is not None else None


