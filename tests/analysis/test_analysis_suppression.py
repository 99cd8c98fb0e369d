"""Primary and complementary suppression on constructed tables."""

import numpy as np
import pandas as pd

from analysis.counting import ChoiceCounts
from analysis.suppression import ALL, hidden_cells, suppress_table


def long_table(respondents: dict[str, int], counts: dict[str, list[int]], choices: list[str]) -> pd.DataFrame:
    rows = [
        {"group": g, "choice": c, "respondents": respondents[g], "count": counts[g][k]}
        for g in respondents
        for k, c in enumerate(choices)
    ]
    return pd.DataFrame(rows)


def hidden_pairs(table: pd.DataFrame) -> set[tuple[str, str]]:
    return set(map(tuple, table.loc[table["suppressed"], ["group", "choice"]].to_numpy()))


def test_suppress_table_small_group_gets_complement() -> None:
    table = long_table(
        {ALL: 105, "A": 50, "B": 30, "C": 5, "D": 20},
        {ALL: [68], "A": [30], "B": [20], "C": [3], "D": [15]},
        ["x"],
    )
    out = suppress_table(table, 10, cells_add_up=False, groups_add_up=True)
    # C alone would be ALL minus A, B and D: the next smallest group, D, goes too.
    assert hidden_pairs(out) == {("C", "x"), ("D", "x")}
    assert out.set_index("group")["respondents"].isna().to_dict() == {
        ALL: False, "A": False, "B": False, "C": True, "D": True
    }


def test_suppress_table_single_small_cell_in_column_gets_complement() -> None:
    table = long_table(
        {ALL: 120, "A": 50, "B": 40, "C": 30},
        {ALL: [36, 75], "A": [20, 25], "B": [4, 25], "C": [12, 25]},
        ["x", "y"],
    )
    out = suppress_table(table, 10, cells_add_up=False, groups_add_up=True)
    assert hidden_pairs(out) == {("B", "x"), ("C", "x")}
    assert out["respondents"].notna().all()  # no whole group hidden
    assert out.loc[out["suppressed"], "count"].isna().all()


def test_suppress_table_multi_select_cells_are_not_a_line() -> None:
    table = long_table({ALL: 40, "A": 40}, {ALL: [35, 4], "A": [35, 4]}, ["x", "y"])
    out = suppress_table(table, 10, cells_add_up=False, groups_add_up=False)
    # Issue counts do not add up to respondents, so only the small cells themselves go.
    assert hidden_pairs(out) == {(ALL, "y"), ("A", "y")}


def test_suppress_table_select_one_rows_and_total() -> None:
    table = long_table(
        {ALL: 80, "A": 40, "B": 40},
        {ALL: [55, 18, 7], "A": [30, 6, 4], "B": [25, 12, 3]},
        ["c1", "c2", "c3"],
    )
    out = suppress_table(table, 10, cells_add_up=True, groups_add_up=True)
    # B's c3 (3) alone in its row takes B's c2; ALL's c3 (7) alone in its row takes ALL's c2.
    assert hidden_pairs(out) == {
        ("A", "c2"), ("A", "c3"), ("B", "c2"), ("B", "c3"), (ALL, "c2"), (ALL, "c3")
    }


def test_hidden_cells_zero_groups_do_not_protect() -> None:
    t = ChoiceCounts(
        groups=("A", "B", "C", "D"),
        choices=("x",),
        respondents=np.array([50, 40, 0, 5]),
        counts=np.array([[30], [30], [0], [2]]),
        total_respondents=95,
        total_counts=np.array([62]),
        cells_add_up=False,
        groups_add_up=True,
    )
    h = hidden_cells(t, 10)
    assert h.groups.tolist() == [False, True, True, True]


def test_hidden_cells_hides_total_when_no_complement_left() -> None:
    t = ChoiceCounts(
        groups=("A",),
        choices=("x",),
        respondents=np.array([5]),
        counts=np.array([[5]]),
        total_respondents=25,
        total_counts=np.array([20]),
        cells_add_up=False,
        groups_add_up=True,
    )
    h = hidden_cells(t, 10)
    assert h.total and h.total_cells.all()


def test_hidden_cells_forced_choice_hidden_in_every_row() -> None:
    t = ChoiceCounts(
        groups=("A", "B"),
        choices=("x", "y"),
        respondents=np.array([50, 50]),
        counts=np.array([[30, 20], [30, 20]]),
        total_respondents=100,
        total_counts=np.array([60, 40]),
        cells_add_up=False,
        groups_add_up=True,
    )
    h = hidden_cells(t, 10, hide_choices=np.array([False, True]))
    assert h.total_cells.tolist() == [False, True]
    assert h.cells.tolist() == [[False, True], [False, True]]
    everything = hidden_cells(t, 10, hide_all=True)
    assert everything.total and everything.groups.all() and everything.cells.all()


def test_suppress_table_does_not_mutate_input() -> None:
    table = long_table({ALL: 15, "A": 15}, {ALL: [3], "A": [3]}, ["x"])
    before = table.copy()
    suppress_table(table, 10, cells_add_up=False, groups_add_up=True)
    pd.testing.assert_frame_equal(table, before)
