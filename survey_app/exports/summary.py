"""The summary tables staff download, suppressed exactly as the report pages show them (fit to share
with partners): the top issues of every state with the comparison, one state's breakdown, and for a
survey that ranks nothing, every question's frequency table."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pandas as pd
from flask_babel import pgettext

from ..reporting import figures
from ..reporting import rows as report_rows

SUMMARY_COLUMNS = ["state", "state_name", "issue", "issue_name", "respondents", "count", "share", "ci_low",
                   "ci_high", "rank", "share_other_states", "difference", "p_adjusted_holm", "significant"]
BREAKDOWN_COLUMNS = ["state", "breakdown", "group", "group_name", "respondents", "issue", "issue_name", "count",
                     "share", "ci_low", "ci_high", "rank"]
QUESTION_COLUMNS = ["question", "question_label", "group", "group_name", "respondents", "choice", "choice_name",
                    "count", "share", "ci_low", "ci_high"]


def published(value: Any, digits: int | None = None) -> Any:
    """A published number, or the word "suppressed" in its place."""
    if value is None:
        return pgettext("staff", "suppressed")
    return round(value, digits) if digits is not None else value


def _rounded(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


def summary_rows(tables: figures.Tables, names: figures.Labels) -> list[list[Any]]:
    """Every state's issues (ALL first) with the comparison, as published on the pages."""
    compared = {(row.code, group): row for group in dict.fromkeys(tables.compare["group"])
                for row in report_rows.comparison_rows(tables.compare, group, names)}
    rows = []
    for group in dict.fromkeys(tables.top["group"]):
        for issue in report_rows.issue_rows(tables.top, group, names):
            versus = compared.get((issue.code, group))
            if versus is None or not versus.tested:
                versus_cells: list[Any] = ["", "", "", ""]
            else:
                versus_cells = [_rounded(versus.rest_share), _rounded(versus.difference), _rounded(versus.p_adjusted),
                                "yes" if versus.significant else "no"]
            rows.append([
                group, names.state(group), issue.code, issue.label,
                published(report_rows.respondents(tables.top, group)), published(issue.count),
                published(issue.share, 4), published(issue.ci_low, 4), published(issue.ci_high, 4),
                published(issue.rank), *versus_cells,
            ])
    return rows


def breakdown_rows(table: pd.DataFrame, state: str, across: str, names: figures.Labels) -> list[list[Any]]:
    """One state's issues in each group of the breakdown `across`."""
    return [
        [state, across, group, names.group(across, group), published(report_rows.respondents(table, group)),
         issue.code, issue.label, published(issue.count), published(issue.share, 4), published(issue.ci_low, 4),
         published(issue.ci_high, 4), published(issue.rank)]
        for group in dict.fromkeys(table["group"]) for issue in report_rows.issue_rows(table, group, names)
    ]


def question_rows(views: list[report_rows.FrequencyView]) -> list[list[Any]]:
    """Every select question's frequency table, long: one row per group and choice."""
    return [
        [view.question, view.label, column.code, column.label, published(column.respondents), code, label,
         published(cell.count), published(cell.share, 4), published(cell.ci_low, 4), published(cell.ci_high, 4)]
        for view in views for code, label, cells in view.rows
        for column, cell in zip(view.columns, cells, strict=True)
    ]


def about_rows(slug: str, dates: Any, limit: int) -> list[list[Any]]:
    """The workbook's "about" sheet: what the figures are and how they were suppressed."""
    return [
        [pgettext("staff", "Survey"), slug],
        [pgettext("staff", "From"), dates.start.isoformat() if dates.start else pgettext("staff", "first response")],
        [pgettext("staff", "To"), dates.end.isoformat() if dates.end else pgettext("staff", "latest response")],
        [pgettext("staff", "Made"), datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")],
        [pgettext("staff", "Suppression"), pgettext(
            "staff", "A group with fewer than %(number)d respondents, and an issue chosen by fewer than %(number)d of "
                     "them, shows “suppressed”, as does the next smallest figure where a suppressed one could be "
                     "worked out by subtraction.", number=limit)],
        [pgettext("staff", "Shares"), pgettext(
            "staff", "share, ci_low and ci_high are fractions (0.25 is a quarter of the respondents): the share who "
                     "chose the issue and its %(level)s Wilson interval. Respondents could choose up to three "
                     "issues.", level="95%")],
        [pgettext("staff", "Comparison"), pgettext(
            "staff", "Each state against all respondents outside it (two-proportion z test), p-values adjusted with "
                     "the Holm correction over the issues of the state; significant when below 0.05.")],
    ]
