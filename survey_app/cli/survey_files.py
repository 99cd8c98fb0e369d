"""Survey definitions on disk: the YAML files under `surveys/` and XLSForms a maintainer loads."""
from __future__ import annotations

from pathlib import Path

import yaml

from forms.workbook_limits import check_workbook
from forms.xlsform import read_xlsform_with_notices

from .. import config

try:
    # libyaml's loader reads the default survey ten times faster than the pure-Python one.
    from yaml import CSafeLoader as SafeLoader
except ImportError:
    from yaml import SafeLoader  # type: ignore[assignment]

DATA = Path(__file__).resolve().parent.parent / "data"
DEFAULT_SURVEY_FILE = config.PROJECT_ROOT / "surveys" / "family-voices.yaml"
# The same survey as an XLSForm, generated from the YAML file; init-db loads it when it is there.
DEFAULT_SURVEY_XLSFORM = DEFAULT_SURVEY_FILE.with_suffix(".xlsx")

DEFINITION_HEADER = (
    "# A survey definition shaped like an XLSForm (settings / survey / choices), with\n"
    "# per-language text in `label::<code>` columns. docs/translators.md explains how to\n"
    "# translate it; docs/expressions.md explains `relevant` and `constraint`.\n"
)


def read_definition(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=SafeLoader)


def read_survey_file(path: Path, notices: list[str] | None = None) -> dict:
    """A survey definition from an XLSForm (.xlsx, .xls, .csv, .md) or a YAML file; what the form
    asks for that is ignored here is added to `notices`. A workbook is checked for size first."""
    if path.suffix.lower() in (".yaml", ".yml"):
        return read_definition(path)
    if path.suffix.lower() == ".xlsx":
        check_workbook(path.read_bytes())
    reading = read_xlsform_with_notices(path)
    if notices is not None:
        notices.extend(reading.notices)
    return reading.raw


def write_definition(path: Path, raw: dict) -> None:
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(DEFINITION_HEADER + text, encoding="utf-8")
