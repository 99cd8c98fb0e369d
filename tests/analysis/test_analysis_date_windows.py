"""Date windows: any two widened ranges differ, in every group, by nobody or by at least
the minimum; boundaries never move when later responses arrive."""
from __future__ import annotations

import datetime as dt
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from analysis.date_windows import segment_weeks, widen

MIN_N = 10
TODAY = dt.date(2026, 12, 6)
FIRST = dt.date(2026, 9, 1)


def trickle(seed: int, days: int = 90) -> pd.DataFrame:
    """Responses on random days in random states, some busy days, some lone ones."""
    rng = np.random.default_rng(seed)
    per_day = rng.choice([0, 0, 0, 1, 2, 5, 14], size=days)
    stamps, states = [], []
    for offset, count in enumerate(per_day):
        for _ in range(count):
            stamps.append(pd.Timestamp(FIRST + dt.timedelta(days=int(offset)), tz="UTC") + pd.Timedelta(hours=9))
            states.append(rng.choice(["MN", "NY", "WA", None], p=[0.4, 0.4, 0.15, 0.05]))
    return pd.DataFrame({"submitted_at": stamps, "state": states})


def counts_in(frame: pd.DataFrame, start: dt.date | None, end: dt.date | None) -> pd.Series:
    days = frame["submitted_at"].dt.date
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= days >= start
    if end is not None:
        keep &= days <= end
    return frame.loc[keep, "state"].fillna("none").value_counts()


@pytest.mark.parametrize("seed", range(8))
def test_analysis_date_windows_ranges_never_differ_by_a_few(seed):
    frame = trickle(seed)
    weeks = segment_weeks(frame, "state", MIN_N, TODAY)
    days = [FIRST + dt.timedelta(days=n) for n in range(-3, 95, 4)]
    ranges = {widen(start, end, weeks) for start, end in
              [(None, None), *((None, d) for d in days), *((d, None) for d in days), *combinations(days[::2], 2)]}
    # An empty range tells nothing that the other range's own, suppressed table does not.
    tables = [table for table in (counts_in(frame, start, end) for start, end in ranges) if not table.empty]
    for one, other in combinations(tables, 2):
        difference = one.sub(other, fill_value=0).abs()
        assert ((difference == 0) | (difference >= MIN_N)).all(), (one.to_dict(), other.to_dict())


def busy(weeks: int) -> pd.DataFrame:
    stamps = [pd.Timestamp(FIRST, tz="UTC") + pd.Timedelta(days=7 * week + 1) for week in range(weeks) for _ in range(24)]
    return pd.DataFrame({"submitted_at": stamps, "state": ["MN", "NY"] * (12 * weeks)})


def test_analysis_date_windows_boundaries_do_not_move_with_later_responses():
    earlier_frame = busy(4)
    later_frame = pd.concat([earlier_frame, trickle(3).assign(submitted_at=lambda f: f["submitted_at"]
                                                              + pd.Timedelta(days=35))], ignore_index=True)
    earlier = segment_weeks(earlier_frame, "state", MIN_N, dt.date(2026, 10, 5))
    later = segment_weeks(later_frame, "state", MIN_N, TODAY)
    closed = [monday for monday, closes in zip(earlier.starts, earlier.closes_segment) if closes]
    assert closed and all(later.closes_segment[later.starts.index(monday)] for monday in closed)


def test_analysis_date_windows_this_week_never_closes():
    frame = pd.DataFrame({"submitted_at": [pd.Timestamp("2026-12-07 09:00", tz="UTC")] * 20, "state": ["MN"] * 20})
    weeks = segment_weeks(frame, "state", MIN_N, dt.date(2026, 12, 8))
    assert weeks.closes_segment == (False,)
    assert widen(None, dt.date(2026, 12, 7), weeks) == (None, None)


def test_analysis_date_windows_busy_weeks_keep_weekly_ranges():
    """When every state has at least the minimum each week, a range is only rounded to weeks."""
    weeks = segment_weeks(busy(6), "state", MIN_N, TODAY)
    assert all(weeks.closes_segment)
    assert widen(dt.date(2026, 9, 10), dt.date(2026, 9, 23), weeks) == (dt.date(2026, 9, 7), dt.date(2026, 9, 27))
