"""The README's set-up commands are the ones the Makefile provides."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z0-9-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE))


def test_readme_commands_are_makefile_targets():
    readme = (ROOT / "README.md").read_text()
    commands = set(re.findall(r"^\s*make ([a-z][a-z0-9-]*)\s*$", readme, re.MULTILINE))
    assert {"run", "test"} <= commands
    assert commands <= make_targets(), commands - make_targets()


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_ci_runs_make_lint():
    assert "make lint" in (ROOT / ".ci" / "run").read_text()
    assert "lint:" in (ROOT / "Makefile").read_text()


def test_project_never_reads_shared_folder_at_run_time():
    for path in [*ROOT.glob("survey_app/**/*.py"), *ROOT.glob("forms/**/*.py"), *ROOT.glob("analysis/**/*.py")]:
        assert "../shared" not in path.read_text(), path
