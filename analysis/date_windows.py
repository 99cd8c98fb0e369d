"""Date filters that cannot be differenced.

Two date ranges that differ by a few days can differ by one respondent: comparing the
two tables then shows that person's answers, although every group in each table is
large enough to publish. The defence here is to let a date range start and end only
at week boundaries chosen so that, between two neighbouring boundaries, every group
(each value of `by`, responses without one included) has either no responses or at
least `min_n`. Any two ranges built from such boundaries then differ, in every group,
by nobody or by at least `min_n` respondents, as any published group does.

Boundaries are found week by week from the first response, greedily: a week closes a
segment as soon as every group in the segment is empty or large enough. Later
responses never move an earlier boundary. The weeks after the last boundary (the
current week always among them when it has responses) form an open tail, which every
range includes: while there is one, a range runs up to today whatever end was asked
for, since a range ending earlier would differ from "up to today" by the tail alone.

Pure pandas, no Flask: the frame's `submitted_at` is UTC (as `analysis.read` gives it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

NO_GROUP = "\0none"


@dataclass(frozen=True)
class Weeks:
    """The Mondays of the weeks that hold responses, in order, and after which of them
    (by position) a date range may end."""

    starts: tuple[dt.date, ...]
    closes_segment: tuple[bool, ...]


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def segment_weeks(frame: pd.DataFrame, by: str | None, min_n: int, today: dt.date) -> Weeks:
    """The weeks of `frame`'s responses, each marked with whether a boundary follows it.
    The week of `today` is not over: it never closes a segment, since a response still
    to come this week would change what a range ending on Sunday holds."""
    if frame.empty:
        return Weeks((), ())
    days = frame["submitted_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    weeks = (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).dt.date
    if by is None:  # one group: everyone
        groups = pd.Series(NO_GROUP, index=frame.index)
    else:
        groups = frame[by].astype(object).where(frame[by].notna(), NO_GROUP).astype(str)
    counts = pd.crosstab(weeks, groups).sort_index()
    running = pd.Series(0, index=counts.columns)
    closes = []
    for monday, week in counts.iterrows():
        running = running + week
        safe = monday < week_start(today) and bool(((running == 0) | (running >= min_n)).all())
        closes.append(safe)
        if safe:
            running[:] = 0
    return Weeks(tuple(counts.index), tuple(closes))


def widen(start: dt.date | None, end: dt.date | None, weeks: Weeks) -> tuple[dt.date | None, dt.date | None]:
    """The smallest range made of whole segments that holds every response from `start`
    to `end` (both days included). None is an open bound: from the first response, or
    up to today (always, while there is an open tail). A range that holds no response
    at all is returned as it is."""
    starts, closes = weeks.starts, weeks.closes_segment
    first = 0 if start is None else next((i for i, monday in enumerate(starts) if monday >= week_start(start)), None)
    last = (len(starts) - 1 if end is None
            else max((i for i, monday in enumerate(starts) if monday <= week_start(end)), default=None))
    if first is None or last is None or first > last:
        return start, end
    opening = first
    while opening > 0 and not closes[opening - 1]:
        opening -= 1
    # An end is kept only while no response waits in an open tail: the range "up to today"
    # holds the tail, and a range ending earlier would differ from it by the tail alone.
    tail_is_empty = bool(closes) and closes[-1]
    closing = (next((i for i in range(last, len(starts)) if closes[i]), None)
               if end is not None and tail_is_empty else None)
    return (starts[opening] if opening > 0 else None,
            starts[closing] + dt.timedelta(days=6) if closing is not None else None)
