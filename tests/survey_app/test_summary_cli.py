"""`flask summary`: the top-issue summary from the database, in the shape of
`analysis.summary.summary_dict` (JSON) or as the full table (CSV)."""
from __future__ import annotations

import csv
import io
import json

from analysis.summary import TABLE_COLUMNS
from tests.survey_app.report_fixtures import SLUG, add_campaign

ISSUE_KEYS = ["code", "count", "share", "ci_low", "ci_high", "rank", "suppressed"]


def run(runner, *args: str):
    return runner.invoke(args=["summary", "--survey", SLUG, *args])


def test_summary_cli_json_shape(app, runner):
    add_campaign()
    result = run(runner, "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert list(summary) == ["survey", "min_n", "states"]
    assert summary["survey"] == SLUG and summary["min_n"] == 10
    assert list(summary["states"])[0] == "ALL"
    minnesota = summary["states"]["MN"]
    assert list(minnesota) == ["respondents", "suppressed", "issues"]
    assert minnesota["respondents"] == 12 and minnesota["suppressed"] is False
    assert len(minnesota["issues"]) == 16
    assert all(list(issue) == ISSUE_KEYS for issue in minnesota["issues"])
    assert minnesota["issues"][0] == {"code": "safety", "count": 11, "share": 0.917, "ci_low": 0.646,
                                      "ci_high": 0.985, "rank": 1, "suppressed": False}
    assert minnesota["issues"][-1]["suppressed"] is True and minnesota["issues"][-1]["count"] is None
    assert summary["states"]["TN"] == {
        "respondents": None, "suppressed": True,
        "issues": summary["states"]["TN"]["issues"]}
    assert all(issue["count"] is None for issue in summary["states"]["TN"]["issues"])


def test_summary_cli_one_state(app, runner):
    add_campaign()
    summary = json.loads(run(runner, "--state", "MN").output)
    assert list(summary["states"]) == ["MN"]
    assert summary["states"]["MN"]["respondents"] == 12


def test_summary_cli_csv(app, runner):
    add_campaign()
    result = run(runner, "--format", "csv", "--state", "NY")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == TABLE_COLUMNS
    assert {row["group"] for row in rows} == {"NY"} and len(rows) == 16
    language = next(row for row in rows if row["choice"] == "language_access")
    assert (language["respondents"], language["count"], language["rank"]) == ("20", "20", "1")


def test_summary_cli_empty_survey(app, runner):
    summary = json.loads(run(runner).output)
    assert summary["states"]["ALL"]["suppressed"] is True


def test_summary_cli_errors(app, runner):
    assert "No survey 'nope'" in runner.invoke(args=["summary", "--survey", "nope"]).output
    result = run(runner, "--state", "ZZ")
    assert result.exit_code != 0 and "no such state: ZZ" in result.output
