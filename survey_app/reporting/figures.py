"""The figures staff, partners and families read, computed by `analysis` from a survey's
snapshot (`snapshots`) and cached with it, and the labels that turn codes into text in the
reader's language. This module only chooses, caches and labels: every statistic is computed
in `analysis`.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd
from flask_babel import pgettext
from sqlalchemy import select

from analysis.breakdowns import breakdown, filter_dates, frequency_table
from analysis.date_windows import segment_weeks, widen
from analysis.definition import questions, template
from analysis.repeats import per_instance, repeated
from analysis.summary import COMPARE_COLUMNS, compare_groups, summary_dict, top_choices
from analysis.suppression import ALL

from .. import state_facts
from ..extensions import db
from ..i18n.labels import channel_labels, language_labels
from ..models import Partner, utcnow
from .snapshots import Snapshot, derived


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
    repeats = repeated(snap.definition)
    for q in questions(snap.definition):
        written = template(q)
        if written in question_labels:
            continue
        row = rows[written or q.name]
        question_labels[written or q.name] = text(row.get("label", {}), language) or q.name
        repeat = repeats.get(written) if written else None
        if written and repeat:
            # Staff read which unit a table counts: each child, not each family.
            question_labels[written] = pgettext(
                "staff", "%(question)s (counted once for each %(repeat)s)", question=question_labels[written],
                repeat=text(rows[repeat].get("label", {}), language) or repeat)
        list_name = row.get("list_name") or str(row.get("type", "")).split()[-1]
        choice_labels[written or q.name] = {str(c["name"]): text(c.get("label", {}), language) or str(c["name"])
                                               for c in lists.get(list_name, [])}
    partners = dict(db.session.execute(select(Partner.code, Partner.name)).all())
    groups: dict[str, Mapping[str, str]] = {
        **choice_labels,
        "language": language_labels(),
        "partner": partners,
        "channel": channel_labels(),
    }
    by = snap.group
    facts = state_facts.all_states()
    by_states = by is not None and bool(choice_labels.get(by)) and all(
        code in facts or code == "other" for code in choice_labels[by])
    return Labels(language=language, questions=question_labels, choices=choice_labels, groups=groups,
                  rank=snap.rank, by=by, by_states=by_states)


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
