"""The analysis runs on the Family Voices definition as the application stores it (the
`definition` fixture reads it from surveys/family-voices.yaml)."""

from analysis.definition import frame_columns
from analysis.summary import summary_dict
from analysis.synthetic import synthetic_frame


def test_summary_dict_runs_on_stored_definition(definition) -> None:
    columns = frame_columns(definition)
    assert "top_issues/language_access" in columns and "state" in columns
    frame = synthetic_frame(2000, definition, seed=11)
    result = summary_dict(frame, definition)
    assert result["survey"] == "family-voices"
    assert set(result["states"]) == {"ALL", "CA", "IL", "MA", "MN", "NY", "TN", "WA", "other"}
    assert len(result["states"]["ALL"]["issues"]) == 16

