"""The data behind the reports: responses read through `analysis.read`, kept in memory per
survey, and the labels that turn codes into text in the reader's language.

A million responses take tens of seconds to read, so each process keeps one frame per survey,
keyed by (survey id, number of responses, newest submission, newest version). A COUNT/MAX
query says whether that changed, at most every `REPORTS_MAX_AGE` seconds (it takes tens of
milliseconds on a million responses); only then is the frame read again. Tables and chart
images computed from a frame are cached under the same key, so a new response retires them
with the frame. The first read of a survey runs in the background: a request that would wait
longer than `REPORTS_FIRST_READ_WAIT` seconds gets a page that says so and reloads itself.
Every statistic is computed in `analysis`; this module only reads, caches and labels.
"""
from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import pandas as pd
from flask import current_app
from flask_babel import pgettext
from sqlalchemy import func, select

from analysis.breakdowns import breakdown, filter_dates, frequency_table
from analysis.date_windows import segment_weeks, widen
from analysis.definition import SELECT_MULTIPLE, SELECT_ONE, merged_definition, questions
from analysis.repeats import per_instance, repeated
from analysis.read import read_responses, survey_definitions
from analysis.summary import COMPARE_COLUMNS, compare_groups, summary_dict, top_choices
from analysis.suppression import ALL
from forms.definition import Survey as SurveyDefinition

from . import state_facts, surveys
from .extensions import db
from .i18n import locale
from .models import Partner, Response, Survey, SurveyVersion, utcnow

T = TypeVar("T")
TEXT = "text"
_DERIVED_ENTRIES = 256
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
        return list(dict.fromkeys(q.template or q.name for q in questions(self.definition)
                                  if q.type in (SELECT_ONE, SELECT_MULTIPLE)))

    @property
    def group_questions(self) -> list[str]:
        """The select_one questions, any of which staff may group the question tables by."""
        return [q.name for q in questions(self.definition) if q.type == SELECT_ONE and q.template is None]


class _Cache:
    """Per application (tests build many apps whose survey ids repeat)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.snapshots: dict[int, Snapshot] = {}
        self.readers: dict[int, threading.Lock] = {}
        self.derived: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.checked: dict[int, tuple[float, Freshness]] = {}
        self.refreshing: dict[int, threading.Thread] = {}

    def reader(self, survey_id: int) -> threading.Lock:
        with self.lock:
            return self.readers.setdefault(survey_id, threading.Lock())


def _cache() -> _Cache:
    return current_app.extensions.setdefault(_EXTENSION, _Cache())


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
    text (the comments pages find a state's comments in the frame: in SQL that would join
    two answers of every response)."""
    merged = merged_definition(survey_definitions(db.engine, slug))
    kept = {q.template or q.name for q in questions(merged) if q.type in (SELECT_ONE, SELECT_MULTIPLE, TEXT)}
    return {**merged, "survey": [row for row in merged["survey"]
                                 if row.get("name") in kept or row.get("type") in ("begin_repeat", "end_repeat")]}


def _read(survey: Survey | surveys.PublicSurvey, key: Freshness) -> Snapshot:
    """Read the survey's responses and keep them as its snapshot; the caller holds its reader lock."""
    cache = _cache()
    definition = _report_definition(survey.slug)
    frame = read_responses(db.engine, survey.slug, definition)
    version = surveys.newest_version(survey.slug)
    if version is None:
        raise LookupError(f"survey {survey.slug!r} has no version")
    fresh = Snapshot(key=key, slug=survey.slug, frame=frame, definition=definition, survey=surveys.parsed(version))
    with cache.lock:
        cache.snapshots[survey.id] = fresh
        for stale in [k for k in cache.derived if k[0][0] == survey.id and k[0] != key]:
            del cache.derived[stale]
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
    current = cache.snapshots.get(survey.id)
    if current is not None and current.key == key:
        return current
    if config["REPORTS_REFRESH_IN_BACKGROUND"]:
        _refresh_in_background(survey.id)
        if current is not None:
            return current
        cache.refreshing[survey.id].join(config["REPORTS_FIRST_READ_WAIT"])
        current = cache.snapshots.get(survey.id)
        if current is None:
            raise ReportPreparing(key[1])
        return current
    # One reader per survey: others asking at the same time wait for its frame.
    with cache.reader(survey.id):
        current = cache.snapshots.get(survey.id)
        if current is not None and current.key == key:
            return current
        return _read(survey, key)


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
            cache.derived.move_to_end(key)
            return cache.derived[key]
    value = compute()
    with cache.lock:
        cache.derived[key] = value
        while len(cache.derived) > _DERIVED_ENTRIES:
            cache.derived.popitem(last=False)
    return value


def filtered(snap: Snapshot, start: date | None, end: date | None) -> pd.DataFrame:
    if start is None and end is None:
        return snap.frame
    return filter_dates(snap.frame, start.isoformat() if start else None, end.isoformat() if end else None)


def partner_dates(snap: Snapshot, start: date | None, end: date | None, min_n: int) -> tuple[date | None, date | None]:
    """A partner's date range, widened to the boundaries of `analysis.date_windows`, so that
    no two ranges differ by fewer than `min_n` respondents in any state."""
    today = utcnow().date()
    weeks = derived(snap, "weeks", (min_n, today), lambda: segment_weeks(snap.frame, snap.group, min_n, today))
    return widen(start, end, weeks)


@dataclass(frozen=True)
class Tables:
    """Top issues of every state and of ALL, and each state compared with the others."""

    top: pd.DataFrame
    compare: pd.DataFrame
    dates: dict[str, tuple[date, date]]  # first and last day of responses, published groups only
    responses: int  # in the date range, whether or not they answered the issues question


def _date_ranges(frame: pd.DataFrame, top: pd.DataFrame, by: str | None) -> dict[str, tuple[date, date]]:
    shown = set(top.loc[top["respondents"].notna(), "group"])
    ranges: dict[str, tuple[date, date]] = {}
    if frame.empty:
        return ranges
    stamps = frame["submitted_at"]
    if ALL in shown:
        ranges[ALL] = (stamps.min().date(), stamps.max().date())
    if by is None:
        return ranges
    grouped = stamps.groupby(frame[by], observed=True).agg(["min", "max"])
    for group, row in grouped.iterrows():
        if str(group) in shown:
            ranges[str(group)] = (row["min"].date(), row["max"].date())
    return ranges


def tables(snap: Snapshot, start: date | None, end: date | None, min_n: int) -> Tables:
    """The ranked question's tables; KeyError when the survey declares none (see `Snapshot.rank`)."""
    rank, by = snap.rank, snap.group
    if rank is None:
        raise KeyError("the survey declares no question to rank")

    def compute() -> Tables:
        frame = filtered(snap, start, end)
        top = top_choices(frame, snap.definition, rank, by, min_n)
        compare = (compare_groups(frame, snap.definition, rank, by, min_n) if by is not None
                   else pd.DataFrame(columns=COMPARE_COLUMNS))
        return Tables(top=top, compare=compare, dates=_date_ranges(frame, top, by), responses=len(frame))

    return derived(snap, "tables", (start, end, min_n), compute)


def breakdown_table(snap: Snapshot, group: str, across: str, start: date | None, end: date | None,
                    min_n: int) -> pd.DataFrame:
    rank = snap.rank
    if rank is None:
        raise KeyError("the survey declares no question to rank")
    return derived(snap, "breakdown", (group, across, start, end, min_n),
                   lambda: breakdown(filtered(snap, start, end), snap.definition, group, across,
                                     rank, snap.group, min_n))


def question_tables(snap: Snapshot, by: str | None, start: date | None, end: date | None,
                    min_n: int) -> dict[str, pd.DataFrame]:
    """A frequency table of every select question, overall and per `by` group (a select_one
    question, or None), with counts, shares, Wilson intervals and the small-group rule: the
    report of a survey that declares nothing to rank, and of any survey on request."""
    def compute() -> dict[str, pd.DataFrame]:
        frame = filtered(snap, start, end)
        repeat_questions = repeated(snap.definition)
        tables = {}
        for name in snap.select_questions:
            rows, definition = (per_instance(frame, snap.definition, name) if name in repeat_questions
                                else (frame, snap.definition))
            tables[name] = frequency_table(rows, definition, name, by if by != name else None, min_n)
        return tables

    return derived(snap, "question_tables", (by, start, end, min_n), compute)


@dataclass(frozen=True)
class Labels:
    """Codes as text in one language."""

    language: str
    questions: Mapping[str, str]
    choices: Mapping[str, Mapping[str, str]]  # question -> code -> text
    groups: Mapping[str, Mapping[str, str]]  # breakdown -> code -> text
    rank: str | None = None  # the question the report ranks
    by: str | None = None  # the question the report groups by
    by_states: bool = False  # whether its groups are US states (their names say "state")

    def choice(self, question: str, code: str) -> str:
        return self.choices.get(question, {}).get(code) or code

    def issue(self, code: str) -> str:
        return self.choice(self.rank or "", code)

    def state(self, code: str) -> str:
        """A group of the report's grouping question; ALL is everyone."""
        if code == ALL:
            return pgettext("staff", "All states") if self.by_states else pgettext("staff", "Everyone")
        return self.choice(self.by or "", code)

    def group(self, across: str, code: str) -> str:
        if code == ALL:
            return (pgettext("staff", "Everyone in this state") if self.by_states
                    else pgettext("staff", "Everyone in this group"))
        return self.groups.get(across, {}).get(code) or code

    def breakdown_name(self, across: str) -> str:
        """A breakdown as staff read it: the question's label, or the response column's name."""
        named = {"language": pgettext("staff", "Language of the answers"), "partner": pgettext("staff", "Partner"),
                 "channel": pgettext("staff", "How they answered")}
        return named.get(across) or self.questions.get(across) or across


def labels(snap: Snapshot, language: str) -> Labels:
    """Questions and choices as the survey words them in ``language`` (the survey's default
    language where a text is not translated), plus names for the response's own columns."""
    text = snap.survey.text
    rows = {row["name"]: row for row in snap.definition["survey"] if row.get("name")}
    lists = snap.definition.get("choices", {})
    question_labels: dict[str, str] = {}
    choice_labels: dict[str, dict[str, str]] = {}
    for q in questions(snap.definition):
        if q.template in question_labels:
            continue
        row = rows[q.template or q.name]
        question_labels[q.template or q.name] = text(row.get("label", {}), language) or q.name
        if q.template and q.repeat:
            # Staff read which unit a table counts: each child, not each family.
            question_labels[q.template] = pgettext(
                "staff", "%(question)s (counted once for each %(repeat)s)", question=question_labels[q.template],
                repeat=text(rows[q.repeat].get("label", {}), language) or q.repeat)
        list_name = row.get("list_name") or str(row.get("type", "")).split()[-1]
        choice_labels[q.template or q.name] = {str(c["name"]): text(c.get("label", {}), language) or str(c["name"])
                                 for c in lists.get(list_name, [])}
    partners = dict(db.session.execute(select(Partner.code, Partner.name)).all())
    groups: dict[str, Mapping[str, str]] = {
        **choice_labels,
        "language": {code: f"{lang.native_name} ({lang.english_name})" if lang.native_name != lang.english_name
                     else lang.english_name for code, lang in locale.BY_CODE.items()},
        "partner": partners,
        "channel": {"web": pgettext("staff", "Online link"), "kiosk": pgettext("staff", "Kiosk"),
                    "paper": pgettext("staff", "Paper form")},
    }
    by = snap.group
    facts = state_facts.all_states()
    by_states = by is not None and bool(choice_labels.get(by)) and all(
        code in facts or code == "other" for code in choice_labels[by])
    return Labels(language=language, questions=question_labels, choices=choice_labels, groups=groups,
                  rank=snap.rank, by=by, by_states=by_states)


def find_survey(slug: str) -> Survey | None:
    """The survey, if it has at least one stored version."""
    survey = surveys.find_survey(slug)
    return survey if survey is not None and surveys.newest_version(slug) is not None else None


def state_codes(snap: Snapshot) -> list[str]:
    """The groups of the report's grouping question (the states, for Family Voices), in the
    survey's order; none when the survey declares no grouping."""
    by = snap.group
    return list(snap.frame[by].cat.categories) if by is not None and by in snap.frame else []


def summary_text(snap: Snapshot, states: list[str] | None, fmt: str, min_n: int) -> str:
    """The top-issue summary as `python -m analysis summary` prints it: JSON in the shape of
    `analysis.summary.summary_dict`, or the full table as CSV. KeyError for an unknown state."""
    if snap.rank is None:
        raise KeyError("the survey declares no question to rank (the report_rank setting)")
    if fmt == "json":
        result = summary_dict(snap.frame, snap.definition, snap.rank, snap.group, min_n, states or None)
        return json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    table = top_choices(snap.frame, snap.definition, snap.rank, snap.group, min_n)
    if states:
        unknown = set(states) - set(table["group"])
        if unknown:
            raise KeyError(f"no such {snap.group or 'group'}: {', '.join(sorted(unknown))}")
        table = table[table["group"].isin(states)]
    return table.to_csv(index=False)
