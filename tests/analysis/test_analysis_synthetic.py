"""The synthetic generator produces canonical, plausible, reproducible frames."""

import copy

import pandas as pd
import pytest

from analysis.definition import frame_columns
from analysis.synthetic import response_answers, synthetic_frame


def test_synthetic_frame_is_canonical(definition) -> None:
    frame = synthetic_frame(500, definition, seed=1)
    assert list(frame.columns) == frame_columns(definition)
    assert frame["response_id"].is_unique and frame["response_id"].str.len().eq(36).all()
    assert str(frame["submitted_at"].dt.tz) == "UTC"
    assert isinstance(frame["state"].dtype, pd.CategoricalDtype)
    assert frame["state"].notna().all()  # required question


def test_synthetic_frame_one_to_three_issues(definition) -> None:
    frame = synthetic_frame(2000, definition, seed=2)
    chosen = frame[[c for c in frame.columns if c.startswith("top_issues/")]].sum(axis=1)
    assert chosen.between(1, 3).all() and set(chosen.unique()) == {1, 2, 3}


@pytest.mark.parametrize(("constraint", "most"), [
    ("count-selected(.) < 3", 2), ("count-selected(.) <= 2", 2), ("count-selected(.)<2", 1),
])
def test_synthetic_frame_keeps_within_the_survey_constraint(definition, constraint, most) -> None:
    """A strict limit allows one choice fewer: the survey's own evaluator reads the constraint."""
    changed = copy.deepcopy(definition)
    row = next(row for row in changed["survey"] if row.get("name") == "top_issues")
    row["constraint"] = constraint
    frame = synthetic_frame(2000, changed, seed=2)
    chosen = frame[[c for c in frame.columns if c.startswith("top_issues/")]].sum(axis=1)
    assert chosen.between(1, most).all() and chosen.max() == most


def test_synthetic_frame_is_reproducible(definition) -> None:
    pd.testing.assert_frame_equal(synthetic_frame(300, definition, seed=5), synthetic_frame(300, definition, seed=5))
    assert not synthetic_frame(300, definition, seed=5).equals(synthetic_frame(300, definition, seed=6))


def test_synthetic_frame_languages_vary_by_state(definition) -> None:
    frame = synthetic_frame(20000, definition, seed=3)
    languages = [c for c in frame.columns if c.startswith("home_languages/")]
    shares = frame.groupby("state", observed=True)[languages].mean()
    assert (shares.max() - shares.min()).max() > 0.1


def test_synthetic_frame_zero_rows(definition) -> None:
    assert list(synthetic_frame(0, definition).columns) == frame_columns(definition)


def test_synthetic_frame_partners_work_in_their_state(definition) -> None:
    partners = {"MN": ["somali-mn", "hmong-mn"], "CA": ["ca-only"]}
    frame = synthetic_frame(3000, definition, seed=4, partners=partners, languages=["en", "es", "so"])
    came = frame.dropna(subset=["partner"])
    assert set(came["partner"]) == {"somali-mn", "hmong-mn", "ca-only"}
    assert all(partner in partners[state] for state, partner in zip(came["state"], came["partner"], strict=True))
    # Kiosks and paper forms come through a partner wherever the state has one.
    assert came["channel"].isin(["kiosk", "paper"]).any() and frame[~frame["state"].isin(["MN", "CA"])]["partner"].isna().all()
    assert set(frame["language"].dropna()) == {"en", "es", "so"} and frame["language"].eq("en").mean() > 0.6


def test_synthetic_frame_partners_keep_the_default_draws(definition) -> None:
    """Naming the made-up partners changes nothing: a frame is the same for its seed either way."""
    made_up = {state: [f"{state.lower()}-1", f"{state.lower()}-2"] for state in ("CA", "IL", "MA", "MN", "NY", "TN", "WA", "other")}
    pd.testing.assert_frame_equal(synthetic_frame(500, definition, seed=8, partners=made_up),
                                  synthetic_frame(500, definition, seed=8))


def test_response_answers_give_each_row_as_a_form_holds_it(definition) -> None:
    frame = synthetic_frame(400, definition, seed=9)
    answers = response_answers(frame, definition)
    assert len(answers) == len(frame)
    for (_, row), given in zip(frame.iterrows(), answers, strict=True):
        assert given["state"] == row["state"]
        issues = [c.split("/")[1] for c in frame.columns if c.startswith("top_issues/") and row[c] == 1]
        assert given["top_issues"] == issues
        assert ("one_change" in given) == pd.notna(row["one_change"])
        assert all(isinstance(v, str) or (isinstance(v, list) and v and all(isinstance(c, str) for c in v))
                   for v in given.values())
