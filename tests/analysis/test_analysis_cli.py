"""python -m analysis summary on a CSV export."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from analysis.__main__ import main
from analysis.export import write_export
from analysis.summary import summary_dict


def files(tmp_path: Path, frame, definition) -> tuple[str, str]:
    export = tmp_path / "export.csv"
    write_export(frame, export)
    definition_path = tmp_path / "definition.json"
    definition_path.write_text(json.dumps(definition), encoding="utf-8")
    return str(export), str(definition_path)


def test_main_summary_json_matches_library(tmp_path, synthetic, definition, capsys) -> None:
    export, definition_path = files(tmp_path, synthetic, definition)
    assert main(["summary", export, "--definition", definition_path, "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(summary_dict(synthetic, definition)))


def test_main_summary_csv_one_state(tmp_path, synthetic, definition, capsys) -> None:
    export, definition_path = files(tmp_path, synthetic, definition)
    args = ["summary", export, "--definition", definition_path, "--state", "MN", "--min-n", "20", "--format", "csv"]
    assert main(args) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert set(table["group"]) == {"MN"} and len(table) == 16
    assert (table.loc[~table["suppressed"], "count"] >= 20).all()


def test_main_unknown_state_is_an_error(tmp_path, synthetic, definition, capsys) -> None:
    export, definition_path = files(tmp_path, synthetic, definition)
    assert main(["summary", export, "--definition", definition_path, "--state", "ZZ"]) == 1
    assert "ZZ" in capsys.readouterr().err


def test_main_runs_as_module(tmp_path, synthetic, definition) -> None:
    export, definition_path = files(tmp_path, synthetic.head(200), definition)
    out = tmp_path / "summary.json"
    subprocess.run(
        [sys.executable, "-m", "analysis", "summary", export, "--definition", definition_path,
         "--output", str(out)],
        check=True, cwd=Path(__file__).resolve().parents[2],
    )
    assert json.loads(out.read_text(encoding="utf-8"))["survey"] == "family-voices"
