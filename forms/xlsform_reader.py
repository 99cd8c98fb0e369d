"""Reading XLSForms (.xlsx, .xls, .csv and .md) through pyxform, the converter ODK, KoboToolbox and Ona share.

pyxform's own backends read the file into sheets, its header aliases understand every spelling the
standard allows (`select one X`, `id_string`, `title`, `label:English`, `constraint message`...), and
its converter must accept the form: a file pyxform cannot convert is not an XLSForm. This module then
keeps the service's own layer on top: it refuses what the service does not run, or must not collect
from families, naming the sheet, the row as the spreadsheet numbers it and the column, and lists what
it accepts but ignores as notices for the person loading the form.
"""
from __future__ import annotations

import copy
import io
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pyxform import aliases
from pyxform.builder import create_survey_element_from_dict
from pyxform.errors import PyXFormError
from pyxform.parsing.sheet_headers import list_to_nested_dict, merge_dicts, process_header
from pyxform.question import MultipleChoiceQuestion, Option
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.survey import Survey as PyxformSurvey
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import DefinitionData, get_xlsform

from .definition import DefinitionError, _truthy, normalise
from .languages import language_code
from .xlsform_refusals import SUPPORTED_TYPES, column_refusal, type_refusal

# pyxform keeps text columns without a language under this name until the default language is known.
_NO_LANGUAGE = "default"
_FILE_TYPES = {".xlsx": ".xlsx", ".xlsm": ".xlsm", ".xls": ".xls", ".csv": ".csv", ".md": ".md"}
_ZIP_SIGNATURE = b"PK\x03\x04"
# How pyxform says that its backend for the file's kind could not read it.
_NOT_RECOGNISED = "Argument 'definition' was not recognized"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"
_DEFINITION_ROW = re.compile(r"^(?P<sheet>survey|choices) row (?P<number>\d+)")
_BEGIN_END = re.compile(r"^(?P<edge>begin|end)[ _]+(?P<control>.+)$")
_SELECT = re.compile(
    r"^(?P<command>" + "|".join(re.escape(alias) for alias in sorted(aliases.select, key=len, reverse=True))
    + r") +(?P<list_name>\S+)(?: +(?P<other>or_other|or specify other|or other))?$")
_PYXFORM_ROW = re.compile(r"\[row : (\d+)\]")
_SLUG_BREAK = re.compile(r"[^a-z0-9]+")
_MIDNIGHT = re.compile(r"(?<=^\d{4}-\d{2}-\d{2}) 00:00:00$")
# Settings ODK or KoboToolbox act on, which change nothing here.
_IGNORED_SETTINGS = {name for name in PyxformSurvey.get_slot_names() if not name.startswith("_")} - {
    "title", "id_string", "version", "default_language", "style"}
# A translated title: pyxform fails on `form_title::Spanish (es)`, so titles in other languages
# have a column pyxform leaves alone. Files written before this column existed still load.
TITLE_TRANSLATION = "form_title_translation"
# The text columns of a survey row, by pyxform's path to them, and the definition's column.
_TEXTS = {("label",): "label", ("hint",): "hint", ("bind", "jr:constraintMsg"): "constraint_message",
          ("bind", "jr:requiredMsg"): "required_message"}
_RULES = {("bind", "relevant"): "relevant", ("bind", "constraint"): "constraint"}
# Recorded by ODK Collect on the phone; this service stores when each response is sent.
_TIMESTAMPS = ("start", "end", "today")
# A group is shown as one page anyway.
_PAGE_APPEARANCES = ("field-list", "table-list")


class XLSFormError(DefinitionError):
    """A form that cannot be used; the message names the sheet, row and column and says what to do.

    A kind of `DefinitionError`, so code that already reports broken definitions reports these too."""


@dataclass
class XLSFormReading:
    """A form read: the flat definition `normalise()` takes, and what was accepted but ignored."""
    raw: dict[str, Any]
    notices: list[str] = field(default_factory=list)


def read_xlsform(source: bytes | BinaryIO | Path, filename: str | None = None) -> dict[str, Any]:
    """Read an XLSForm into the flat definition `normalise()` takes, checking it on the way."""
    return read_xlsform_with_notices(source, filename).raw


def read_xlsform_with_notices(source: bytes | BinaryIO | Path, filename: str | None = None) -> XLSFormReading:
    data, filename = _content(source, filename)
    book = _sheets(data, filename)
    notices = _Notices()
    try:
        raw, survey_numbers, choice_numbers = _flat_definition(book, filename, notices)
    except XLSFormError:
        raise
    # The rows are read before pyxform's own checks, so a form broken in a way no message here
    # foresees ends here: pyxform's message, when it has one, says what is wrong.
    except Exception:
        _convert(book)
        raise XLSFormError("This form could not be read. Check that each sheet has its column names in row 1, "
                           "and that each row of the survey sheet has a type and a name.") from None
    # The service's own refusals come first: their messages say what to do instead.
    _convert(book)
    try:
        normalise(raw)
    except DefinitionError as error:
        raise _located(str(error), survey_numbers, choice_numbers) from None
    return XLSFormReading(raw, notices.messages())


def _flat_definition(book: DefinitionData, filename: str | None,
                     notices: _Notices) -> tuple[dict[str, Any], list[int], list[int]]:
    """The form as the flat definition, with the spreadsheet row of each survey and choices row."""
    for number, row in enumerate((book.settings or [])[1:], start=3):
        if row:
            raise XLSFormError(f"settings sheet, row {number}: only row 2 is read. "
                               "Move the values into row 2 and delete this row.")
    headers: dict[str, dict[tuple[str, ...], str]] = {"settings": {}, "survey": {}, "choices": {}}
    settings_row = _dealiased(book.settings[:1] if book.settings else [], book.settings_header,
                              aliases.settings_header, set(PyxformSurvey.get_slot_names()), headers["settings"])
    survey_rows = _dealiased(book.survey, book.survey_header, aliases.survey_header,
                             set(MultipleChoiceQuestion.get_slot_names()), headers["survey"])
    choice_rows = _dealiased(book.choices, book.choices_header, aliases.list_header, set(Option.get_slot_names()),
                             headers["choices"])
    settings = settings_row[0] if settings_row else {}
    language = _default_language(settings, survey_rows)
    raw_settings = _settings(settings, language, Path(filename).stem if filename else "", notices)
    reader = _Survey(language, notices, headers["survey"])
    survey, survey_numbers = reader.read(survey_rows)
    choices, choice_numbers = _choices(choice_rows, language, notices, headers["choices"])
    for list_name in sorted(reader.other_lists):
        if not any(choice["list_name"] == list_name and choice["name"] == "other" for choice in choices):
            choices.append({"list_name": list_name, "name": "other", f"label::{language}": "Other"})
            choice_numbers.append(0)
    return {"settings": raw_settings, "survey": survey, "choices": choices}, survey_numbers, choice_numbers


def _content(source: bytes | BinaryIO | Path, filename: str | None) -> tuple[bytes, str | None]:
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes(), filename or Path(source).name
    if isinstance(source, bytes):
        return source, filename
    return source.read(), filename or getattr(source, "filename", None)


def _sheets(data: bytes, filename: str | None) -> DefinitionData:
    """The file's sheets, read by pyxform's backend for its kind of file."""
    suffix = Path(filename).suffix.lower() if filename else ""
    file_type = _FILE_TYPES.get(suffix)
    if not data.strip():
        raise XLSFormError("The file is empty. Choose the XLSForm file and try again.")
    if data.startswith(_ZIP_SIGNATURE):
        file_type = ".xlsx"
    elif data.startswith(_OLE_SIGNATURE):
        file_type = ".xls"
    elif file_type in (".xlsx", ".xlsm", ".xls"):
        raise XLSFormError(_unreadable(file_type))
    elif file_type is None:
        file_type = ".md" if b"|" in data[:5000] else ".csv"
    if file_type in (".csv", ".md"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            # Not text: a damaged workbook is likelier than a damaged CSV file, unless the name says CSV.
            raise XLSFormError(_unreadable(_FILE_TYPES.get(suffix))) from None
    try:
        # openpyxl warns about formatting it cannot keep (data validation, styles); only values are read.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            book = get_xlsform(io.BytesIO(data), file_type=file_type)
    except PyXFormError as error:
        if str(error).startswith(_NOT_RECOGNISED):
            raise XLSFormError(_unreadable(file_type)) from None
        raise XLSFormError(f"This is not a valid XLSForm: pyxform, the converter ODK, KoboToolbox and Ona use, "
                           f"cannot read it: {error}") from None
    # A damaged file can fail inside zipfile, xlrd, the XML parser or the csv module, each in its own way.
    except Exception:
        raise XLSFormError(_unreadable(file_type)) from None
    if not book.survey:
        raise XLSFormError('The form has no "survey" sheet, or it is empty. An XLSForm needs a sheet named survey '
                           "with a type and a name for each question; choices and settings are optional.")
    book.fallback_form_name = Path(filename).stem if filename else None
    _rename_translated_titles(book)
    return book


def _unreadable(file_type: str | None) -> str:
    if file_type in (".csv", ".md"):
        kind = "a CSV" if file_type == ".csv" else "a Markdown"
        return (f"This file could not be read as {kind} XLSForm. Save it as UTF-8 text, or open it in Excel, "
                "LibreOffice or Google Sheets, save it as .xlsx and try again.")
    return ("This file could not be read as an Excel workbook (.xlsx or .xls). Open it in Excel, LibreOffice or "
            "Google Sheets, save it as .xlsx and try again.")


def _rename_translated_titles(book: DefinitionData) -> None:
    """`form_title::Spanish (es)`, as this service used to write it, becomes the column pyxform accepts."""
    if not book.settings_header:
        return
    renames = {}
    for header in book.settings_header[0]:
        base, separator, language = header.partition("::")
        if separator and base.strip().lower().replace(" ", "_") in ("form_title", "title", "set_form_title"):
            renames[header] = f"{TITLE_TRANSLATION}::{language.strip()}"
    if renames:
        book.settings_header = [{renames.get(key, key): value for key, value in book.settings_header[0].items()}]
        book.settings = [{renames.get(key, key): value for key, value in row.items()} for row in book.settings or []]


def _convert(book: DefinitionData) -> dict[str, Any]:
    """pyxform's conversion of the form to an XForm: what it cannot convert is not an XLSForm."""
    checked = copy.deepcopy(book)
    try:
        converted = workbook_to_json(checked, fallback_form_name=checked.fallback_form_name)
        create_survey_element_from_dict(converted).to_xml(validate=False)
    # pyxform reports most problems as PyXFormError, and some forms it cannot handle as other errors.
    except Exception as error:
        detail = _PYXFORM_ROW.sub(r"row \1:", str(error).strip()) or type(error).__name__
        raise XLSFormError(f"This is not a valid XLSForm: pyxform, the converter ODK, KoboToolbox and Ona use, "
                           f"cannot convert it: {detail}") from None
    return converted


def _dealiased(rows: Any, header: Any, header_aliases: Mapping[str, Any], columns: set[str],
               headers_out: dict[tuple[str, ...], str]) -> list[dict[str, Any]]:
    """The sheet's rows as pyxform understands their columns: `label:English` and `label::English (en)`
    both become {"label": {"English...": text}}, `constraint message` becomes ("bind", "jr:constraintMsg").
    Each row keeps its spreadsheet row number in "__row"; `headers_out` gets each path's header.
    Unlike pyxform's own pass, text is kept as written: pyxform turns curly quotes into straight
    ones, which would change what families read."""
    if not rows:
        return []
    headers = [name for name in (header[0] if header else dict.fromkeys(key for row in rows for key in row))
               if isinstance(name, str)]
    double_colon = any("::" in name for name in headers)
    paths = {name: process_header(name, double_colon, header_aliases, columns)[1] for name in headers}
    headers_out.update({path: name for name, path in paths.items()})
    found = []
    for number, row in enumerate(rows, start=2):
        result: dict[str, Any] = {}
        for name, value in row.items():
            if name not in paths or value in (None, ""):
                continue
            path = paths[name]
            # `label` beside `label::French (fr)`: both are kept, the plain one under "default".
            nested = value if len(path) == 1 else list_to_nested_dict((*path[1:], value))
            result = merge_dicts(result, {path[0]: nested}, _NO_LANGUAGE)
        if result:
            result["__row"] = number
            found.append(result)
    return found


def _default_language(settings: Mapping[str, Any], survey_rows: list[dict[str, Any]]) -> str:
    """The `default_language` setting as a code; else English when some text has no language; else the
    first language of the survey sheet, which is the one ODK Collect shows first."""
    written = settings.get("default_language")
    if isinstance(written, str) and written.strip():
        code = language_code(written)
        if code is None:
            raise XLSFormError(
                f'settings sheet, row 2, column "default_language": "{written}" is not a language this service '
                'can recognise. Write the code, as in "en", or the name with the code in brackets, as in '
                '"English (en)".')
        return code
    seen: list[str] = []
    for row in survey_rows:
        for path in _TEXTS:
            texts = _at(row, path)
            if isinstance(texts, dict):
                seen.extend(texts)
            elif texts:
                seen.append(_NO_LANGUAGE)
    named = [name for name in dict.fromkeys(seen) if name != _NO_LANGUAGE]
    if _NO_LANGUAGE in seen or not named:
        return "en"
    return language_code(named[0]) or "en"


def _settings(settings: Mapping[str, Any], language: str, stem: str, notices: _Notices) -> dict[str, Any]:
    written_id = _plain(settings.get("id_string")) or stem or "form"
    form_id = _slug(written_id)
    if not form_id:
        raise XLSFormError(f'settings sheet, row 2, column "form_id": "{written_id}" has no letters or digits to '
                           "make a link from. Write a form_id such as household-intake.")
    if form_id != written_id:
        source = "form_id" if settings.get("id_string") else "file name"
        notices.add(f'The {source} "{written_id}" is used as "{form_id}" in this service: the survey is at '
                    f"/s/{form_id}.")
    raw: dict[str, Any] = {"form_id": form_id, "default_language": language}
    if _plain(settings.get("version")):
        raw["version"] = _plain(settings["version"])
    for key, value in settings.items():
        if key in ("id_string", "version", "default_language", "__row"):
            continue
        if key == "title" or key == TITLE_TRANSLATION:
            raw.update(_language_keys("form_title", value, language, "settings sheet, row 2", key))
        elif key in ("description", "review"):
            raw.update(_language_keys(key, value, language, "settings sheet, row 2", key))
        elif key == "style":
            if _plain(value).lower() != "pages":
                notices.add(f'settings sheet, column "style": "{_plain(value)}" is ignored: each group is shown as '
                            "one page, as with the style pages.")
        elif key in _IGNORED_SETTINGS:
            reason = _SETTING_REASONS.get(key, "It changes how ODK Collect or KoboToolbox behave, not the survey.")
            notices.add(f'settings sheet, column "{key}": this setting is ignored here. {reason}')
        elif isinstance(value, dict):
            raw.update({f"{key}::{code}": text for code, text in _translations(value, language, "settings sheet, "
                                                                                "row 2", key).items()})
        else:
            raw[key] = value
    return raw


_SETTING_REASONS = {
    "submission_url": "Answers are sent to this service.",
    "public_key": "Answers are kept in this service's database, not encrypted with this key.",
    "instance_name": "Responses are listed by when they were sent.",
}


def _slug(written: str) -> str:
    """A form id as pyxform accepts it (`My_Form_2024`) as the lower-case, hyphenated id of links."""
    return _SLUG_BREAK.sub("-", written.lower()).strip("-")[:79].strip("-")


class _Survey:
    """The survey sheet's rows as the flat definition's rows. A page is an outermost group; a group
    inside it adds its condition to each of its questions, and its label becomes a note."""

    def __init__(self, language: str, notices: _Notices, headers: Mapping[tuple[str, ...], str]) -> None:
        self.language = language
        self.headers = headers
        self.notices = notices
        self.rows: list[dict[str, Any]] = []
        self.numbers: list[int] = []
        self.groups: list[str | None] = []  # the relevant of each open group inside a page
        self.other_lists: set[str] = set()  # choice lists that `or_other` adds "other" to

    def read(self, rows: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
        for row in rows:
            self._row(row)
        return self.rows, self.numbers

    def _row(self, row: dict[str, Any]) -> None:
        number = row["__row"]
        where = f"survey sheet, row {number}"
        written = " ".join(_plain(row.get("type")).split())
        if not written:
            return
        kind, list_name = _type(written, row, where)
        name = _plain(row.get("name"))
        if kind in ("begin_group", "end_group"):
            self._group(kind, row, name, number, where)
            return
        if kind in _TIMESTAMPS:
            self.notices.add(f'survey sheet, type "{written}": not recorded from the phone; this service records '
                             "the time each response is sent.", number)
            return
        or_other = kind.endswith("_or_other")
        kind = kind.removesuffix("_or_other")
        flat: dict[str, Any] = {"type": f"{kind} {list_name}" if list_name else kind,
                                "name": name or f"note_{number}"}
        self._columns(row, flat, where, number, kind)
        relevant = self._inner_relevant(flat.get("relevant"))
        if relevant:
            flat["relevant"] = relevant
        self._add(flat, number)
        if or_other and list_name:
            self._add_other(flat, list_name, number)

    def _add_other(self, question: dict[str, Any], list_name: str, number: int) -> None:
        """`or_other`, as pyxform expands it: a choice "other" and a text question shown when it is chosen.
        pyxform writes their texts in English only, and so does this service; they are then missing in
        the survey's other languages, which the language table shows."""
        self.other_lists.add(list_name)
        name = question["name"]
        follow_up = {"type": "text", "name": f"{name}_other", f"label::{self.language}": "Specify other.",
                     "relevant": f"selected(${{{name}}}, 'other')"}
        if question.get("relevant"):
            follow_up["relevant"] = f"({question['relevant']}) and ({follow_up['relevant']})"
        self._add(follow_up, number)
        self.notices.add('survey sheet, type "or_other": a choice "other" (labelled "Other") and a question '
                         f'"{name}_other" were added, in the default language only; translate them for the other '
                         "languages by writing them into the form.", number)

    def _group(self, kind: str, row: dict[str, Any], name: str, number: int, where: str) -> None:
        depth = len(self.groups)
        if kind == "end_group":
            if self.groups:
                self.groups.pop()
            if depth <= 1:
                self._add({"type": "end_group"}, number)
            return
        flat: dict[str, Any] = {"type": "begin_group"}
        if name:
            flat["name"] = name
        self._columns(row, flat, where, number, kind)
        if depth == 0:
            self.groups.append(None)
            self._add(flat, number)
            return
        # A group inside a page: its questions stay on the page, each shown only when the group applies.
        self.groups.append(flat.get("relevant"))
        texts = {key: value for key, value in flat.items() if key.startswith("label::")}
        if texts:
            note = {"type": "note", "name": name or f"group_{number}", **texts}
            relevant = self._inner_relevant(None)
            if relevant:
                note["relevant"] = relevant
            self._add(note, number)

    def _inner_relevant(self, own: str | None) -> str | None:
        conditions = [condition for condition in (*self.groups[1:], own) if condition]
        if len(conditions) <= 1:
            return conditions[0] if conditions else None
        return " and ".join(f"({condition})" for condition in conditions)

    def _add(self, flat: dict[str, Any], number: int) -> None:
        self.rows.append(flat)
        self.numbers.append(number)

    def _columns(self, row: dict[str, Any], flat: dict[str, Any], where: str, number: int, kind: str) -> None:
        for path, column in _TEXTS.items():
            value = _at(row, path)
            if value:
                flat.update(_language_keys(column, value, self.language, where, "::".join(path)))
        for path, column in _RULES.items():
            value = _at(row, path)
            if isinstance(value, dict):
                raise XLSFormError(f'{where}, column "{_header(self.headers, path, value)}": "{column}" is the same in '
                                   f'every language. Name the column "{column}".')
            if _plain(value):
                flat[column] = _plain(value)
        required = _plain(_at(row, ("bind", "required")))
        if required:
            if required.lower() not in {key.lower() for key in aliases.yes_no} | {"1", "0"}:
                raise XLSFormError(
                    f'{where}, column "required": "{required}" is a condition. A condition in "required" is not '
                    'supported: write yes, and put the condition in the "relevant" column.')
            if _truthy(required):
                flat["required"] = "yes"
        for path, value in _other_columns(row):
            column = _header(self.headers, path, value)
            refusal = column_refusal(path, _plain(value) if not isinstance(value, dict) else "x", kind)
            if refusal is not None:
                problem, action = refusal
                raise XLSFormError(f'{where}, column "{column}": {problem}. {action}')
            if path == ("control", "appearance"):
                if kind != "begin_group" or _plain(value) not in _PAGE_APPEARANCES:
                        self.notices.add(f'survey sheet, column "appearance": "{_plain(value)}" is ignored; the '
                                     "question is shown the usual way.", number)
            elif value not in (None, "", {}):
                self.notices.add(f'survey sheet, column "{column}": ignored, as this service does not use it.',
                                 number)


def _type(written: str, row: Mapping[str, Any], where: str) -> tuple[str, str | None]:
    """The definition's type and choice list for a type as written, or a refusal naming the row."""
    lowered = written.lower()
    edge = _BEGIN_END.match(lowered)
    if edge:
        control = aliases.control.get(edge["control"].strip())
        if control == "group":
            return f"{edge['edge']}_group", None
        raise XLSFormError(type_refusal("repeat", written, where))
    select = _SELECT.match(written)
    if select:
        command = aliases.select[select["command"]]
        if select["command"] in aliases.select_from_file or command not in ("select one", "select all that apply"):
            raise XLSFormError(type_refusal(select["command"].replace(" ", "_"), written, where))
        kind = "select_one" if command == "select one" else "select_multiple"
        return (f"{kind}_or_other" if select["other"] else kind), select["list_name"]
    known = aliases._type_alias_map.get(written, written)
    spec = QUESTION_TYPE_DICT.get(known) or QUESTION_TYPE_DICT.get(lowered) or {}
    kind = _kind(known if known in QUESTION_TYPE_DICT else lowered, spec)
    if kind in SUPPORTED_TYPES or kind in _TIMESTAMPS:
        return kind, None
    raise XLSFormError(type_refusal(kind, written, where))


def _kind(written: str, spec: Mapping[str, Any]) -> str:
    """pyxform's many names for a type (`q int`, `add date prompt`, `get start time`) as one kind."""
    bind = spec.get("bind", {})
    preload = bind.get("jr:preload")
    params = bind.get("jr:preloadParams")
    if preload == "timestamp":
        return str(params)
    if preload == "date":
        return "today"
    if preload == "property":
        return "device"
    data_type = bind.get("type")
    tag = spec.get("control", {}).get("tag")
    if data_type in ("geopoint", "geotrace", "geoshape") or written in ("osm",):
        return "location"
    if written == "audit":
        return "device"
    if data_type in ("binary", "barcode"):
        return "media"
    if tag == "input" and data_type == "string":
        return "note" if bind.get("readonly") else "text"
    if tag == "input":
        return {"int": "integer", "decimal": "decimal", "date": "date", "time": "time"}.get(str(data_type),
                                                                                           str(data_type))
    if written in ("calculate", "hidden", "q calculate", "add calculate prompt"):
        return "calculate"
    return {"trigger": "acknowledge", "odk:rank": "rank", "int": "range"}.get(str(tag or data_type), written)


def _other_columns(row: Mapping[str, Any]) -> list[tuple[tuple[str, ...], Any]]:
    """The row's columns other than those read above, each as its path and value."""
    handled = {("type",), ("name",), ("__row",), *_TEXTS, *_RULES, ("bind", "required")}
    found: list[tuple[tuple[str, ...], Any]] = []
    for key, value in row.items():
        if isinstance(value, dict) and key in ("bind", "control", "media", "instance"):
            found.extend(((key, sub), inner) for sub, inner in value.items() if (key, sub) not in handled)
        elif (key,) not in handled:
            found.append(((key,), value))
    return found


def _choices(rows: list[dict[str, Any]], language: str, notices: _Notices,
             headers: Mapping[tuple[str, ...], str]) -> tuple[list[dict[str, Any]], list[int]]:
    choices: list[dict[str, Any]] = []
    numbers: list[int] = []
    for row in rows:
        number = row["__row"]
        where = f"choices sheet, row {number}"
        # pyxform names the column `list name`, however it is written.
        flat: dict[str, Any] = {"list_name": _plain(row.get("list name") or row.get("list_name")),
                                "name": _plain(row.get("name"))}
        if row.get("label"):
            flat.update(_language_keys("label", row["label"], language, where, "label"))
        for key, value in row.items():
            if key in ("list name", "list_name", "name", "label", "__row") or value in (None, "", {}):
                continue
            if key == "media":
                media = next(iter(value)) if isinstance(value, dict) else ""
                column = _header(headers, ("media", media), value.get(media)) if media else "media"
                raise XLSFormError(f'{where}, column "{column}": pictures, sound and video are not shown to '
                                   "respondents. Clear the cell, or remove the column.")
            notices.add(f'choices sheet, column "{_header(headers, (key,), value)}": ignored, as this service does '
                        "not use it.", number)
        choices.append(flat)
        numbers.append(number)
    return choices, numbers


def _language_keys(column: str, value: Any, language: str, where: str, header: str) -> dict[str, str]:
    """`{"English (en)": "Yes", "default": "Yes"}` as {"label::en": "Yes"}, refusing two columns for one language."""
    if not isinstance(value, dict):
        return {f"{column}::{language}": _plain(value)} if _plain(value) else {}
    return {f"{column}::{code}": text for code, text in _translations(value, language, where, header).items()}


def _translations(value: Mapping[str, Any], language: str, where: str, header: str) -> dict[str, str]:
    found: dict[str, str] = {}
    written_as: dict[str, str] = {}
    for written, text in value.items():
        if isinstance(text, dict):
            raise XLSFormError(f'{where}, column "{header}::{written}": a column name has one language, as in '
                               f'"{header}::English (en)".')
        code = language if written == _NO_LANGUAGE else language_code(written)
        if code is None:
            raise XLSFormError(
                f'{where.split(", row")[0]}, column "{header}::{written}": "{written}" is not a language this service '
                f'can recognise. Put the code in brackets after the name, as in "{header}::{written} (xx)", where '
                "xx is the language's code.")
        if code in found and _plain(text):
            first = written_as[code]
            first_header = header if first == _NO_LANGUAGE else f"{header}::{first}"
            this_header = header if written == _NO_LANGUAGE else f"{header}::{written}"
            raise XLSFormError(f'{where}: the columns "{first_header}" and "{this_header}" are both in the language '
                               f'"{code}" (a column without a language is in the default language). Keep one.')
        if _plain(text):
            found[code] = _plain(text)
            written_as[code] = written
    return found


def _at(row: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = row
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return _plain(value.get(_NO_LANGUAGE) or next(iter(value.values()), ""))
    # A date typed into a cell reads as the spreadsheet shows it, without pyxform's midnight.
    return _MIDNIGHT.sub("", str(value).strip())


def _located(message: str, survey_rows: list[int], choice_rows: list[int]) -> XLSFormError:
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


def _header(headers: Mapping[tuple[str, ...], str], path: tuple[str, ...], value: Any = None) -> str:
    """The column as written in row 1, for messages: `read_only` rather than pyxform's ("bind", "readonly")."""
    if isinstance(value, dict) and len(value) == 1:
        path = (*path, next(iter(value)))
    return headers.get(path) or "::".join(path)


class _Notices:
    """What was accepted but ignored, one line per kind, with the rows it applies to."""

    def __init__(self) -> None:
        self._rows: dict[str, list[int]] = {}

    def add(self, message: str, row: int | None = None) -> None:
        rows = self._rows.setdefault(message, [])
        if row is not None:
            rows.append(row)

    def messages(self) -> list[str]:
        found = []
        for message, rows in self._rows.items():
            if rows:
                sheet, _, rest = message.partition(", ")
                label = "row" if len(rows) == 1 else "rows"
                message = f"{sheet}, {label} {_row_list(rows)}, {rest}"
            found.append(message)
        return found


def _row_list(rows: list[int]) -> str:
    shown = ", ".join(str(row) for row in rows[:8])
    return shown + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")
