"""Published figures as rows for pages and downloads: the tables of `analysis` with their
codes turned into labels and their hidden cells into None, in the order readers expect."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from flask_babel import pgettext

from analysis.suppression import ALL, in_rank_order

from .figures import Labels


@dataclass(frozen=True)
class IssueRow:
    """One issue of one group, as published: every number is None when suppressed."""

    code: str
    label: str
    rank: int | None
    count: int | None
    share: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


def _value(value: Any, kind: type) -> Any:
    return None if pd.isna(value) else kind(value)


def issue_rows(table: pd.DataFrame, group: str, names: Labels) -> list[IssueRow]:
    """The group's issues, most chosen first; suppressed ones last, in the survey's order."""
    rows = in_rank_order(table[table["group"] == group])
    return [
        IssueRow(code=str(row["choice"]), label=names.issue(str(row["choice"])),
                 rank=_value(row["rank"], int), count=_value(row["count"], int),
                 share=_value(row["share"], float), ci_low=_value(row["ci_low"], float),
                 ci_high=_value(row["ci_high"], float), suppressed=bool(row["suppressed"]))
        for row in rows.to_dict("records")
    ]


def respondents(table: pd.DataFrame, group: str) -> int | None:
    """Respondents of the group who answered the issues question; None when suppressed."""
    rows = table.loc[table["group"] == group, "respondents"]
    return None if rows.empty else _value(rows.iloc[0], int)


@dataclass(frozen=True)
class ComparisonRow:
    code: str
    label: str
    share: float | None
    rest_share: float | None
    difference: float | None
    p_adjusted: float | None
    significant: bool
    tested: bool  # suppressed figures are not compared


def comparison_rows(compare: pd.DataFrame, group: str, names: Labels) -> list[ComparisonRow]:
    rows = compare[compare["group"] == group]
    return [
        ComparisonRow(code=str(row["choice"]), label=names.issue(str(row["choice"])),
                      share=_value(row["share"], float), rest_share=_value(row["rest_share"], float),
                      difference=_value(row["difference"], float), p_adjusted=_value(row["p_adjusted"], float),
                      significant=bool(row["significant"]), tested=not pd.isna(row["p_value"]))
        for row in rows.to_dict("records")
    ]


@dataclass(frozen=True)
class BreakdownColumn:
    code: str
    label: str
    respondents: int | None


@dataclass(frozen=True)
class BreakdownView:
    """A breakdown as a grid: one row per issue, one column per group (the state first)."""

    columns: list[BreakdownColumn]
    rows: list[tuple[str, str, list[IssueRow]]]  # issue code, label, one cell per column


def breakdown_view(table: pd.DataFrame, across: str, names: Labels) -> BreakdownView:
    groups = list(pd.unique(table["group"]))
    columns = [BreakdownColumn(str(g), names.group(across, str(g)), respondents(table, g)) for g in groups]
    cells = {g: {row.code: row for row in issue_rows(table, g, names)} for g in groups}
    order = [row.code for row in issue_rows(table, groups[0], names)] if groups else []
    return BreakdownView(columns=columns,
                         rows=[(code, names.issue(code), [cells[g][code] for g in groups]) for code in order])


@dataclass(frozen=True)
class FrequencyView:
    """One select question's frequency table as a grid: a row per choice, a column per group
    (everyone first), each cell an IssueRow (its numbers None where suppressed)."""

    question: str
    label: str
    columns: list[BreakdownColumn]
    rows: list[tuple[str, str, list[IssueRow]]]  # choice code, label, one cell per column


def frequency_view(table: pd.DataFrame, question: str, by: str | None, names: Labels) -> FrequencyView:
    """The choices in the survey's order (a frequency table describes, it does not rank)."""
    groups = list(pd.unique(table["group"]))
    columns = [BreakdownColumn(str(g), pgettext("staff", "Everyone") if g == ALL or by is None
                               else names.choice(by, str(g)), respondents(table, g)) for g in groups]
    cells: dict[Any, dict[str, IssueRow]] = {}
    for g in groups:
        rows = table[table["group"] == g]
        cells[g] = {str(row["choice"]): IssueRow(
            code=str(row["choice"]), label=names.choice(question, str(row["choice"])), rank=_value(row["rank"], int),
            count=_value(row["count"], int), share=_value(row["share"], float), ci_low=_value(row["ci_low"], float),
            ci_high=_value(row["ci_high"], float), suppressed=bool(row["suppressed"])) for row in rows.to_dict("records")}
    order = list(dict.fromkeys(str(code) for code in table["choice"]))
    return FrequencyView(question=question, label=names.questions.get(question, question), columns=columns,
                         rows=[(code, names.choice(question, code), [cells[g][code] for g in groups])
                               for code in order])
