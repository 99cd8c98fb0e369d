"""Properties that must hold for any data: valid statistics and nothing small published."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.breakdowns import breakdown, frequency_table
from analysis.counting import count_choices
from analysis.summary import compare_groups, top_choices
from tests.analysis.conftest import load_definition

DEFINITION = load_definition()
STATES = ["CA", "MN", "NY", "TN", "WA"]
ISSUES = ["language_access", "safety", "newcomers", "fair_testing", "public_data"]
RATINGS = ["1", "3", "5", "dont_know"]

respondent = st.fixed_dictionaries(
    {"state": st.sampled_from(STATES)},
    optional={
        "top_issues": st.lists(st.sampled_from(ISSUES), min_size=1, max_size=3, unique=True),
        "school_communication": st.sampled_from(RATINGS),
        "role": st.sampled_from(["parent", "student", "community"]),
    },
)
# A few respondents each repeated, so group and cell sizes land on both sides of min_n.
crowds = st.lists(st.tuples(respondent, st.integers(1, 12)), max_size=25).map(
    lambda pairs: [person for person, times in pairs for _ in range(times)]
)
min_ns = st.integers(1, 15)
checked = settings(max_examples=60, deadline=None)


def published(table: pd.DataFrame) -> pd.DataFrame:
    return table[~table["suppressed"]]


def assert_valid_statistics(table: pd.DataFrame, min_n: int) -> None:
    shown = published(table)
    assert shown["share"].between(0, 1).all()
    assert (shown["ci_low"] <= shown["share"]).all() and (shown["share"] <= shown["ci_high"]).all()
    assert (shown["count"] >= min_n).all()
    assert (table["respondents"].dropna() >= min_n).all()
    hidden = table[table["suppressed"]]
    assert hidden[["count", "share", "ci_low", "ci_high", "rank"]].isna().all().all()


def assert_single_hidden_never_alone(hidden: np.ndarray, true_values: np.ndarray) -> None:
    """Subtracting the published cells of a line from its published total leaves either nothing
    hidden or the sum of at least two non-empty hidden cells, never one cell's value."""
    assert np.count_nonzero(hidden & (true_values > 0)) != 1


@checked
@given(crowd=crowds, min_n=min_ns)
def test_top_choices_properties(frame_builder, crowd, min_n) -> None:
    frame = frame_builder(crowd)
    table = top_choices(frame, DEFINITION, min_n=min_n)
    assert_valid_statistics(table, min_n)
    truth = count_choices(frame, DEFINITION, "top_issues", "state")
    groups = table[table["group"] != "ALL"]
    group_hidden = groups.groupby("group", sort=False)["respondents"].first().isna()
    group_hidden = group_hidden.reindex(list(truth.groups)).to_numpy()
    total = table[table["group"] == "ALL"].set_index("choice")
    if total["respondents"].notna().all():
        assert_single_hidden_never_alone(group_hidden, truth.respondents)
    cells = groups.pivot(index="group", columns="choice", values="suppressed")
    cells = cells.reindex(index=list(truth.groups), columns=list(truth.choices)).to_numpy(dtype=bool)
    for k, choice in enumerate(truth.choices):
        if not total.loc[choice, "suppressed"]:
            assert_single_hidden_never_alone(cells[:, k], truth.counts[:, k])


@checked
@given(crowd=crowds, min_n=min_ns)
def test_frequency_table_properties(frame_builder, crowd, min_n) -> None:
    frame = frame_builder(crowd)
    table = frequency_table(frame, DEFINITION, "school_communication", by="state", min_n=min_n)
    assert_valid_statistics(table, min_n)
    truth = count_choices(frame, DEFINITION, "school_communication", "state")
    rows = {g: part for g, part in table.groupby("group", sort=False)}
    for g, counts in zip(["ALL", *truth.groups], [truth.total_counts, *truth.counts], strict=True):
        part = rows[g]
        if part["respondents"].notna().all():
            # Answers to a select_one question add up to the group's respondents.
            assert_single_hidden_never_alone(part["suppressed"].to_numpy(), counts)
    shown = published(table)
    assert (shown.groupby("group")["share"].sum() <= 1 + 1e-9).all()


@checked
@given(crowd=crowds, min_n=min_ns)
def test_compare_groups_properties(frame_builder, crowd, min_n) -> None:
    frame = frame_builder(crowd)
    result = compare_groups(frame, DEFINITION, min_n=min_n)
    table = top_choices(frame, DEFINITION, min_n=min_n).set_index(["group", "choice"])
    tested = result.dropna(subset=["p_value"])
    assert not table.loc[list(zip(tested["group"], tested["choice"], strict=True)), "suppressed"].any()
    assert tested["p_value"].between(0, 1).all()
    assert (tested["p_adjusted"] >= tested["p_value"] - 1e-12).all()
    assert not result.loc[result["p_value"].isna(), "significant"].any()


@checked
@given(crowd=crowds, min_n=min_ns, state=st.sampled_from(STATES))
def test_breakdown_properties(frame_builder, crowd, min_n, state) -> None:
    frame = frame_builder(crowd)
    table = breakdown(frame, DEFINITION, state, "role", min_n=min_n)
    assert_valid_statistics(table, min_n)
    parent = top_choices(frame, DEFINITION, min_n=min_n)
    parent = parent[parent["group"] == state].reset_index(drop=True)
    inner = table[table["group"] == "ALL"].reset_index(drop=True)
    # Everything the state table hides stays hidden in the breakdown, in every row.
    assert not (parent["suppressed"] & ~inner["suppressed"]).any()
    for _, rows in table.groupby("group"):
        rows = rows.reset_index(drop=True)
        assert not (parent["suppressed"] & ~rows["suppressed"]).any()
    if parent["respondents"].isna().all():
        assert table["respondents"].isna().all()
