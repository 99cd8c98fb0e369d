"""The package stays independent of the web application and of pyplot."""

import ast
import subprocess
import sys
from pathlib import Path

import analysis

PACKAGE = Path(analysis.__file__).parent


def imported_modules() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[str(path.relative_to(PACKAGE))] = names
    return found


def test_analysis_imports_no_flask() -> None:
    offenders = {
        module: sorted(n for n in names if n.split(".")[0].lower().startswith(("flask", "survey_app")))
        for module, names in imported_modules().items()
    }
    assert not {m: n for m, n in offenders.items() if n}


def test_analysis_imports_no_pyplot() -> None:
    offenders = {
        module: sorted(n for n in names if n.startswith(("matplotlib.pyplot", "pylab")))
        for module, names in imported_modules().items()
    }
    assert not {m: n for m, n in offenders.items() if n}


def test_analysis_runtime_loads_neither_flask_nor_pyplot() -> None:
    modules = [f"analysis.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")]
    code = (
        "import sys, importlib\n"
        f"for m in {modules!r} + ['analysis.__main__']: importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.split('.')[0].lower().startswith('flask') or m == 'matplotlib.pyplot']\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=PACKAGE.parent)
    assert result.stdout.strip() == "[]"
