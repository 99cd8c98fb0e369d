"""The partner portal's counts: one partner's responses per week (with a running total and
the share of the partner's target), per response language, group (the survey's `report_group`
question, the state for Family Voices) and channel. Pure pandas, frame in and tables out.

The counts are exact, small ones included. They count only the partner's own responses, the
very rows the partner can download one by one from the same page, so hiding a small count
here would protect no one from the partner and would only make the page disagree with the
download. The small-group rule protects families where counts leave the organisation that
collected them: the partnership's reports, summaries and fact sheets.
"""
from __future__ import annotations

import pandas as pd

from analysis.suppression import ALL

BREAKDOWNS = ("language", "group", "channel")
TOTAL = ALL


def breakdown_values(frame: pd.DataFrame, group: str | None) -> dict[str, pd.Series]:
    """The value each response has in each breakdown, from a frame with the columns
    `language`, `channel` and the `group` question's (no "group" breakdown when the survey
    declares none)."""
    values = {"language": frame["language"], "channel": frame["channel"]}
    if group is not None:
        values["group"] = frame[group]
    return values


def count_table(values: pd.Series) -> pd.DataFrame:
    """Responses per value, sorted by value, then the total as the row `TOTAL`.
    Columns: `value`, `count`. A response without a value (no state given) counts in the
    total only."""
    counts = values.dropna().astype(str).value_counts().sort_index()
    return pd.DataFrame({"value": [*counts.index, TOTAL], "count": [*counts.to_list(), len(values)]})


def weekly_progress(submitted_at: pd.Series, target: int | None) -> pd.DataFrame:
    """Responses per week (weeks start on Monday, UTC), every week from the first response
    to the last, empty ones included, with the running total and its share of `target`.
    Columns: `week` (the Monday, YYYY-MM-DD), `count`, `running_total`, `share_of_target`."""
    columns = ["week", "count", "running_total", "share_of_target"]
    if submitted_at.empty:
        return pd.DataFrame(columns=columns)
    days = pd.to_datetime(submitted_at, utc=True, format="ISO8601").dt.tz_localize(None).dt.normalize()
    mondays = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    weeks = pd.date_range(mondays.min(), mondays.max(), freq="7D")
    counts = mondays.value_counts().reindex(weeks, fill_value=0).astype(int)
    running = counts.cumsum()
    return pd.DataFrame({
        "week": weeks.strftime("%Y-%m-%d"),
        "count": counts.to_numpy(),
        "running_total": running.to_numpy(),
        "share_of_target": running.to_numpy() / target if target else float("nan"),
    }, columns=columns)


def partner_counts(frame: pd.DataFrame, group: str | None) -> dict[str, pd.DataFrame]:
    """One `count_table` per breakdown, for a frame holding one partner's responses."""
    values = breakdown_values(frame, group)
    return {name: count_table(values[name]) for name in BREAKDOWNS if name in values}
