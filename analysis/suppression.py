"""Keeping small numbers out of published tables.

Primary suppression: a group (a state, a partner) with fewer than ``min_n`` respondents is shown
as suppressed as a whole, and so is any cell counting fewer than ``min_n`` respondents. A
suppressed value is never shown, neither as a count nor as a share or interval.

Complementary suppression: a hidden cell must not be recoverable by subtraction. A "line" is a
set of cells that adds up to a published total. Whenever a line holds exactly one hidden cell
with a non-zero count, the smallest published non-zero cell of that line is hidden too (if there
is none, the line's total is hidden instead). Hidden zero cells do not count as protection,
since anyone may guess a zero. Hiding one cell can leave a single hidden cell in another line,
so the rule is applied again until no line needs it. Lines are:

* the groups: when each respondent belongs to at most one group (states, partners), the groups'
  respondents add up to the ALL total, so one suppressed state would be ALL minus the others.
  Respondents with no group (state not given) are not published separately, and are never
  relied on as the second hidden cell;
* each choice across the groups: for the same reason, a choice's counts in the groups add up to
  its count in ALL;
* the cells of a group, for select_one questions only: each respondent gives exactly one answer,
  so the cells add up to the group's respondents.

The cells of a select_multiple question (top issues) do not form a line: a respondent counts once
in each of up to three issues, so a group's issue counts add up to more than its respondents, by
an amount nobody outside knows, and subtracting the published issues from the respondents
recovers nothing.

This removes every single-subtraction disclosure; it is not a full audit against someone solving
several published tables together as equations.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis.counting import ChoiceCounts

ALL = "ALL"
DEFAULT_MIN_N = 10


@dataclass(frozen=True)
class Hidden:
    """Which parts of a ChoiceCounts table may not be published."""

    groups: np.ndarray  # (groups,) whole group hidden, its respondents included
    cells: np.ndarray  # (groups, choices)
    total: bool  # the ALL group as a whole
    total_cells: np.ndarray  # (choices,)


def _protect(hidden: np.ndarray, values: np.ndarray) -> int | None:
    """Index of the cell to hide so that a line is not left with one hidden non-zero cell.

    None when the line is safe; -1 when there is no published non-zero cell left to hide.
    """
    positive = values > 0
    if np.count_nonzero(hidden & positive) != 1:
        return None
    candidates = np.flatnonzero(~hidden & positive)
    if candidates.size == 0:
        return -1
    return int(candidates[np.argmin(values[candidates])])


def _complementary_step(t: ChoiceCounts, h: Hidden) -> Hidden | None:
    """Hide one more cell for the first unsafe line found; None when every line is safe."""
    if t.groups_add_up and not h.total:
        j = _protect(h.groups, t.respondents)
        if j == -1:
            return replace(h, total=True, total_cells=np.ones_like(h.total_cells))
        if j is not None:
            groups, cells = h.groups.copy(), h.cells.copy()
            groups[j], cells[j] = True, True
            return replace(h, groups=groups, cells=cells)
    if t.cells_add_up:
        if not h.total:
            j = _protect(h.total_cells, t.total_counts)
            if j is not None:
                if j == -1:
                    return replace(h, total=True, total_cells=np.ones_like(h.total_cells))
                total_cells = h.total_cells.copy()
                total_cells[j] = True
                return replace(h, total_cells=total_cells)
        for g in np.flatnonzero(~h.groups):
            j = _protect(h.cells[g], t.counts[g])
            if j is not None:
                groups, cells = h.groups.copy(), h.cells.copy()
                if j == -1:
                    groups[g], cells[g] = True, True
                else:
                    cells[g, j] = True
                return replace(h, groups=groups, cells=cells)
    if t.groups_add_up:
        for k in np.flatnonzero(~h.total_cells):
            j = _protect(h.cells[:, k], t.counts[:, k])
            if j is not None:
                if j == -1:
                    total_cells = h.total_cells.copy()
                    total_cells[k] = True
                    return replace(h, total_cells=total_cells)
                cells = h.cells.copy()
                cells[j, k] = True
                return replace(h, cells=cells)
    return None


def hidden_cells(
    t: ChoiceCounts,
    min_n: int = DEFAULT_MIN_N,
    *,
    hide_all: bool = False,
    hide_choices: np.ndarray | None = None,
) -> Hidden:
    """Primary then complementary suppression of a counts table.

    ``hide_all`` and ``hide_choices`` start from what another published table already hides:
    a breakdown within a state hides everything if the state table hides the state, and hides a
    choice in every row if the state table hides that choice for the state. Otherwise the
    breakdown's rows would give a lower bound for the hidden number.
    """
    forced = np.zeros(len(t.choices), dtype=bool) if hide_choices is None else hide_choices
    forced = np.asarray(forced, dtype=bool) | hide_all
    total = hide_all or t.total_respondents < min_n
    total_cells = total | (t.total_counts < min_n) | forced
    groups = hide_all | (t.respondents < min_n)
    cells = groups[:, None] | (t.counts < min_n) | forced[None, :]
    h = Hidden(groups=groups, cells=cells, total=bool(total), total_cells=total_cells)
    while (step := _complementary_step(t, h)) is not None:
        h = step
    return h


def suppress_table(
    table: pd.DataFrame,
    min_n: int = DEFAULT_MIN_N,
    *,
    cells_add_up: bool,
    groups_add_up: bool,
) -> pd.DataFrame:
    """Apply both suppression rules to a long table of ``group``, ``choice``, ``respondents``,
    ``count`` (one row per group and choice; the whole population is the group ``ALL``).

    Returns a copy where hidden respondents and counts are missing, with a bool ``suppressed``
    column per cell.
    """
    groups = [g for g in pd.unique(table["group"]) if g != ALL]
    choices = list(pd.unique(table["choice"]))
    counts = table.pivot(index="group", columns="choice", values="count")
    respondents = table.groupby("group", sort=False)["respondents"].first()
    t = ChoiceCounts(
        groups=tuple(groups),
        choices=tuple(choices),
        respondents=respondents.reindex(groups).to_numpy(dtype=np.int64),
        counts=counts.reindex(index=groups, columns=choices).to_numpy(dtype=np.int64),
        total_respondents=int(respondents[ALL]),
        total_counts=counts.loc[ALL, choices].to_numpy(dtype=np.int64),
        cells_add_up=cells_add_up,
        groups_add_up=groups_add_up,
    )
    h = hidden_cells(t, min_n)
    group_hidden = dict(zip(groups, h.groups, strict=True)) | {ALL: h.total}
    cell_hidden = pd.DataFrame(h.cells, index=groups, columns=choices)
    cell_hidden.loc[ALL] = h.total_cells
    cell_flag = cell_hidden.stack()
    keys = pd.MultiIndex.from_frame(table[["group", "choice"]])
    suppressed = cell_flag.reindex(keys).to_numpy(dtype=bool)
    whole = table["group"].map(group_hidden).to_numpy(dtype=bool)
    return table.assign(
        respondents=table["respondents"].astype("Int64").mask(whole),
        count=table["count"].astype("Int64").mask(suppressed),
        suppressed=suppressed,
    )


def in_rank_order(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a ranked table (from ``top_choices``) as every view shows them: published
    choices by rank, then suppressed ones, each in the survey's order."""
    return table.sort_values("rank", kind="stable", na_position="last")
