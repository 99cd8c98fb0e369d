"""Looking inside one group: breakdowns by another column, date ranges, any select question.

Every table here has the same columns as ``summary.top_choices`` and goes through the same
suppression, so any of them can be published next to the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.counting import count_choices
from analysis.definition import DECLARED, SELECT_MULTIPLE, declared, multi_column, question, ranked_question
from analysis.summary import build_table, choice_table
from analysis.suppression import ALL, DEFAULT_MIN_N, hidden_cells

DateLike = str | dt.date | dt.datetime | pd.Timestamp


def _utc(value: DateLike) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    # Stored times are UTC; a bound given without a zone is read as UTC too.
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _whole_day(value: DateLike) -> bool:
    if isinstance(value, str):
        return len(value.strip()) == 10
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def filter_dates(
    frame: pd.DataFrame, start: DateLike | None = None, end: DateLike | None = None
) -> pd.DataFrame:
    """Responses submitted from ``start`` to ``end``, both included.

    A date without a time (``"2026-10-31"``) as ``end`` includes that whole day, which is what
    "from 1 to 31 October" means to a reader. Either bound may be None (open).
    """
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= frame["submitted_at"] >= _utc(start)
    if end is not None:
        if _whole_day(end):
            keep &= frame["submitted_at"] < _utc(end) + pd.Timedelta(days=1)
        else:
            keep &= frame["submitted_at"] <= _utc(end)
    return frame.loc[keep.to_numpy()].copy()


def frequency_table(
    frame: pd.DataFrame,
    definition: Mapping[str, Any],
    question: str,
    by: str | None = None,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """Counts and shares of every choice of any select question, overall or per ``by`` group.

    For a select_one question (a 1-5 rating, interpreter availability) each respondent counts
    once, so a group's shares add up to 1 and its cells to its respondents; suppression then
    also protects each row. Columns as in ``summary.top_choices``.
    """
    return build_table(*choice_table(frame, definition, question, by, min_n))


def _members(frame: pd.DataFrame, definition: Mapping[str, Any], by: str, group: str) -> np.ndarray:
    if by in frame.columns:
        return (frame[by] == group).fillna(False).to_numpy(dtype=bool)
    if question(definition, by).type != SELECT_MULTIPLE:
        raise KeyError(f"column {by!r} is not in the frame")
    return (frame[multi_column(by, group)] == 1).fillna(False).to_numpy(dtype=bool)


def breakdown(
    frame: pd.DataFrame,
    definition: Mapping[str, Any],
    group: str,
    across: str,
    question: str = DECLARED,
    by: str | None = DECLARED,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """Shares of ``question`` within one ``by`` group (a state), broken down ``across`` another
    column: any select question, or the response's ``language``, ``partner`` or ``channel``.
    ``question`` and ``by`` default to what the survey declares (``report_rank``, ``report_group``);
    with no grouping, ``group`` must be ``ALL``.

    For a select_multiple ``across`` (home languages) a respondent counts in each group they
    chose. The ``ALL`` row is the whole ``group``. Whatever the ``by`` table hides for that group
    stays hidden here in every row (a hidden state hides its whole breakdown), so the two tables
    never disagree and a breakdown never bounds a hidden number. Groups nobody in
    ``group`` belongs to (another state's partners) are left out: an empty group discloses no
    one and cannot protect a hidden one.
    """
    question = ranked_question(definition, question)
    by = declared(definition, "report_group", by)
    counts, hidden = choice_table(frame, definition, question, by, min_n)
    if group == ALL:
        parent_total, parent_cells = hidden.total, hidden.total_cells
        subset = frame
    else:
        if by is None or group not in counts.groups:
            raise KeyError(f"{group!r} is not a group of {by!r}")
        at = counts.groups.index(group)
        parent_total, parent_cells = bool(hidden.groups[at]), hidden.cells[at]
        subset = frame.loc[_members(frame, definition, by, group)]
    inner = count_choices(subset, definition, question, across)
    inner_hidden = hidden_cells(inner, min_n, hide_all=parent_total, hide_choices=parent_cells)
    table = build_table(inner, inner_hidden)
    empty = [g for g, n in zip(inner.groups, inner.respondents, strict=True) if n == 0]
    return table[~table["group"].isin(empty)].reset_index(drop=True)
