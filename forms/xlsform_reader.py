"""Reading XLSForms (.xlsx, .xls, .csv and .md) through pyxform, the converter ODK, KoboToolbox and Ona share.

pyxform's own backends read the file into sheets, its header aliases understand every spelling the
standard allows (`select one X`, `id_string`, `title`, `label:English`, `constraint message`...), and
its converter must accept the form: a file pyxform cannot convert is not an XLSForm. This module then
keeps the service's own layer on top: it refuses what the service does not run, or must not collect
from families, naming the sheet, the row as the spreadsheet numbers it and the column, and lists what
it accepts but ignores as notices for the person loading the form. The survey sheet's rows are
read in `xlsform_survey_sheet`, the cells in `xlsform_cells`.
"""
from __future__ import annotations

import copy
import csv
import io
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pyxform import aliases
from pyxform.builder import create_survey_element_from_dict
from pyxform.errors import PyXFormError
from pyxform.parsing.sheet_headers import list_to_nested_dict, merge_dicts, process_header
from pyxform.question import MultipleChoiceQuestion, Option
from pyxform.survey import Survey as PyxformSurvey
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import DefinitionData, get_xlsform

from .survey import SETTINGS_AUDIO, SETTINGS_IMAGE, DefinitionError
from .normalising import truthy, normalise
from .languages import language_code
from .xlsform_cells import (MEDIA_KINDS, NO_LANGUAGE, Notices, XLSFormError, at_path, language_keys, media_keys,
                            text_of, translations, written_header)
from .xlsform_survey_sheet import TEXT_COLUMNS, SurveySheet

_FILE_TYPES = {".xlsx": ".xlsx", ".xlsm": ".xlsm", ".xls": ".xls", ".csv": ".csv", ".md": ".md"}
_ZIP_SIGNATURE = b"PK\x03\x04"
# How pyxform says that its backend for the file's kind could not read it.
_NOT_RECOGNISED = "Argument 'definition' was not recognized"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"
_DEFINITION_ROW = re.compile(r"^(?P<sheet>survey|choices) row (?P<number>\d+)")
_PYXFORM_ROW = re.compile(r"\[row : (\d+)\]")
_SLUG_BREAK = re.compile(r"[^a-z0-9]+")
# Settings ODK or KoboToolbox act on, which change nothing here.
_IGNORED_SETTINGS = {name for name in PyxformSurvey.get_slot_names() if not name.startswith("_")} - {
    "title", "id_string", "version", "default_language", "style", "allow_choice_duplicates"}
# A translated title: pyxform fails on `form_title::Spanish (es)`, so titles in other languages
# have a column pyxform leaves alone. Files written before this column existed still load.
TITLE_TRANSLATION = "form_title_translation"


@dataclass
class XLSFormReading:
    """A form read: the flat definition `normalise()` takes, and what was accepted but ignored."""
    raw: dict[str, Any]
    notices: list[str] = field(default_factory=list)
    # Each media file the form names, with the first cell that names it ('survey sheet, row 4, column "audio"').
    media_cells: dict[str, str] = field(default_factory=dict)


def read_xlsform(source: bytes | BinaryIO | Path, filename: str | None = None) -> dict[str, Any]:
    """Read an XLSForm into the flat definition `normalise()` takes, checking it on the way."""
    return read_xlsform_with_notices(source, filename).raw


def read_xlsform_with_notices(source: bytes | BinaryIO | Path, filename: str | None = None,
                              files: Mapping[str, bytes] | None = None) -> XLSFormReading:
    """As `read_xlsform`, with what was ignored and the media cells; `files` are the files beside the
    form (its folder or .zip), where select_one_from_file finds its .csv."""
    data, filename = _content(source, filename)
    book = _sheets(data, filename)
    notices = Notices()
    media_cells: dict[str, str] = {}
    try:
        raw, survey_numbers, choice_numbers = _flat_definition(book, filename, notices, media_cells, files or {})
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
    return XLSFormReading(raw, notices.messages(), media_cells)


def _flat_definition(book: DefinitionData, filename: str | None, notices: Notices, media_cells: dict[str, str],
                     files: Mapping[str, bytes]) -> tuple[dict[str, Any], list[int], list[int]]:
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
    raw_settings = _settings(settings, language, Path(filename).stem if filename else "", notices, media_cells,
                             headers["settings"])
    reader = SurveySheet(language, notices, headers["survey"])
    survey, survey_numbers = reader.read(survey_rows)
    media_cells.update({name: cell for name, cell in reader.media_cells.items() if name not in media_cells})
    choices, choice_numbers = _choices(choice_rows, language, notices, headers["choices"], media_cells,
                                       reader.choice_columns)
    for list_name, (file_name, cell) in reader.file_lists.items():
        if any(choice["list_name"] == list_name for choice in choices):
            raise XLSFormError(f'{cell}: the choices of "{file_name}" would be the list "{list_name}", which the '
                               "choices sheet already has. Rename the file or the list.")
        read = _file_choices(list_name, file_name, cell, files, language, reader.choice_columns)
        choices.extend(read)
        choice_numbers.extend([0] * len(read))
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
        converted: dict[str, Any] = workbook_to_json(checked, fallback_form_name=checked.fallback_form_name)
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
            result = merge_dicts(result, {path[0]: nested}, NO_LANGUAGE)
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
        for path in TEXT_COLUMNS:
            texts = at_path(row, path)
            if isinstance(texts, dict):
                seen.extend(texts)
            elif texts:
                seen.append(NO_LANGUAGE)
    named = [name for name in dict.fromkeys(seen) if name != NO_LANGUAGE]
    if NO_LANGUAGE in seen or not named:
        return "en"
    return language_code(named[0]) or "en"


def _settings(settings: Mapping[str, Any], language: str, stem: str, notices: Notices,
              media_cells: dict[str, str], headers: Mapping[tuple[str, ...], str]) -> dict[str, Any]:
    written_id = text_of(settings.get("id_string")) or stem or "form"
    form_id = _slug(written_id)
    if not form_id:
        raise XLSFormError(f'settings sheet, row 2, column "form_id": "{written_id}" has no letters or digits to '
                           "make a link from. Write a form_id such as household-intake.")
    if form_id != written_id:
        source = "form_id" if settings.get("id_string") else "file name"
        notices.add(f'The {source} "{written_id}" is used as "{form_id}" in this service: the survey is at '
                    f"/s/{form_id}.")
    raw: dict[str, Any] = {"form_id": form_id, "default_language": language}
    if text_of(settings.get("version")):
        raw["version"] = text_of(settings["version"])
    for key, value in settings.items():
        if key in ("id_string", "version", "default_language", "__row"):
            continue
        if key == "title" or key == TITLE_TRANSLATION:
            raw.update(language_keys("form_title", value, language, "settings sheet, row 2", key))
        elif key in ("description", "review"):
            raw.update(language_keys(key, value, language, "settings sheet, row 2", key))
        elif key in SETTINGS_AUDIO:
            for flat_key, name in language_keys(key, value, language, "settings sheet, row 2", key).items():
                raw[flat_key] = name
                media_cells.setdefault(name, f'settings sheet, row 2, column "{key}::{flat_key.partition("::")[2]}"')
        elif key in SETTINGS_IMAGE:
            # Like a question's `image`: without a language, the picture is the default language's.
            raw.update(media_keys((key,), value, language, "settings sheet, row 2", headers, media_cells))
        elif key == "allow_choice_duplicates":
            if truthy(text_of(value)):
                raw[key] = "yes"
        elif key == "style":
            if text_of(value).lower() != "pages":
                notices.add(f'settings sheet, column "style": "{text_of(value)}" is ignored: each group is shown as '
                            "one page, as with the style pages.")
        elif key in _IGNORED_SETTINGS:
            reason = _SETTING_REASONS.get(key, "It changes how ODK Collect or KoboToolbox behave, not the survey.")
            notices.add(f'settings sheet, column "{key}": this setting is ignored here. {reason}')
        elif isinstance(value, dict):
            raw.update({f"{key}::{code}": text for code, text in translations(value, language, "settings sheet, "
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


def _choices(rows: list[dict[str, Any]], language: str, notices: Notices, headers: Mapping[tuple[str, ...], str],
             media_cells: dict[str, str], filtered_by: set[str]) -> tuple[list[dict[str, Any]], list[int]]:
    """The choices sheet's rows; of its other columns, those a choice filter reads (`filtered_by`) are kept."""
    choices: list[dict[str, Any]] = []
    numbers: list[int] = []
    for row in rows:
        number = row["__row"]
        where = f"choices sheet, row {number}"
        # pyxform names the column `list name`, however it is written.
        flat: dict[str, Any] = {"list_name": text_of(row.get("list name") or row.get("list_name")),
                                "name": text_of(row.get("name"))}
        if row.get("label"):
            flat.update(language_keys("label", row["label"], language, where, "label"))
        for key, value in row.items():
            if value in (None, "", {}) or key in ("list name", "list_name", "name", "label", "__row"):
                continue
            if key == "media" and isinstance(value, dict) and set(value) <= set(MEDIA_KINDS):
                for kind, cell in value.items():
                    flat.update(media_keys(("media", kind), cell, language, where, headers, media_cells))
                continue
            if key == "media":
                media = next((kind for kind in value if kind not in MEDIA_KINDS), "") if isinstance(value, dict) else ""
                column = written_header(headers, ("media", media), value.get(media)) if media else "media"
                raise XLSFormError(f'{where}, column "{column}": video is not shown to respondents; a recording of '
                                   'the text goes in an "audio::<language>" column and a picture in an '
                                   '"image::<language>" column. Clear the cell, or remove the column.')
            if key in filtered_by and not isinstance(value, dict):
                flat[key] = text_of(value)
                continue
            written = written_header(headers, (key,), value)
            notices.add(f'choices sheet, column "{written}": ignored, as this service does not use it.', number)
        choices.append(flat)
        numbers.append(number)
    return choices, numbers


MAX_FILE_CHOICES = 5000


def _file_choices(list_name: str, file_name: str, cell: str, files: Mapping[str, bytes],
                  language: str, filtered_by: set[str]) -> list[dict[str, Any]]:
    """The choices of a select_one_from_file list, from its .csv beside the form: a `name` column,
    and `label` or `label::<language>` columns, as ODK reads them; of its other columns, those a
    choice filter reads (`filtered_by`) are kept."""
    content = files.get(file_name, files.get(Path(file_name).name))
    if content is None:
        raise XLSFormError(f'{cell}: there is no file "{file_name}" beside the form. Put it in the folder or .zip '
                           "with the form.")
    try:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error):
        raise XLSFormError(f'"{file_name}" could not be read as a CSV file. Save it as "CSV UTF-8" and try '
                           "again.") from None
    header = [column.strip() for column in rows[0]] if rows else []
    labels = {index: column.partition("::")[2].strip() or NO_LANGUAGE for index, column in enumerate(header)
              if column.partition("::")[0].strip() == "label"}
    if "name" not in header or not labels:
        raise XLSFormError(f'"{file_name}", row 1: the list needs a "name" column and a "label" column (or one '
                           'per language, as in "label::English (en)").')
    if len(rows) - 1 > MAX_FILE_CHOICES:
        raise XLSFormError(f'"{file_name}" has {len(rows) - 1} choices, more than {MAX_FILE_CHOICES}. Keep the '
                           "ones families choose from.")
    found = []
    for number, row in enumerate(rows[1:], start=2):
        cells = dict(enumerate(cell.strip() for cell in row))
        name = cells.get(header.index("name"), "")
        if not name and not any(cells.values()):
            continue
        where = f'"{file_name}", row {number}'
        if not name:
            raise XLSFormError(f'{where}, column "name": every choice needs a name.')
        texts = {written: cells.get(index, "") for index, written in labels.items()}
        columns = {column: cells[index] for index, column in enumerate(header)
                   if column in filtered_by and column != "name" and cells.get(index)}
        found.append({"list_name": list_name, "name": name,
                      **language_keys("label", texts, language, where, "label"), **columns})
    return found


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
