"""Staff narrow a report to the families who gave chosen answers: any select question of the
survey (of a select_multiple one, the families who chose any of the ticked answers), and the
language, partner and channel of the response.

A filter could single out a few families by difference: "parents" minus "parents who did not
answer in Karen" is the Karen-speaking parents. So a filter is applied group by group of the
table it feeds (each state, for Family Voices): in a group where some combination of answers to
the filter's questions (and to the question the table splits the group by) is given by at least
one and fewer than `MIN_GROUP_SIZE` respondents, the group is left out of the filtered report,
and out of its "everyone" total. Every part of a group that two filters can tell apart then
holds no one or at least `MIN_GROUP_SIZE` families (docs/analysis.md, "Filters").

Each ticked answer of a select_multiple question is crossed as a column of its own (chose it,
did not, did not answer the question): "chose any of the ticked" and "chose none of them" are
unions of those combinations, and so is what one tick more or less on the same question adds.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, cast

import pandas as pd
from flask_babel import pgettext

from analysis.definition import SELECT_MULTIPLE, SELECT_ONE, multi_column, questions, template
from analysis.suppression import ALL

from . import figures, snapshots

PREFIX = "f."
META = ("language", "partner", "channel")


@dataclass(frozen=True)
class AnswerFilter:
    """The chosen answers per column, in the order staff see the columns."""

    chosen: tuple[tuple[str, tuple[str, ...]], ...] = ()
    errors: tuple[str, ...] = field(default=(), compare=False)

    @property
    def active(self) -> bool:
        return bool(self.chosen)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(column for column, _values in self.chosen)

    def values(self, column: str) -> tuple[str, ...]:
        return dict(self.chosen).get(column, ())

    @property
    def query(self) -> dict[str, list[str]]:
        """The filter for links (each value a repeated parameter)."""
        return {PREFIX + column: list(values) for column, values in self.chosen}


@dataclass(frozen=True)
class Option:
    column: str
    label: str
    choices: tuple[tuple[str, str], ...]   # (code, label)
    multiple: bool = False   # a select_multiple question: families who chose any ticked answer count


def options(snap: snapshots.Snapshot, names: figures.Labels) -> list[Option]:
    """What a report can be filtered by: the response's language, partner and channel, then
    every select question outside repeats, in the survey's order."""
    found = []
    for column in META:
        if column not in snap.frame:
            continue
        codes = snap.survey.languages if column == "language" else list(names.groups.get(column, {}))
        found.append(Option(column, names.breakdown_name(column),
                            tuple((code, names.group(column, code)) for code in codes)))
    for question in questions(snap.definition):
        if question.type in (SELECT_ONE, SELECT_MULTIPLE) and template(question) is None:
            found.append(Option(question.name, names.questions.get(question.name, question.name),
                                tuple(names.choices.get(question.name, {}).items()),
                                question.type == SELECT_MULTIPLE))
    return found


def parse(args: Any, snap: snapshots.Snapshot, names: figures.Labels) -> AnswerFilter:
    """Read `f.<column>` parameters (repeated, one per chosen answer). Unknown columns and
    answers are left out of the filter, with a message."""
    known = {option.column: option for option in options(snap, names)}
    asked = {key[len(PREFIX):] for key in args if key.startswith(PREFIX)}
    chosen: list[tuple[str, tuple[str, ...]]] = []
    errors: list[str] = []
    if asked - set(known):
        errors.append(pgettext("staff", "A question in the filter is not in this survey; it was left out."))
    for column, option in known.items():
        if column not in asked:
            continue
        typed = args.getlist(PREFIX + column)
        codes = dict(option.choices)
        values = tuple(dict.fromkeys(value for value in typed if value in codes))
        if len(values) != len(set(typed)):
            errors.append(pgettext("staff", "An answer chosen for “%(question)s” is not in this survey; it was left "
                                            "out of the filter.", question=option.label))
        if values:
            chosen.append((column, values))
    return AnswerFilter(tuple(chosen), tuple(errors))


@dataclass(frozen=True)
class Narrowed:
    """A snapshot holding only the filter's respondents, and the groups left out of it."""

    snap: snapshots.Snapshot
    # Codes of the groups left out: ALL when the table has no groups and everyone is; "" for
    # those who did not answer the question the table groups by.
    withheld: tuple[str, ...]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def withheld_groups(frame: pd.DataFrame, columns: list[str], split: str | None, min_n: int) -> set[Any]:
    """Groups of `split` (None: everyone as one group, named None) where some combination of
    answers to `columns`, unanswered included, has between 1 and `min_n` - 1 respondents."""
    keys = ([split] if split else []) + columns
    cells = frame.groupby(keys, observed=True, dropna=False).size()
    small = cells[(cells > 0) & (cells < min_n)]
    if small.empty:
        return set()
    if not split:
        return {None}
    level = small.index.get_level_values(0) if isinstance(small.index, pd.MultiIndex) else small.index
    return {None if _missing(value) else str(value) for value in level}


def _crossed(frame: pd.DataFrame, answer_filter: AnswerFilter) -> tuple[str, ...]:
    """The frame's columns the filter tells families apart by: a select_one or meta column
    itself, and for a select_multiple question the 0/1 column of each ticked answer."""
    found: list[str] = []
    for column, values in answer_filter.chosen:
        found.extend([column] if column in frame else
                     [multi_column(column, value) for value in values if multi_column(column, value) in frame])
    return tuple(found)


def _matches(frame: pd.DataFrame, column: str, values: tuple[str, ...]) -> pd.Series:
    """Who gave one of `values` to `column`: for a select_multiple question, who chose any of them."""
    if column in frame:
        return frame[column].astype("object").isin(values)
    chosen = pd.Series(False, index=frame.index)
    for value in values:
        if multi_column(column, value) in frame:
            chosen |= frame[multi_column(column, value)].fillna(0).astype(int).eq(1)
    return chosen


def _checks(frame: pd.DataFrame, within: tuple[str, ...], columns: tuple[str, ...]) -> list[list[str]]:
    """The column sets whose combinations must each hold no one or enough families: the
    filter's columns with each column a table splits groups by. A select_multiple question
    splits a group once per choice (those who chose it, and the others)."""
    found = [list(columns)]
    for question in within:
        split_by = [question] if question in frame else [c for c in frame.columns if c.startswith(question + "/")]
        found.extend([column, *(c for c in columns if c != column)] for column in split_by)
    return found


def narrowed(snap: snapshots.Snapshot, answer_filter: AnswerFilter, split: str | None, start: date | None,
             end: date | None, min_n: int, within: tuple[str, ...] = ()) -> Narrowed:
    """The snapshot with only the filter's respondents in `start`..`end`, leaving out every group of
    `split` where the filter's questions and `within` (what the table splits a group by) could
    single out fewer than `min_n` families. Without a filter, the snapshot itself."""
    if not answer_filter.active:
        return Narrowed(snap, ())

    def compute() -> Narrowed:
        frame = figures.filtered(snap, start, end)
        withheld: set[Any] = set()
        for columns in _checks(frame, within, _crossed(frame, answer_filter)):
            withheld |= withheld_groups(frame, columns, split, min_n)
        keep = pd.Series(True, index=frame.index)
        if None in withheld and not split:
            keep[:] = False
        elif split:
            named = {group for group in withheld if group is not None}
            groups = frame[split].astype("object")
            keep &= ~groups.isin(named)
            if None in withheld:
                keep &= groups.notna()
        for column, values in answer_filter.chosen:
            keep &= _matches(frame, column, values)
        # The tables of this snapshot are cached apart from the whole survey's: its key names the filter.
        key = cast(snapshots.Freshness, (*snap.key, (answer_filter.chosen, split, within, start, end, min_n)))
        return Narrowed(replace(snap, key=key, frame=frame[keep]),
                        tuple(sorted((ALL if not split else "") if group is None else str(group)
                                     for group in withheld)))

    return snapshots.derived(snap, "narrowed", (answer_filter.chosen, split, within, start, end, min_n), compute)


def summary(answer_filter: AnswerFilter, found: list[Option]) -> list[tuple[str, list[str]]]:
    """The filter as staff read it: each column's label and its chosen answers' labels."""
    labelled = {option.column: option for option in found}
    return [(labelled[column].label, [dict(labelled[column].choices).get(code, code) for code in values])
            for column, values in answer_filter.chosen if column in labelled]
