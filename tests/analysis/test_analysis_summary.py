"""top_choices, compare_groups and summary_dict on hand-counted frames."""

import json

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from analysis.counting import count_choices
from analysis.summary import TABLE_COLUMNS, compare_groups, summary_dict, top_choices


@pytest.fixture
def two_states(make_frame, people):
    # MN: 15 answered (12 language_access, 12 safety, 8 newcomers, 3 fair_testing), 7 did not.
    # CA: 30 answered, everyone chose english_instruction, 15 also language_access.
    return make_frame(
        people("MN", 8, ["language_access", "safety", "newcomers"])
        + people("MN", 4, ["language_access", "safety"])
        + people("MN", 3, ["fair_testing"])
        + people("MN", 7)  # no issue chosen: not in the denominator
        + people("CA", 15, ["english_instruction", "language_access"])
        + people("CA", 15, ["english_instruction"])
    )


def test_top_choices_hand_counts(two_states, definition) -> None:
    table = top_choices(two_states, definition, min_n=3).set_index(["group", "choice"])
    assert list(top_choices(two_states, definition).columns) == TABLE_COLUMNS
    mn = table.loc["MN"]
    assert mn["respondents"].iloc[0] == 15
    assert mn.loc["language_access", "count"] == 12
    assert mn.loc["language_access", "share"] == pytest.approx(12 / 15)
    assert mn.loc["newcomers", "count"] == 8
    assert table.loc[("ALL", "language_access"), "count"] == 27
    assert table.loc[("ALL", "language_access"), "respondents"] == 45
    low, high = proportion_confint(12, 15, method="wilson")
    assert mn.loc["language_access", "ci_low"] == pytest.approx(low)
    assert mn.loc["language_access", "ci_high"] == pytest.approx(high)


def test_top_choices_ranks_ties_share_min_rank(make_frame, people, definition) -> None:
    frame = make_frame(
        people("NY", 40, ["public_data"])
        + people("NY", 30, ["safety"])
        + people("NY", 30, ["newcomers"])
        + people("NY", 20, ["fair_testing"])
    )
    table = top_choices(frame, definition, by=None)
    ranks = table[table["count"].notna()].set_index("choice")["rank"].to_dict()
    assert ranks == {"public_data": 1, "safety": 2, "newcomers": 2, "fair_testing": 4}


def test_top_choices_suppresses_small_cells_and_groups(two_states, definition) -> None:
    table = top_choices(two_states, definition, min_n=10).set_index(["group", "choice"])
    assert table.loc[("MN", "fair_testing"), "suppressed"]
    assert pd.isna(table.loc[("MN", "fair_testing"), "share"])
    assert pd.isna(table.loc[("MN", "fair_testing"), "rank"])
    # Groups with nobody (e.g. TN) are suppressed as a whole.
    tn = table.loc["TN"]
    assert tn["respondents"].isna().all() and tn["suppressed"].all()


def test_top_choices_agrees_with_groupby(synthetic, definition) -> None:
    counts = count_choices(synthetic, definition, "top_issues", "state")
    columns = [c for c in synthetic.columns if c.startswith("top_issues/")]
    answered = synthetic[columns].notna().any(axis=1)
    expected = synthetic[answered].groupby("state", observed=False)[columns].sum()
    np.testing.assert_array_equal(counts.counts, expected.to_numpy())
    np.testing.assert_array_equal(counts.total_counts, expected.sum().to_numpy())


def test_top_choices_does_not_mutate_input(synthetic, definition, frozen) -> None:
    check = frozen(synthetic)
    top_choices(synthetic, definition)
    compare_groups(synthetic, definition)
    summary_dict(synthetic, definition)
    check()


def test_compare_groups_flags_constructed_difference(make_frame, people, definition) -> None:
    frame = make_frame(
        people("MA", 40, ["language_access", "safety"])
        + people("MA", 40, ["safety"])
        + people("MA", 20, ["language_access", "newcomers"])
        + people("WA", 20, ["language_access", "safety"])
        + people("WA", 30, ["safety"])
        + people("WA", 50, ["newcomers"])
    )
    result = compare_groups(frame, definition).set_index(["group", "choice"])
    row = result.loc[("MA", "language_access")]  # 60/100 vs 20/100
    _, expected = proportions_ztest([60, 20], [100, 100])
    assert row["p_value"] == pytest.approx(expected)
    assert row["difference"] == pytest.approx(0.4)
    assert row["significant"]
    same = result.loc[("MA", "safety")]  # 80/100 vs 50/100: also different
    assert same["significant"]
    # MA's tested family: language_access, safety, newcomers -> Holm multiplies the smallest by 3.
    tested = result.loc["MA"].dropna(subset=["p_value"])
    assert len(tested) == 3
    smallest = tested["p_value"].min()
    assert tested["p_adjusted"].min() == pytest.approx(min(1.0, 3 * smallest))
    untested = result.loc[("MA", "fair_testing")]
    assert pd.isna(untested["p_value"]) and not untested["significant"]


def test_compare_groups_no_flag_for_equal_shares(make_frame, people, definition) -> None:
    frame = make_frame(people("MA", 50, ["safety"]) + people("MA", 50, ["newcomers"])
                       + people("WA", 50, ["safety"]) + people("WA", 50, ["newcomers"]))
    result = compare_groups(frame, definition)
    tested = result.dropna(subset=["p_value"])
    assert not tested["significant"].any()
    assert (tested["p_value"] == 1.0).all()


def test_summary_dict_shape(two_states, definition) -> None:
    result = summary_dict(two_states, definition)
    json.dumps(result)  # JSON-ready: plain types only
    assert result["survey"] == "family-voices" and result["min_n"] == 10
    assert list(result["states"])[:3] == ["ALL", "CA", "IL"]
    ca = result["states"]["CA"]
    assert ca["respondents"] == 30 and ca["suppressed"] is False
    first = ca["issues"][0]
    assert first == {
        "code": "english_instruction", "count": 30, "share": 1.0,
        "ci_low": round(proportion_confint(30, 30, method="wilson")[0], 3),
        "ci_high": 1.0, "rank": 1, "suppressed": False,
    }
    assert len(ca["issues"]) == 16
    hidden = [i for i in ca["issues"] if i["suppressed"]]
    assert hidden and all(
        i["count"] is None and i["share"] is None and i["rank"] is None and i["ci_low"] is None
        for i in hidden
    )
    tn = result["states"]["TN"]
    assert tn["respondents"] is None and tn["suppressed"] is True


def test_summary_dict_one_state_keeps_full_table_suppression(two_states, definition) -> None:
    whole = summary_dict(two_states, definition)
    only = summary_dict(two_states, definition, groups=["MN"])
    assert list(only["states"]) == ["MN"]
    assert only["states"]["MN"] == whole["states"]["MN"]
    with pytest.raises(KeyError):
        summary_dict(two_states, definition, groups=["ZZ"])
