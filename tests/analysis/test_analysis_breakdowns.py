"""Breakdowns within a state, date filtering and frequency tables of any select question."""

import datetime as dt

import pandas as pd
import pytest

from analysis.breakdowns import breakdown, filter_dates, frequency_table
from analysis.summary import top_choices


@pytest.fixture
def minnesota(make_frame, people):
    return make_frame(
        people("MN", 30, ["language_access", "safety"], role="parent", home_languages=["hmn", "en"])
        + people("MN", 15, ["newcomers"], role="student", home_languages=["so"])
        + people("MN", 4, ["safety"], role="community", home_languages=["hmn"])
        + people("CA", 25, ["english_instruction"], role="parent", home_languages=["es"])
    )


def test_breakdown_by_role_counts_within_state(minnesota, definition) -> None:
    table = breakdown(minnesota, definition, "MN", "role").set_index(["group", "choice"])
    assert table.loc[("ALL", "safety"), "count"] == 34
    assert table.loc[("ALL", "safety"), "respondents"] == 49
    assert table.loc[("parent", "language_access"), "count"] == 30
    # community (4) alone would be recoverable from ALL: the next smallest role, student, goes too.
    assert table.loc["community", "respondents"].isna().all()
    assert table.loc["student", "respondents"].isna().all()


def test_breakdown_by_home_language_counts_each_language(minnesota, definition) -> None:
    table = breakdown(minnesota, definition, "MN", "home_languages", min_n=4)
    table = table.set_index(["group", "choice"])
    assert table.loc[("hmn", "safety"), "count"] == 34
    assert table.loc[("en", "safety"), "count"] == 30
    assert table.loc[("hmn", "safety"), "respondents"] == 34
    assert table.loc[("so", "newcomers"), "count"] == 15


def test_breakdown_total_repeats_state_suppression(minnesota, definition) -> None:
    state = top_choices(minnesota, definition).set_index(["group", "choice"]).loc["MN"]
    inner = breakdown(minnesota, definition, "MN", "channel").set_index(["group", "choice"]).loc["ALL"]
    pd.testing.assert_series_equal(inner["suppressed"], state["suppressed"])
    pd.testing.assert_series_equal(inner["count"], state["count"])


def test_breakdown_unknown_group_raises(minnesota, definition) -> None:
    with pytest.raises(KeyError):
        breakdown(minnesota, definition, "ZZ", "role")


def test_breakdown_does_not_mutate_input(minnesota, definition, frozen) -> None:
    check = frozen(minnesota)
    breakdown(minnesota, definition, "MN", "home_languages")
    filter_dates(minnesota, "2026-10-05", "2026-10-10")
    check()


def test_filter_dates_end_day_is_included(make_frame, people) -> None:
    frame = make_frame(
        [{"state": "MN", "submitted_at": t} for t in (
            "2026-09-30T23:59:59Z", "2026-10-01T00:00:00Z", "2026-10-31T23:30:00Z", "2026-11-01T00:00:00Z"
        )]
    )
    kept = filter_dates(frame, "2026-10-01", "2026-10-31")
    assert kept["submitted_at"].dt.day.tolist() == [1, 31]
    assert len(filter_dates(frame, dt.date(2026, 10, 1), None)) == 3
    assert len(filter_dates(frame, None, pd.Timestamp("2026-10-31T23:00:00Z"))) == 2
    assert len(filter_dates(frame)) == 4


def test_frequency_table_select_one_rating(make_frame, definition) -> None:
    people = (
        [{"state": "MN", "school_communication": "5"}] * 20
        + [{"state": "MN", "school_communication": "4"}] * 12
        + [{"state": "MN", "school_communication": "dont_know"}] * 3
        + [{"state": "MN"}] * 5  # skipped the question
    )
    table = frequency_table(make_frame(people), definition, "school_communication")
    table = table.set_index("choice")
    assert table["respondents"].iloc[0] == 35
    assert table.loc["5", "share"] == pytest.approx(20 / 35)
    # dont_know (3) would be 35 - 20 - 12: the smallest other non-zero answer (4) goes too.
    assert table.loc["dont_know", "suppressed"] and table.loc["4", "suppressed"]
    assert not table.loc["5", "suppressed"]


def test_frequency_table_by_state_for_interpreter(synthetic, definition) -> None:
    table = frequency_table(synthetic, definition, "interpreter_offered", by="state")
    assert set(table["choice"]) == {"always", "sometimes", "never", "not_needed", "dont_know"}
    shown = table[table["respondents"].notna() & ~table["suppressed"]]
    sums = shown.groupby("group")["share"].sum()
    assert (sums <= 1 + 1e-9).all()


def test_frequency_table_rejects_text_question(synthetic, definition) -> None:
    with pytest.raises(ValueError):
        frequency_table(synthetic, definition, "one_change")


def test_breakdown_leaves_out_groups_absent_from_state(make_frame, people, definition) -> None:
    frame = make_frame(
        people("MN", 20, ["safety"], partner="caal") + people("MN", 15, ["safety"], partner="mn-two")
        + people("CA", 30, ["safety"], partner="caltogether")
    )
    table = breakdown(frame, definition, "MN", "partner")
    assert set(table["group"]) == {"ALL", "caal", "mn-two"}
    assert table.loc[table["group"] == "caal", "count"].dropna().tolist() == [20]
