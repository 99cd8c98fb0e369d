"""The partner portal's counts: one partner's responses per day, response language,
group (the survey's `report_group` question, the state for Family Voices) and channel,
under the small-group rule. Pure pandas, frame in and tables out.

Each table is one line in the sense of `analysis.suppression`: its rows add up to the
partner's total. A row with fewer than `min_n` responses is hidden (primary), and when
that would leave a single hidden row, the smallest other row is hidden too
(complementary), so no hidden count is the total minus the rows shown.
"""
from __future__ import annotations

import pandas as pd

from analysis.suppression import ALL, suppress_table

BREAKDOWNS = ("day", "language", "group", "channel")
TOTAL = ALL


def breakdown_values(frame: pd.DataFrame, group: str | None) -> dict[str, pd.Series]:
    """The value each response has in each breakdown, from a frame with the columns
    `submitted_at` (ISO text or datetimes, UTC), `language`, `channel` and the `group`
    question's (no "group" breakdown when the survey declares none)."""
    submitted = pd.to_datetime(frame["submitted_at"], utc=True, format="ISO8601")
    values = {
        "day": submitted.dt.strftime("%Y-%m-%d"),
        "language": frame["language"],
        "channel": frame["channel"],
    }
    if group is not None:
        values["group"] = frame[group]
    return values


def count_table(values: pd.Series, min_n: int) -> pd.DataFrame:
    """Responses per value, sorted by value (never by count, which would hint at the
    size of hidden rows), then the total as the row `TOTAL`.

    Columns: `value`, `count` (missing when hidden), `hidden`, and `small` (hidden
    because it has fewer than `min_n` responses, rather than to protect another row).
    A response without a value (no state given) counts in the total only.
    """
    total = len(values)
    counts = values.dropna().astype(str).value_counts().sort_index()
    counts = counts[counts > 0]
    long = pd.DataFrame({
        "group": [*counts.index, TOTAL],
        "choice": "responses",
        "respondents": [*counts.to_list(), total],
        "count": [*counts.to_list(), total],
    })
    if counts.empty:
        hidden = pd.Series([total < min_n])
    else:
        suppressed = suppress_table(long, min_n, cells_add_up=False, groups_add_up=True)
        hidden = suppressed["respondents"].isna()
    return pd.DataFrame({
        "value": long["group"],
        "count": long["respondents"].astype("Int64").mask(hidden.to_numpy()),
        "hidden": hidden.to_numpy(dtype=bool),
        "small": (long["respondents"] < min_n).to_numpy(dtype=bool),
    })


def partner_counts(frame: pd.DataFrame, group: str | None, min_n: int) -> dict[str, pd.DataFrame]:
    """One `count_table` per breakdown, for a frame holding one partner's responses."""
    values = breakdown_values(frame, group)
    return {name: count_table(values[name], min_n) for name in BREAKDOWNS if name in values}
