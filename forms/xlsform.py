"""Survey definitions as XLSForm workbooks (.xlsx), the format ODK and KoboToolbox authors use.

`read_xlsform()` turns a workbook into the flat definition that `normalise()` takes,
`write_xlsform()` turns a flat definition into a workbook, and `stored_to_raw()` turns a
stored (normalised) definition back into the flat one, so any stored survey can be
downloaded, edited in a spreadsheet and loaded again.

XLSForm features this service cannot honour are refused with a message naming the sheet,
the row as the spreadsheet numbers it, and the column; none is dropped quietly, so a form
that loads asks what its author wrote.
"""
from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO, Mapping, Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .definition import REPORT_SETTINGS, SETTINGS_TRANSLATED, TRANSLATED, DefinitionError, _truthy, normalise

SUPPORTED_TYPES = ("text", "integer", "decimal", "date", "select_one", "select_multiple", "note",
                   "begin_group", "end_group")
SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "relevant", "constraint",
                  "constraint_message", "required_message")
CHOICE_COLUMNS = ("list_name", "name", "label")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language", "description", "duration", "thanks",
                    "invitation", *REPORT_SETTINGS, "review")
TRANSLATED_SETTINGS = (*SETTINGS_TRANSLATED, "review")

LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "zh-Hans": "Chinese (Simplified)", "zh-Hant": "Chinese (Traditional)",
    "ar": "Arabic", "vi": "Vietnamese", "ht": "Haitian Creole", "pt": "Portuguese", "kea": "Cape Verdean Creole",
    "ru": "Russian", "uk": "Ukrainian", "so": "Somali", "hmn": "Hmong", "ksw": "Karen", "bn": "Bengali",
    "prs": "Dari", "ur": "Urdu", "pl": "Polish", "ckb": "Kurdish (Sorani)",
}
_CODE_BY_NAME = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}
_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# The code is in the last brackets: `label::Chinese (Simplified) (zh-Hans)`.
_NAMED_LANGUAGE = re.compile(r"^.*\((?P<code>[^()]+)\)$")
_DEFINITION_ROW = re.compile(r"^(?P<sheet>survey|choices) row (?P<number>\d+)")
# What XML 1.0, and so an .xlsx file, can hold; a carriage return would come back as a newline.
_UNWRITABLE = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MAX_CELL_LENGTH = 32767  # Excel's limit
_OLD_EXCEL_SIGNATURE = b"\xd0\xcf\x11\xe0"

_GENERIC_ACTION = "Remove the row or change its type."
_TYPE_ADVICE: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("geopoint", "geotrace", "geoshape"), (
        "this service does not collect locations",
        "Remove the row, or ask for the place with select_one (a list of places) or text.")),
    **dict.fromkeys(("image", "audio", "video", "file", "background-audio", "barcode"), (
        "this service does not collect photos, recordings, files or scans", "Remove the row.")),
    "calculate": ("calculated values are not stored",
                  "Remove the row and work the value out when you analyse the answers."),
    **dict.fromkeys(("begin_repeat", "end_repeat"), (
        "repeated groups are not supported",
        "Remove the repeat: ask about one person (for example the oldest child), or ask how many with integer.")),
    "rank": ("ranking is not supported", 'Use select_multiple with a constraint such as "count-selected(.) <= 3".'),
    "range": ("sliders are not supported",
              'Use integer with a constraint such as ". >= 1 and . <= 10", or select_one with a list of values.'),
    **dict.fromkeys(("acknowledge", "trigger"), (
        "tick-to-confirm questions are not supported", "Use select_one with a single choice and make it required.")),
    **dict.fromkeys(("time", "datetime"), ("times are not supported", "Use date, or text for a time of day.")),
    **dict.fromkeys(("select_one_from_file", "select_multiple_from_file"), (
        "choices from a separate file are not supported",
        "Copy the choices onto the choices sheet and use select_one or select_multiple with their list_name.")),
    **dict.fromkeys(("start", "end", "today", "deviceid", "username", "phonenumber", "email", "simserial",
                     "subscriberid", "audit", "start-geopoint"), (
        "it is device information recorded by ODK Collect, which this service does not collect", "Remove the row.")),
}
_CLEAR = "Clear the cell, or remove the column."
_COLUMN_ADVICE: dict[str, tuple[str, str]] = {
    "appearance": ('appearances are not supported, except "field-list" on a begin_group row '
                   "(every group is already shown as one page)", _CLEAR),
    "choice_filter": ("choice filters (choices that depend on an earlier answer) are not supported yet",
                      "Clear the cell and put all the choices in one list, or ask one question per case, "
                      'each shown only when it applies (the "relevant" column).'),
    "default": ("questions cannot start with an answer filled in", _CLEAR),
    "calculation": ("calculations are not supported", _CLEAR),
    **dict.fromkeys(("media", "image", "audio", "video", "big-image"), (
        "pictures, sound and video are not shown to respondents", _CLEAR)),
}


class XLSFormError(DefinitionError):
    """A workbook that cannot be used; the message names the sheet, row and column and says what to do.

    A kind of `DefinitionError`, so code that already reports broken definitions reports these too."""


@dataclass(frozen=True)
class _Column:
    header: str        # as written in row 1, for messages
    base: str          # `label`, `appearance`, `media`...
    key: str | None    # the definition's key (`label::es`), or None for a column this service does not read


def read_xlsform(source: bytes | BinaryIO | Path) -> dict[str, Any]:
    """Read an XLSForm workbook into the flat definition `normalise()` takes, checking it on the way."""
    sheets = _open(source)
    settings = _read_settings(sheets)
    language = settings.get("default_language", "en")
    survey, survey_rows = _read_rows("survey", sheets["survey"], SURVEY_COLUMNS, TRANSLATED, language)
    choices, choice_rows = _read_rows("choices", sheets.get("choices", []), CHOICE_COLUMNS, ("label",), language)
    raw = {"settings": settings, "survey": survey, "choices": choices}
    try:
        normalise(raw)
    except DefinitionError as error:
        raise _located(str(error), survey_rows, choice_rows) from None
    return raw


def _open(source: bytes | BinaryIO | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the three sheets, by lower-case sheet name; row n of the workbook at index n - 1."""
    if isinstance(source, (str, Path)):
        data = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
    if data.startswith(_OLD_EXCEL_SIGNATURE):
        raise XLSFormError("This is an old-style Excel file (.xls). Save it as an Excel workbook (.xlsx) and try again.")
    sheets: dict[str, list[tuple[Any, ...]]] = {}
    try:
        # openpyxl warns about formatting it cannot keep (data validation, styles); only values are read.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                for title in workbook.sheetnames:
                    name = title.strip().lower()
                    if name in ("survey", "choices", "settings") and name not in sheets:
                        worksheet = workbook[title]
                        # Some programs write a wrong size into the file; read what is there instead.
                        worksheet.reset_dimensions()
                        sheets[name] = list(worksheet.iter_rows(values_only=True))
            finally:
                workbook.close()
    # A damaged file can fail inside zipfile, the XML parser or openpyxl, each with its own exception.
    except Exception:
        raise XLSFormError("This file could not be read as an Excel workbook (.xlsx). Open it in Excel, "
                           "LibreOffice or Google Sheets, save it as .xlsx and try again.") from None
    if "survey" not in sheets:
        raise XLSFormError('The workbook has no "survey" sheet. An XLSForm needs sheets named survey, '
                           "choices and settings.")
    return sheets


def _read_settings(sheets: Mapping[str, list[tuple[Any, ...]]]) -> dict[str, str]:
    rows = sheets.get("settings")
    if not rows:
        raise XLSFormError('The workbook has no "settings" sheet. Add one with the setting names in row 1 and '
                           "their values in row 2, including form_id.")
    for number, cells in enumerate(rows[2:], start=3):
        if any(_text(value) for value in cells):
            raise XLSFormError(f"settings sheet, row {number}: only row 2 is read. "
                               "Move the values into row 2 and delete this row.")
    values = rows[1] if len(rows) > 1 else ()
    language = "en"
    for index, header in enumerate(rows[0]):
        if _base(_text(header)) == "default_language" and index < len(values) and _text(values[index]):
            written = _text(values[index])
            language = _language_code(written) or ""
            if not language:
                raise XLSFormError(
                    f'settings sheet, row 2, column "default_language": "{written}" is not a language code. '
                    'Write the code, as in "en", or the name with the code in brackets, as in "English (en)".')
    found, _numbers = _read_rows("settings", rows[:2], SETTINGS_COLUMNS, TRANSLATED_SETTINGS, language)
    settings = found[0] if found else {}
    if "default_language" in settings:
        settings["default_language"] = language
    return settings


def _read_rows(sheet: str, rows: Sequence[tuple[Any, ...]], supported: Sequence[str], translated: Sequence[str],
               language: str) -> tuple[list[dict[str, str]], list[int]]:
    """The sheet's non-empty rows as definition rows, and each one's row number in the workbook."""
    if not rows:
        return [], []
    columns = _columns(sheet, rows[0], supported, translated, language)
    found: list[dict[str, str]] = []
    numbers: list[int] = []
    for number, cells in enumerate(rows[1:], start=2):
        values = [_text(value) for value in cells]
        if not any(values):
            continue
        row: dict[str, str] = {}
        refused: list[tuple[_Column, str]] = []
        for index, value in enumerate(values):
            if not value:
                continue
            column = columns[index] if index < len(columns) else None
            if column is None:
                raise XLSFormError(
                    f"{sheet} sheet, row {number}, column {get_column_letter(index + 1)}: this cell has a value but "
                    "its column has no name in row 1. Name the column or clear the cell.")
            if column.key is None:
                refused.append((column, value))
            else:
                row[column.key] = value
        where = f"{sheet} sheet, row {number}"
        if sheet == "survey":
            _check_survey_row(row, where, {c.key: c.header for c in columns if c is not None})
        for column, value in refused:
            if not _does_nothing(sheet, column.base, value, row):
                problem, action = _COLUMN_ADVICE.get(column.base, (_unsupported_column(sheet, supported), _CLEAR))
                raise XLSFormError(f'{where}, column "{column.header}": {problem}. {action}')
        found.append(row)
        numbers.append(number)
    return found, numbers


def _columns(sheet: str, headers: tuple[Any, ...], supported: Sequence[str], translated: Sequence[str],
             language: str) -> list[_Column | None]:
    columns: list[_Column | None] = []
    seen: dict[str, str] = {}
    for cell in headers:
        header = _text(cell)
        if not header:
            columns.append(None)
            continue
        base, separator, written_language = header.partition("::")
        base, written_language = _base(base), written_language.strip()
        where = f'{sheet} sheet, row 1, column "{header}"'
        if base not in supported:
            columns.append(_Column(header, base, None))
            continue
        if base in translated:
            code = _language_code(written_language) if separator else language
            if code is None:
                raise XLSFormError(f'{where}: "{written_language}" is not a language code. Put the code in '
                                   f'brackets after the language, as in "{base}::English (en)".')
            key = f"{base}::{code}"
        elif separator:
            raise XLSFormError(f'{where}: "{base}" is the same in every language. Name the column "{base}".')
        else:
            key = base
        if key in seen:
            raise XLSFormError(f'{where}: this is the same column as "{seen[key]}" ({key.replace("::", " in ")}; '
                               "a column without a language is in the default language). Keep one of them.")
        seen[key] = header
        columns.append(_Column(header, base, key))
    return columns


def _check_survey_row(row: dict[str, str], where: str, headers: Mapping[str | None, str]) -> None:
    """Refuse types and `required` values the loader would not honour; write the rest as it expects."""
    if "type" in row:
        cell = f'{where}, column "{headers["type"]}"'
        words = row["type"].split()
        span = 2 if words[0].lower() in ("begin", "end") and len(words) > 1 else 1
        written = " ".join(words[:span])
        kind = written.lower().replace(" ", "_")
        if kind in ("select_one", "select_multiple") and words[-1] == "or_other":
            list_name = words[1] if len(words) > 2 else "the list"
            name = row.get("name", "this_question")
            raise XLSFormError(
                f'{cell}: "or_other" is not supported. Remove "or_other" from the type, add a choice named '
                f'"other" to {list_name}, and add a text question below with the relevant condition '
                f"\"selected(${{{name}}}, 'other')\".")
        if kind not in SUPPORTED_TYPES:
            reason, action = _TYPE_ADVICE.get(kind, ("", _GENERIC_ACTION))
            raise XLSFormError(f'{cell}: "{written}" is not supported{": " + reason if reason else ""}. '
                               f"Supported types: {', '.join(SUPPORTED_TYPES)}. {action}")
        row["type"] = " ".join([kind, *words[span:]])
    if "required" in row:
        value = row["required"]
        if value.lower() not in ("yes", "no", "true", "false", "true()", "false()", "1", "0"):
            raise XLSFormError(
                f'{where}, column "{headers["required"]}": "{value}" is not yes or no. A condition in "required" '
                'is not supported: write yes, and put the condition in the "relevant" column.')
        if _truthy(value):
            row["required"] = "yes"
        else:
            del row["required"]


def _does_nothing(sheet: str, base: str, value: str, row: Mapping[str, str]) -> bool:
    """Values that ask for what this service does anyway, so leaving them out changes nothing."""
    if sheet == "survey" and base == "appearance":
        return value.lower() == "field-list" and row.get("type") == "begin_group"
    return sheet == "settings" and base == "style" and value.lower() == "pages"


def _unsupported_column(sheet: str, supported: Sequence[str]) -> str:
    noun = "setting" if sheet == "settings" else "column"
    return f"this {noun} is not supported. Supported {noun}s: {', '.join(supported)}"


def _located(message: str, survey_rows: Sequence[int], choice_rows: Sequence[int]) -> XLSFormError:
    """The loader's message, with its row counted as the spreadsheet counts it."""
    match = _DEFINITION_ROW.match(message)
    if match:
        rows = survey_rows if match["sheet"] == "survey" else choice_rows
        index = int(match["number"]) - 1
        if 0 <= index < len(rows):
            return XLSFormError(f"{match['sheet']} sheet, row {rows[index]}{message[match.end():]}")
    if message.startswith("settings:"):
        return XLSFormError("settings sheet:" + message.removeprefix("settings:"))
    return XLSFormError(f"survey sheet: {message}")


def _base(header: str) -> str:
    # ODK also accepts `list name` and `Constraint message`.
    return header.partition("::")[0].strip().lower().replace(" ", "_")


def _language_code(written: str) -> str | None:
    """`en`, `English (en)` or a known English name such as `Spanish` -> the code; else None."""
    written = written.strip()
    named = _NAMED_LANGUAGE.match(written)
    if named:
        return named["code"].strip() or None
    if _CODE.match(written):
        return written
    return _CODE_BY_NAME.get(written.lower())


def _text(value: Any) -> str:
    """A cell's value as the definition holds it: text, the way the spreadsheet shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip()


def write_xlsform(raw: Mapping[str, Any]) -> bytes:
    """Write a flat definition as an XLSForm workbook, with ODK's `label::English (en)` headers."""
    settings = raw.get("settings") or {}
    language = str(settings.get("default_language") or "en").strip()
    tables = {
        "survey": _cells("survey", raw.get("survey") or [], SURVEY_COLUMNS, TRANSLATED, language),
        "choices": _cells("choices", raw.get("choices") or [], CHOICE_COLUMNS, ("label",), language),
        "settings": _cells("settings", [settings], SETTINGS_COLUMNS, TRANSLATED_SETTINGS, language),
    }
    tables["settings"][0][("default_language", None)] = _language_header(language)
    languages = list(dict.fromkeys([language] + [code for rows in tables.values() for row in rows
                                                 for _column, code in row if code]))
    always = {"survey": ("type", "name", "label"), "choices": CHOICE_COLUMNS, "settings": ("form_id",)}
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, rows in tables.items():
        used = {base for row in rows for base, _code in row} | set(always[sheet])
        order = SETTINGS_COLUMNS if sheet == "settings" else SURVEY_COLUMNS if sheet == "survey" else CHOICE_COLUMNS
        layout = [(base, code) for base in order if base in used
                  for code in (languages if base in TRANSLATED or base in TRANSLATED_SETTINGS else [None])]
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
            code = (_language_code(written_language) or written_language) if separator else None
            if base in translated and code is None:
                code = language
            if base == "required":
                if not _truthy(value):
                    continue
                value = "yes"
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
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def stored_to_raw(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The flat definition that `normalise()` turns back into this stored one."""
    stored = definition["settings"]
    settings: dict[str, Any] = {"form_id": stored["form_id"], "version": stored.get("version", ""),
                                "default_language": stored["default_language"]}
    for column, texts in (("form_title", stored.get("title")), ("description", stored.get("description")),
                          ("duration", stored.get("duration")), ("thanks", stored.get("thanks")),
                          ("invitation", stored.get("invitation")),
                          ("review", stored.get("review"))):
        settings.update(_translated(column, texts))
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
            flat["required"] = "yes"
        for column in ("relevant", "constraint"):
            if row.get(column):
                flat[column] = row[column]
        for column in ("constraint_message", "required_message"):
            flat.update(_translated(column, row.get(column)))
        survey.append(flat)
    choices = [{"list_name": list_name, "name": choice["name"], **_translated("label", choice["label"])}
               for list_name, items in definition["choices"].items() for choice in items]
    return {"settings": settings, "survey": survey, "choices": choices}


def _translated(column: str, texts: Mapping[str, str] | None) -> dict[str, str]:
    return {f"{column}::{code}": text for code, text in (texts or {}).items()}
