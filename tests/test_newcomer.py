"""What a newcomer relies on: the README's set-up commands are the ones the Makefile provides, and
the tests' shared fixtures and helpers are in a conftest.py or a plainly named module, never in a test."""
from __future__ import annotations

import ast
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


def test_tests_never_import_from_a_test_module():
    """Shared fixtures and helpers live in a conftest.py or a plainly named module under tests/, where
    a newcomer looks for them: a test module imported by another ties the two together, and a `test_`
    function imported with a helper is collected twice."""
    imports = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names if alias.name.split(".")[0] == "tests"]
            elif isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] == "tests"):
                names = [f"{node.module or ''}.{alias.name}" for alias in node.names]
            else:
                continue
            imports += [f"{path.relative_to(ROOT)}:{node.lineno}: {name}" for name in names
                        if any(part.startswith("test_") for part in name.split("."))]
    assert imports == [], "\n".join(imports)
