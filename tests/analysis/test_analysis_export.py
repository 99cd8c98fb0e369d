"""The CSV export round trip and the definition-driven column order."""

import io

import pandas as pd

from analysis.definition import frame_columns, merged_definition
from analysis.export import read_export, write_export


def test_frame_columns_follow_definition_order(definition) -> None:
    definition["survey"].append({"type": "note", "name": "thanks", "label": {"en": "Thank you!"}})
    columns = frame_columns(definition)
    assert columns[:8] == [
        "response_id", "submitted_at", "survey_version", "language", "partner", "channel", "role", "state",
    ]
    assert columns[8:10] == ["state_other", "grade_bands/prek"]
    issues = [c for c in columns if c.startswith("top_issues/")]
    assert len(issues) == 16 and issues[0] == "top_issues/language_access"
    assert "thanks" not in columns and "about_you" not in columns
    assert columns[-1] == "one_change"


def test_merged_definition_appends_removed_questions(definition) -> None:
    older = {"survey": [{"type": "integer", "name": "age"}, {"type": "select_one", "list_name": "role", "name": "role"}],
             "choices": {"role": [{"name": "parent"}, {"name": "grandparent"}]}}
    merged = merged_definition([definition, older])
    assert frame_columns(merged) == frame_columns(definition) + ["age"]
    assert [c["name"] for c in merged["choices"]["role"]][-1] == "grandparent"


def test_read_export_round_trip(synthetic, definition) -> None:
    text = write_export(synthetic)
    back = read_export(io.StringIO(text), definition)
    pd.testing.assert_frame_equal(back, synthetic)


def test_read_export_without_definition_keeps_zero_one_columns(synthetic, tmp_path) -> None:
    path = tmp_path / "export.csv"
    write_export(synthetic.head(50), path)
    back = read_export(path)
    assert str(back["top_issues/safety"].dtype) == "Int8"
    assert back["state"].tolist() == synthetic.head(50)["state"].astype(str).tolist()
    pd.testing.assert_series_equal(back["submitted_at"], synthetic.head(50)["submitted_at"])
