"""Top choices per group, with intervals, ranks, comparisons and suppression applied.

All tables are long: one row per (group, choice), the whole population first as group ``ALL``,
then the groups in the order of the grouping column's categories, choices in definition order.
A group whose ``respondents`` is missing is suppressed as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.counting import ChoiceCounts, count_choices
from analysis.definition import DECLARED, declared, ranked_question
from analysis.stats import holm_adjust, two_proportion_test, wilson_interval
from analysis.suppression import ALL, DEFAULT_MIN_N, Hidden, hidden_cells, in_rank_order

TABLE_COLUMNS = [
    "group", "choice", "respondents", "count", "share", "ci_low", "ci_high", "rank", "suppressed",
]  # fmt: skip
COMPARE_COLUMNS = [
    "group", "choice", "share", "rest_share", "difference", "p_value", "p_adjusted", "significant",
]  # fmt: skip


def _ranks(counts: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Rank 1 = most chosen within each row, ties sharing the best rank ('min').

    Only published cells are ranked, so a rank never hints where a hidden cell lies.
    """
    shown = np.where(hidden, -1, counts)
    greater = (shown[:, None, :] > shown[:, :, None]) & ~hidden[:, None, :]
    ranks: np.ndarray = 1 + greater.sum(axis=2)
    return ranks


def build_table(t: ChoiceCounts, h: Hidden) -> pd.DataFrame:
    """Long table of counts, shares, Wilson intervals and ranks, hidden values missing."""
    labels = [ALL, *t.groups]
    respondents = np.concatenate([[t.total_respondents], t.respondents]).astype(np.int64)
    counts = np.vstack([t.total_counts[None, :], t.counts]).astype(np.int64)
    group_hidden = np.concatenate([[h.total], h.groups]).astype(bool)
    cell_hidden = np.vstack([h.total_cells[None, :], h.cells]).astype(bool)
    k = len(t.choices)
    n = np.repeat(respondents, k).astype(float)
    count = counts.ravel().astype(float)
    hidden = cell_hidden.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = count / n
    low, high = wilson_interval(count, n)

    def published(values: np.ndarray, dtype: str, mask: np.ndarray = hidden) -> pd.array:
        return pd.array(np.where(mask, np.nan, values), dtype=dtype)

    return pd.DataFrame(
        {
            "group": np.repeat(np.array(labels, dtype=object), k),
            "choice": np.tile(np.array(t.choices, dtype=object), len(labels)),
            "respondents": published(n, "Int64", np.repeat(group_hidden, k)),
            "count": published(count, "Int64"),
            "share": published(share, "Float64"),
            "ci_low": published(low, "Float64"),
            "ci_high": published(high, "Float64"),
            "rank": published(_ranks(counts, cell_hidden).ravel(), "Int64"),
            "suppressed": hidden,
        }
    )


def choice_table(
    frame: pd.DataFrame,
    definition: Mapping[str, Any],
    question: str,
    by: str | None,
    min_n: int = DEFAULT_MIN_N,
) -> tuple[ChoiceCounts, Hidden]:
    """Counts of a select question and what suppression hides in them."""
    counts = count_choices(frame, definition, question, by)
    return counts, hidden_cells(counts, min_n)


def top_choices(
    frame: pd.DataFrame,
    definition: Mapping[str, Any],
    question: str = DECLARED,
    by: str | None = DECLARED,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """Share of respondents choosing each choice, per ``by`` group and for ALL respondents.

    ``question`` and ``by`` default to what the survey's settings declare (``report_rank`` and
    ``report_group``); ``by=None`` gives ALL only.

    Columns: group, choice, respondents (who answered the question), count, share, ci_low and
    ci_high (Wilson 95%), rank (1 = most chosen, ties share the best rank), suppressed.
    """
    return build_table(*choice_table(frame, definition, ranked_question(definition, question),
                                     declared(definition, "report_group", by), min_n))


def compare_table(t: ChoiceCounts, h: Hidden, alpha: float = 0.05) -> pd.DataFrame:
    """Each group against everyone else who answered, Holm-adjusted within each group."""
    k = len(t.choices)
    rest_n = (t.total_respondents - t.respondents)[:, None].astype(float)
    rest_count = (t.total_counts[None, :] - t.counts).astype(float)
    n = t.respondents[:, None].astype(float)
    tested = ~h.cells & ~h.total_cells[None, :] & ~h.groups[:, None] & (not h.total) & (rest_n > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = t.counts / n
        rest_share = rest_count / rest_n
    p = np.where(tested, two_proportion_test(t.counts, n, rest_count, rest_n), np.nan)
    adjusted = np.vstack([holm_adjust(row) for row in p]) if len(p) else p
    significant = tested & (np.nan_to_num(adjusted, nan=1.0) < alpha)

    def shown(values: np.ndarray) -> pd.array:
        return pd.array(np.where(tested, values, np.nan).ravel(), dtype="Float64")

    return pd.DataFrame(
        {
            "group": np.repeat(np.array(t.groups, dtype=object), k),
            "choice": np.tile(np.array(t.choices, dtype=object), len(t.groups)),
            "share": shown(share),
            "rest_share": shown(rest_share),
            "difference": shown(share - rest_share),
            "p_value": shown(p),
            "p_adjusted": shown(adjusted),
            "significant": significant.ravel(),
        },
        columns=COMPARE_COLUMNS,
    )


def compare_groups(
    frame: pd.DataFrame,
    definition: Mapping[str, Any],
    question: str = DECLARED,
    by: str = DECLARED,
    min_n: int = DEFAULT_MIN_N,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each group's share of each choice against the rest of the respondents.

    The rest is everyone else who answered the question (ALL minus the group), so it reveals
    nothing the published table does not. The pooled two-proportion z test gives ``p_value``;
    ``p_adjusted`` is Holm-adjusted over the choices of the group, and ``significant`` means
    ``p_adjusted < alpha``. Suppressed cells are not tested and show missing values.
    """
    grouping = declared(definition, "report_group", by)
    if grouping is None:
        raise KeyError("the survey declares no question to compare groups of (the report_group setting)")
    return compare_table(*choice_table(frame, definition, ranked_question(definition, question), grouping, min_n),
                         alpha=alpha)


def _number(value: Any, digits: int | None = None) -> Any:
    if pd.isna(value):
        return None
    return round(float(value), digits) if digits is not None else int(value)


def summary_dict(
    frame: pd.DataFrame,
    definition: Mapping[str, Any],
    question: str = DECLARED,
    by: str | None = DECLARED,
    min_n: int = DEFAULT_MIN_N,
    groups: Sequence[str] | None = None,
) -> dict[str, Any]:
    """JSON-ready summary: ``{"survey", "min_n", "<by>s": {group: {...}}}``.

    Each group (``ALL`` first) has ``respondents``, ``suppressed`` and ``issues``: the choices
    ranked, suppressed ones last with null numbers. Shares are fractions rounded to 3 decimals.
    ``groups`` limits the output to some groups; suppression is still decided on the whole table
    so that the subset agrees with every other published view.
    """
    by = declared(definition, "report_group", by)
    table = top_choices(frame, definition, question, by, min_n)
    if groups is not None:
        unknown = set(groups) - set(table["group"])
        if unknown:
            raise KeyError(f"no such {by}: {', '.join(sorted(unknown))}")
        table = table[table["group"].isin(list(groups))]
    ordered: dict[str, Any] = {}
    for group in pd.unique(table["group"]):
        rows = in_rank_order(table[table["group"] == group])
        respondents = rows["respondents"].iloc[0]
        ordered[str(group)] = {
            "respondents": _number(respondents),
            "suppressed": bool(pd.isna(respondents)),
            "issues": [
                {
                    "code": str(row["choice"]),
                    "count": _number(row["count"]),
                    "share": _number(row["share"], 3),
                    "ci_low": _number(row["ci_low"], 3),
                    "ci_high": _number(row["ci_high"], 3),
                    "rank": _number(row["rank"]),
                    "suppressed": bool(row["suppressed"]),
                }
                for row in rows.to_dict("records")
            ],
        }
    survey = definition.get("settings", {}).get("form_id")
    return {"survey": survey, "min_n": min_n, f"{by or 'group'}s": ordered}
