"""Survey definitions as XLSForms, the format ODK, KoboToolbox and Ona authors use.

`read_xlsform()` (in `xlsform_reader`, through pyxform) turns a form into the flat definition that
`normalise()` takes, `write_xlsform()` turns a flat definition into a workbook pyxform converts, and
`stored_to_raw()` turns a stored (normalised) definition back into the flat one, so any stored survey
can be downloaded, edited in a spreadsheet and loaded again.
"""
from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .survey import MEDIA, REPORT_SETTINGS, SETTINGS_MEDIA, SETTINGS_TRANSLATED, TRANSLATED
from .normalising import NOT_REQUIRED, truthy
from .languages import language_code, language_name
from .xlsform_cells import XLSFormError
from .xlsform_reader import TITLE_TRANSLATION, XLSFormReading, read_xlsform, read_xlsform_with_notices
from .xlsform_refusals import SUPPORTED_TYPES

__all__ = ["SUPPORTED_TYPES", "XLSFormError", "XLSFormReading", "read_xlsform", "read_xlsform_with_notices",
           "stored_to_raw", "write_xlsform"]

SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "relevant", "constraint",
                  "constraint_message", "required_message", "calculation", "default", "choice_filter",
                  "repeat_count", *MEDIA)
CHOICE_COLUMNS = ("list_name", "name", "label", *MEDIA)
# pyxform takes `form_title` in one language only; the title in other languages has its own column.
SETTINGS_COLUMNS = ("form_title", TITLE_TRANSLATION, "form_id", "version", "default_language", "description",
                    "duration", "thanks", "invitation", *REPORT_SETTINGS, "review", "allow_choice_duplicates",
                    *SETTINGS_MEDIA)
TRANSLATED_SETTINGS = (TITLE_TRANSLATION, *(c for c in SETTINGS_TRANSLATED if c != "form_title"), "review",
                       *SETTINGS_MEDIA)
# What XML 1.0, and so an .xlsx file, can hold; a carriage return would come back as a newline.
_UNWRITABLE = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MAX_CELL_LENGTH = 32767  # Excel's limit


def write_xlsform(raw: Mapping[str, Any]) -> bytes:
    """Write a flat definition as an XLSForm workbook, with ODK's `label::English (en)` headers."""
    settings = raw.get("settings") or {}
    language = str(settings.get("default_language") or "en").strip()
    settings = _titles_for_pyxform(settings, language)
    # The columns choice filters read (`state` in `state=${state}`) follow the label.
    choice_columns = (*CHOICE_COLUMNS, *sorted({str(key) for row in raw.get("choices") or [] for key in row
                                                 if "::" not in str(key) and key not in CHOICE_COLUMNS}))
    tables = {
        "survey": _cells("survey", raw.get("survey") or [], SURVEY_COLUMNS, (*TRANSLATED, *MEDIA), language),
        "choices": _cells("choices", raw.get("choices") or [], choice_columns, ("label", *MEDIA), language),
        "settings": _cells("settings", [settings], SETTINGS_COLUMNS, TRANSLATED_SETTINGS, language),
    }
    tables["settings"][0][("default_language", None)] = _language_header(language)
    languages = list(dict.fromkeys([language] + [code for rows in tables.values() for row in rows
                                                 for _column, code in row if code]))
    always = {"survey": ("type", "name", "label"), "choices": ("list_name", "name", "label"), "settings": ("form_id",)}
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, rows in tables.items():
        used = {base for row in rows for base, _code in row} | set(always[sheet])
        order = SETTINGS_COLUMNS if sheet == "settings" else SURVEY_COLUMNS if sheet == "survey" else choice_columns
        layout = [(base, code) for base in order if base in used
                  for code in _column_languages(base, languages)]
        worksheet = workbook.create_sheet(sheet)
        for index, (base, code) in enumerate(layout, start=1):
            header = worksheet.cell(1, index, f"{base}::{_language_header(code)}" if code else base)
            header.font = Font(bold=True)
            width = max([len(header.value)] + [len(row.get((base, code), "")) for row in rows])
            worksheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
        for number, row in enumerate(rows, start=2):
            for index, column in enumerate(layout, start=1):
                if column in row:
                    cell = worksheet.cell(number, index, row[column])
                    # Text starting with "=" would otherwise be saved as a formula.
                    cell.data_type = "s"
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cells(sheet: str, rows: Sequence[Mapping[str, Any]], supported: Sequence[str], translated: Sequence[str],
           language: str) -> list[dict[tuple[str, str | None], str]]:
    """Each row's values keyed by (column, language code or None), checked to fit in a workbook."""
    table = []
    for number, row in enumerate(rows, start=1):
        where = f"{sheet} row {number}" if sheet != "settings" else "settings"
        cells: dict[tuple[str, str | None], str] = {}
        for key, value in row.items():
            if value is None or value == "":
                continue
            base, separator, written_language = (part.strip() for part in str(key).partition("::"))
            if base not in supported or (separator and base not in translated):
                raise XLSFormError(f'{where}: the column "{key}" is not part of an XLSForm this service reads.')
            code = (language_code(written_language) or written_language) if separator else None
            if base in translated and code is None:
                code = language
            if base == "required":
                if truthy(value):
                    value = "yes"
                elif not isinstance(value, str) or value.strip().lower() in NOT_REQUIRED:
                    continue
            text = str(value)
            bad = _UNWRITABLE.search(text)
            if bad:
                raise XLSFormError(f'{where}, column "{key}": the text has a character a spreadsheet cannot hold '
                                   f"(U+{ord(bad.group()):04X}). Remove it.")
            if len(text) > _MAX_CELL_LENGTH:
                raise XLSFormError(f'{where}, column "{key}": the text is longer than a spreadsheet cell can hold '
                                   f"({_MAX_CELL_LENGTH} characters). Shorten it.")
            cells[(base, code)] = text
        table.append(cells)
    return table


def _language_header(code: str) -> str:
    return f"{language_name(code)} ({code})"


def _titles_for_pyxform(settings: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The title in the default language as `form_title`, and in other languages as `form_title_translation`."""
    moved: dict[str, Any] = {}
    for key, value in settings.items():
        base, separator, written = (part.strip() for part in str(key).partition("::"))
        if base == "form_title" and separator:
            code = language_code(written) or written
            moved["form_title" if code == language else f"{TITLE_TRANSLATION}::{code}"] = value
        else:
            moved[key] = value
    return moved


def _column_languages(base: str, languages: list[str]) -> list[str] | list[None]:
    if base == TITLE_TRANSLATION:
        return languages[1:]
    return languages if base in TRANSLATED or base in TRANSLATED_SETTINGS or base in MEDIA else [None]


def stored_to_raw(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The flat definition that `normalise()` turns back into this stored one."""
    stored = definition["settings"]
    settings: dict[str, Any] = {"form_id": stored["form_id"], "version": stored.get("version", ""),
                                "default_language": stored["default_language"]}
    for column, texts in (("form_title", stored.get("title")), ("description", stored.get("description")),
                          ("duration", stored.get("duration")), ("thanks", stored.get("thanks")),
                          ("invitation", stored.get("invitation")),
                          ("review", stored.get("review")),
                          *((column, stored.get(column)) for column in SETTINGS_MEDIA)):
        settings.update(_translated(column, texts))
    if stored.get("allow_choice_duplicates"):
        settings["allow_choice_duplicates"] = "yes"
    for column in REPORT_SETTINGS:
        if stored.get(column):
            value = stored[column]
            settings[column] = " ".join(value) if isinstance(value, list) else value
    survey = []
    for row in definition["survey"]:
        flat: dict[str, Any] = {"type": " ".join(filter(None, [row["type"], row.get("list_name")]))}
        if row.get("name"):
            flat["name"] = row["name"]
        for column in ("label", "hint"):
            flat.update(_translated(column, row.get(column)))
        if row.get("required"):
            flat["required"] = "yes" if row["required"] is True else row["required"]
        for column in ("relevant", "constraint", "calculation", "default", "choice_filter", "repeat_count"):
            if row.get(column):
                flat[column] = row[column]
        for column in ("constraint_message", "required_message", *MEDIA):
            flat.update(_translated(column, row.get(column)))
        survey.append(flat)
    choices = [{"list_name": list_name, "name": choice["name"], **_translated("label", choice["label"]),
                **{key: name for column in MEDIA for key, name in _translated(column, choice.get(column)).items()},
                **choice.get("columns", {})}
               for list_name, items in definition["choices"].items() for choice in items]
    return {"settings": settings, "survey": survey, "choices": choices}


def _translated(column: str, texts: Mapping[str, str] | None) -> dict[str, str]:
    return {f"{column}::{code}": text for code, text in (texts or {}).items()}
