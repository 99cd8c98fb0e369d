"""XLSForm workbooks load as the survey their author wrote: a written workbook reads back as the
same survey, and features the service cannot honour are refused with the sheet, row and column."""
from __future__ import annotations

import copy
import importlib.util
import io
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from forms.loading import load_survey
from forms.survey import GROUP_TYPES, QUESTION_TYPES, DefinitionError
from forms.normalising import normalise
from forms.xlsform import (SUPPORTED_TYPES, XLSFormError, read_xlsform, read_xlsform_with_notices, stored_to_raw,
                           write_xlsform)

XLSFORMS = Path(__file__).parent / "xlsforms"
_spec = importlib.util.spec_from_file_location("xlsform_fixtures", XLSFORMS / "build_fixtures.py")
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)

with open("surveys/family-voices.yaml", encoding="utf-8") as handle:
    FAMILY_VOICES = yaml.safe_load(handle)

FORM_NAMES = sorted(fixtures.FORMS)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return fixtures.build(tmp_path_factory.mktemp("xlsforms"))


def raw_form(name: str, built: dict[str, Path]) -> dict[str, Any]:
    if name == "family-voices":
        return copy.deepcopy(FAMILY_VOICES)
    return read_xlsform(built[name])


def workbook_bytes(sheets: dict[str, list[list[Any]]], tmp_path: Path) -> bytes:
    return fixtures.write_workbook(sheets, tmp_path / "form.xlsx").read_bytes()


def header_row(data: bytes, sheet: str) -> list[Any]:
    return [cell.value for cell in load_workbook(io.BytesIO(data))[sheet][1]]


# A small valid form; the tests below add one feature to it at a time.
BASE = {
    "survey": [["type", "name", "label"], ["select_one yes_no", "consent", "Do you agree to answer?"]],
    "choices": [["list_name", "name", "label"], ["yes_no", "yes", "Yes"], ["yes_no", "no", "No"]],
    "settings": [["form_id"], ["feature-check"]],
}


def test_xlsform_supported_types_are_the_loaders():
    assert set(SUPPORTED_TYPES) == QUESTION_TYPES | GROUP_TYPES


@pytest.mark.parametrize("name", FORM_NAMES)
def test_read_xlsform_committed_copy_matches_generator(name, built):
    # If this fails, rebuild the copies: .venv/bin/python tests/forms/xlsforms/build_fixtures.py
    assert read_xlsform(XLSFORMS / f"{name}.xlsx") == read_xlsform(built[name])


@pytest.mark.parametrize("name", [*FORM_NAMES, "family-voices"])
def test_xlsform_round_trip_keeps_the_survey(name, built):
    raw = raw_form(name, built)
    assert normalise(read_xlsform(write_xlsform(raw))) == normalise(raw)


@pytest.mark.parametrize("name", [*FORM_NAMES, "family-voices"])
def test_stored_to_raw_normalises_back_to_the_stored_form(name, built):
    definition = normalise(raw_form(name, built))
    assert normalise(stored_to_raw(definition)) == definition
    assert normalise(read_xlsform(write_xlsform(stored_to_raw(definition)))) == definition


def test_read_xlsform_household_intake_keeps_languages_groups_and_rules(built):
    survey = load_survey(normalise(read_xlsform(built["household-intake"])))
    assert [page.name for page in survey.pages] == ["household", "contact"]
    assert survey.languages == ("en", "es")
    children = survey.questions["children_count"]
    assert children.label["es"] == "¿Cuántos niños menores de 18 años viven en su casa?"
    assert children.constraint.source == ". >= 0 and . <= 20"
    assert children.constraint_message == {"en": "Enter a number from 0 to 20.", "es": "Escriba un número del 0 al 20."}
    assert children.required and children.required_message["es"] == "Díganos cuántos niños viven con usted."
    assert survey.questions["enrolled"].relevant.source == "${children_count} > 0"
    assert survey.questions["arrival_date"].type == "date"


def test_read_xlsform_school_feedback_keeps_right_to_left_text_and_limits(built):
    survey = load_survey(normalise(read_xlsform(built["school-feedback"])))
    assert survey.languages == ("en", "ar", "so")
    assert survey.title["ar"] == "رأيك في المدرسة"
    assert survey.questions["welcome"].type == "note"
    topics = survey.questions["topics"]
    assert topics.multiple and topics.constraint.source == "count-selected(.) <= 2"
    assert topics.constraint_message["so"] == "Ha dooran wax ka badan 2 mawduuc."
    assert [choice.name for choice in survey.questions["satisfaction"].choices] == ["3", "2", "1"]


def test_read_xlsform_plain_columns_are_in_the_default_language(built):
    raw = read_xlsform(built["community-meeting"])
    assert raw["settings"] == {"form_title::en": "Community meeting feedback", "form_id": "community-meeting",
                               "version": "2025-03-01", "default_language": "en"}
    survey = load_survey(normalise(raw))
    assert survey.languages == ("en",)
    assert survey.questions["guests"].hint == {"en": "Do not count yourself."}
    assert survey.questions["meeting"].required and not survey.questions["guests"].required


@pytest.mark.parametrize("default_language, code", [("es", "es"), ("Español (es)", "es"), ("Spanish", "es"),
                                                    ("zh-Hans", "zh-Hans")])
def test_read_xlsform_plain_label_follows_default_language(default_language, code, tmp_path):
    sheets = {
        "survey": [["type", "name", "label"], ["text", "q1", "Pregunta"]],
        "settings": [["form_id", "default_language"], ["plain", default_language]],
    }
    raw = read_xlsform(workbook_bytes(sheets, tmp_path))
    assert raw["survey"] == [{"type": "text", "name": "q1", f"label::{code}": "Pregunta"}]
    assert raw["settings"]["default_language"] == code
    assert raw["choices"] == []


@pytest.mark.parametrize("header, code", [
    ("label::es", "es"),
    ("label::Spanish", "es"),
    ("label::Español (es)", "es"),
    (" Label :: Spanish (es) ", "es"),
    ("label::Chinese (Simplified) (zh-Hans)", "zh-Hans"),
    ("label::Kurdish (Sorani) (ckb)", "ckb"),
])
def test_read_xlsform_language_header_gives_code(header, code, tmp_path):
    sheets = {**BASE, "survey": [["type", "name", "label::en", header], ["text", "q1", "Question", "Translated"]]}
    assert read_xlsform(workbook_bytes(sheets, tmp_path))["survey"][0][f"label::{code}"] == "Translated"


def test_read_xlsform_accepts_bytes_file_and_path(built):
    path = built["school-feedback"]
    with path.open("rb") as handle:
        from_file = read_xlsform(handle)
    assert read_xlsform(path.read_bytes()) == from_file == read_xlsform(path)


def test_read_xlsform_sheet_names_ignore_case(tmp_path):
    sheets = {"Survey": [["type", "name", "label"], ["text", "q1", "Q"]], "Settings": [["form_id"], ["cased"]]}
    assert read_xlsform(workbook_bytes(sheets, tmp_path))["settings"] == {"form_id": "cased", "default_language": "en"}


def form_with(sheet: str, cells: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """BASE with one more row on `sheet`, or on the settings sheet more values in row 2."""
    sheets = copy.deepcopy(BASE)
    rows = sheets[sheet]
    row = rows[1] if sheet == "settings" else []
    for header, value in cells.items():
        if header not in rows[0]:
            rows[0].append(header)
        index = rows[0].index(header)
        row.extend([None] * (index + 1 - len(row)))
        row[index] = value
    if sheet != "settings":
        rows.append(row)
    return sheets


def question(kind: str, **cells: Any) -> dict[str, Any]:
    return {"type": kind, "name": "q2", "label": "Second question", **cells}


TYPES_LIST = ("Supported types: text, integer, decimal, date, time, select_one, select_multiple, note, calculate, "
              "start, end, today, begin_group, end_group, begin_repeat, end_repeat.")
NOT_COLLECTED = "and this service does not collect it from families."


@pytest.mark.parametrize("sheet, cells, message", [
    ("survey", question("geopoint"), 'survey sheet, row 3, column "type": "geopoint" is not supported: locations can '
     f"show where a family lives, {NOT_COLLECTED} {TYPES_LIST} Remove the row, or ask for the place with select_one"),
    *[("survey", question(kind), f'"{kind}" is not supported: locations can show where a family lives')
      for kind in ("geotrace", "geoshape", "start-geopoint", "gps", "q location")],
    *[("survey", question(kind), f'"{kind}" is not supported: photos, recordings, files and scans can identify a '
      f"family, {NOT_COLLECTED} {TYPES_LIST} Remove the row.")
      for kind in ("image", "photo", "audio", "video", "file", "barcode", "add photo prompt", "background-audio")],
    *[("survey", question(kind), f'"{kind}" is not supported: phone and account identifiers (device id, phone '
      f"number, SIM, user name, email) identify the person answering, {NOT_COLLECTED}")
      for kind in ("deviceid", "imei", "phonenumber", "simserial", "subscriberid", "username", "email", "audit")],
    ("survey", question("begin repeat"), 'survey sheet, row 3, column "repeat_count": the repeat "q2" has no count. '
     "Write in repeat_count how many times to ask its questions: a number, or an earlier answer such as ${children} "
     "(at most 20)."),
    ("survey", question("begin loop over yes_no"), '"begin loop over yes_no" is not supported: loops over a choice '
     "list are not supported."),
    ("survey", question("calculate", calculation="uuid()"), "survey sheet, row 3 ('q2'): the calculation "
     "expression is not valid: unknown function uuid()"),
    ("survey", question("rank yes_no"), '"rank yes_no" is not supported: ranking is not supported.'),
    ("survey", question("range"), '"range" is not supported: sliders are not supported.'),
    ("survey", question("acknowledge"), '"acknowledge" is not supported: tick-to-confirm'),
    ("survey", question("dateTime"), '"dateTime" is not supported: a date with a time is not supported.'),
    ("survey", question("barcode_reader"), f'"barcode_reader" is not supported. {TYPES_LIST} Remove the row or change '
     "its type."),
    ("survey", question("select_one_from_file schools.csv"), 'survey sheet, row 3, column "type": there is no file '
     '"schools.csv" beside the form. Put it in the folder or .zip with the form.'),
    ("survey", question("select_one_from_file schools.xml"), 'survey sheet, row 3, column "type": '
     '"select_one_from_file schools.xml": choices are read from a .csv file here'),
    ("survey", question("select_one yes_no", choice_filter="county = ${consent}"), "survey sheet, row 3 ('q2'): "
     "the choice_filter names the column county, which the choices of this question do not have."),
    ("survey", question("text", choice_filter="name != 'no'"), "survey sheet, row 3 ('q2'): only a select_one or "
     "select_multiple question has a choice_filter."),
    ("survey", question("note", **{"media::video::English (en)": "map.mp4"}), 'survey sheet, row 3, column '
     '"media::video::English (en)": video is not shown to respondents; a recording of the text goes in an '
     '"audio::<language>" column and a picture in an "image::<language>" column. Clear the cell'),
    ("survey", question("note", video="map.mp4"), 'column "video": video is not shown'),
    ("survey", question("note", **{"big-image": "map.png"}), 'column "big-image": video is not shown'),
    ("survey", question("integer", default="many"), "survey sheet, row 3 ('q2'): the default 'many' is not a "
     "integer answer."),
    ("survey", question("select_one yes_no", default="maybe"), "survey sheet, row 3 ('q2'): the default 'maybe' is "
     "not a choice of the list 'yes_no'."),
    ("survey", question("text", required="${consent} = "), "survey sheet, row 3 ('q2'): the required expression is "
     "not valid"),
    ("survey", question("text", trigger="${consent}"), 'survey sheet, row 3, column "trigger": answers set by other '
     "answers are not supported."),
    ("survey", question("text", read_only="yes"), 'survey sheet, row 3, column "read_only": read-only questions are '
     "not supported."),
    ("survey", question("text", **{"label::Klingonese": "nuqneH"}), 'survey sheet, column "label::Klingonese": '
     '"Klingonese" is not a language this service can recognise. Put the code in brackets after the name'),
    ("survey", question("text", **{"label::English (en)": "Hello"}), 'survey sheet, row 3: the columns "label" and '
     '"label::English (en)" are both in the language "en"'),
    ("survey", question("text", **{"relevant::en": "1 = 1"}), 'survey sheet, row 3, column "relevant::en": '
     '"relevant" is the same in every language.'),
    ("choices", {"list_name": "yes_no", "name": "maybe", "label": "Maybe", "media::video": "maybe.mp4"},
     'choices sheet, row 4, column "media::video": video is not shown'),
    ("settings", {"default_language": "Elvish"}, 'settings sheet, row 2, column "default_language": "Elvish" is '
     "not a language this service can recognise."),
])
def test_read_xlsform_refuses_unsupported_feature_naming_the_cell(sheet, cells, message, tmp_path):
    data = workbook_bytes(form_with(sheet, cells), tmp_path)
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(data)
    assert message in str(raised.value)


def test_read_xlsform_refuses_settings_below_row_two(tmp_path):
    sheets = copy.deepcopy(BASE)
    sheets["settings"].append(["another-id"])
    with pytest.raises(XLSFormError, match="^settings sheet, row 3: only row 2 is read"):
        read_xlsform(workbook_bytes(sheets, tmp_path))


@pytest.mark.parametrize("sheet, cells, notice", [
    ("survey", {"type": "begin_group", "name": "g", "label": "Page", "appearance": "field-list"}, None),
    ("settings", {"style": "pages"}, None),
    ("survey", {"type": "text", "name": "q2", "label": "Second", "appearance": None, "default": None}, None),
    ("survey", question("text", appearance="multiline"), 'survey sheet, row 3, column "appearance": "multiline" is '
     "ignored; the question is shown the usual way."),
    ("survey", question("text", **{"": "stray"}), None),
    ("survey", question("start", label=None), 'survey sheet, row 3, type "start": recorded by this service, not the '
     "phone, to the minute, in UTC."),
    ("choices", {"list_name": "yes_no", "name": "maybe", "label": "Maybe", "county": "north"}, 'choices sheet, row 4, '
     'column "county": ignored, as this service does not use it.'),
    ("settings", {"submission_url": "https://example.org/submit"}, 'settings sheet, column "submission_url": this '
     "setting is ignored here. Answers are sent to this service."),
    ("settings", {"style": "theme-grid"}, 'settings sheet, column "style": "theme-grid" is ignored: each group is '
     "shown as one page, as with the style pages."),
])
def test_read_xlsform_accepts_what_the_service_does_anyway(sheet, cells, notice, tmp_path):
    sheets = form_with(sheet, cells)
    if cells.get("type") == "begin_group":
        sheets["survey"] += [["text", "q2", "Second"], ["end_group"]]
    reading = read_xlsform_with_notices(workbook_bytes(sheets, tmp_path))
    assert all(set(row) <= {"type", "name", "label::en"} for row in reading.raw["survey"])
    assert "style" not in reading.raw["settings"] and "submission_url" not in reading.raw["settings"]
    assert reading.notices == ([notice] if notice else [])


PYXFORM_REFUSES = ("This is not a valid XLSForm: pyxform, the converter ODK, KoboToolbox and Ona use, cannot "
                   "convert it: ")


@pytest.mark.parametrize("sheets, message", [
    ({**BASE, "survey": [["type", "name", "label", "relevant"], [], ["text", "q1", "First", "${later} = 'x'"],
                         ["text", "later", "Later"]]},
     "survey sheet, row 3 ('q1'): the relevant expression refers to ${later}, which is not a question above it."),
    ({**BASE, "survey": [["type", "name", "label"], ["begin_group", "g", "Page"], ["text", "q1", "First"]]},
     f"{PYXFORM_REFUSES}row 2: Unmatched 'begin_group'."),
    ({**BASE, "survey": [["type", "name", "label"], ["select_one colours", "q1", "First"]]},
     f"{PYXFORM_REFUSES}row 2: List name not in choices sheet: colours"),
    ({**BASE, "survey": [["type", "name", "label::Español (es)", "label::English (en)"], ["text", "q1", "Primera"]],
      "settings": [["form_id", "default_language"], ["f", "English (en)"]]},
     "survey sheet, row 2 ('q1'): the question has no label in the default language 'en'."),
    ({**BASE, "choices": [["list_name", "name", "label"], ["yes_no", "yes", "Yes"], [None], ["yes_no", "yes", "Y"]]},
     f"{PYXFORM_REFUSES}row 4: On the 'choices' sheet, the 'name' value is invalid. Choice names must be unique"),
    ({**BASE, "settings": [["form_id"], ["--"]]}, 'settings sheet, row 2, column "form_id": "--" has no letters'),
    ({**BASE, "survey": [["type", "name", "label"]]}, 'The form has no "survey" sheet, or it is empty.'),
])
def test_read_xlsform_loader_errors_name_the_spreadsheet_row(sheets, message, tmp_path):
    with pytest.raises(DefinitionError) as raised:
        read_xlsform(workbook_bytes(sheets, tmp_path))
    assert isinstance(raised.value, XLSFormError)
    assert str(raised.value).startswith(message)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _with_broken_survey_sheet() -> bytes:
    with zipfile.ZipFile(io.BytesIO(write_xlsform(FAMILY_VOICES))) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row><c"
    return _zip(files)


UNREADABLE = "This file could not be read as an Excel workbook (.xlsx or .xls)."


@pytest.mark.parametrize("data, message", [
    (random.Random(7).randbytes(4096), UNREADABLE),
    (b"", "The file is empty."),
    (_zip({"notes.txt": b"not a workbook"}), UNREADABLE),
    (write_xlsform(FAMILY_VOICES)[:3000], UNREADABLE),
    (_with_broken_survey_sheet(), UNREADABLE),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), UNREADABLE),
])
def test_read_xlsform_damaged_file_gives_plain_message(data, message):
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(data)
    assert str(raised.value).startswith(message)
    # The reader's own exception (zipfile, XML, openpyxl) is not shown to the person uploading.
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None or raised.value.__suppress_context__


def test_read_xlsform_missing_survey_sheet_is_named(tmp_path):
    with pytest.raises(XLSFormError, match='^The form has no "survey" sheet'):
        read_xlsform(workbook_bytes({"settings": BASE["settings"], "choices": BASE["choices"]}, tmp_path))


def test_read_xlsform_without_settings_takes_the_id_from_the_file_name(tmp_path):
    data = workbook_bytes({"survey": BASE["survey"], "choices": BASE["choices"]}, tmp_path)
    reading = read_xlsform_with_notices(data, "Household_Survey 2024.xlsx")
    assert reading.raw["settings"] == {"form_id": "household-survey-2024", "default_language": "en"}
    assert reading.notices == ['The file name "Household_Survey 2024" is used as "household-survey-2024" in this '
                               "service: the survey is at /s/household-survey-2024."]


def two_language_raw(**survey_cells: Any) -> dict[str, Any]:
    return {
        "settings": {"version": "3", "form_id": "two-languages", "form_title::es": "Dos idiomas",
                     "form_title::en": "Two languages", "default_language": "en"},
        "survey": [{"required_message::es": "Responda, por favor.", "constraint": ". > 0",
                    "label::es": "¿Cuántos?", "hint::en": "A number.", "required": True, "relevant": "",
                    "constraint_message::en": "More than 0.", "label::en": "How many?", "name": "count",
                    "type": "integer", "hint::es": "Un número.", "constraint_message::es": "Más de 0.",
                    "required_message::en": "Please answer.", **survey_cells}],
        "choices": [],
    }


def test_write_xlsform_columns_in_odk_order():
    data = write_xlsform(two_language_raw())
    assert header_row(data, "survey") == [
        "type", "name", "label::English (en)", "label::Spanish (es)", "hint::English (en)", "hint::Spanish (es)",
        "required", "constraint", "constraint_message::English (en)", "constraint_message::Spanish (es)",
        "required_message::English (en)", "required_message::Spanish (es)"]
    assert header_row(data, "choices") == ["list_name", "name", "label::English (en)", "label::Spanish (es)"]
    # pyxform takes form_title in one language, so the Spanish title has a column of its own.
    assert header_row(data, "settings") == ["form_title", "form_title_translation::Spanish (es)", "form_id",
                                            "version", "default_language"]
    assert [cell.value for cell in load_workbook(io.BytesIO(data))["settings"][2]][-1] == "English (en)"


@pytest.mark.parametrize("code, header", [
    ("es", "label::Spanish (es)"),
    ("zh-Hans", "label::Chinese (Simplified) (zh-Hans)"),
    ("zh-Hant", "label::Chinese (Traditional) (zh-Hant)"),
    ("ckb", "label::Kurdish (Sorani) (ckb)"),
    ("ksw", "label::Karen (ksw)"),
    ("ht", "label::Haitian Creole (ht)"),
    ("fr", "label::French (fr)"),
    ("sw", "label::Swahili (sw)"),
    ("xyz", "label::xyz (xyz)"),
])
def test_write_xlsform_language_headers_read_back(code, header):
    raw = {"settings": {"form_id": "headers"},
           "survey": [{"type": "text", "name": "q1", "label::en": "Hello", f"label::{code}": f"Hello in {code}"}],
           "choices": []}
    data = write_xlsform(raw)
    assert header in header_row(data, "survey")
    assert read_xlsform(data)["survey"][0][f"label::{code}"] == f"Hello in {code}"


def test_write_xlsform_text_starting_with_equals_stays_text():
    raw = two_language_raw(**{"label::en": "=2+2 is how many?"})
    data = write_xlsform(raw)
    assert load_workbook(io.BytesIO(data))["survey"]["C2"].data_type == "s"
    assert read_xlsform(data)["survey"][0]["label::en"] == "=2+2 is how many?"


@pytest.mark.parametrize("cells, message", [
    ({"label::en": "How\x0bmany?"}, 'survey row 1, column "label::en": the text has a character a spreadsheet '
     "cannot hold (U+000B). Remove it."),
    ({"hint::es": "Línea\r\notra"}, '(U+000D)'),
    ({"label::es": "\ufffe"}, "(U+FFFE)"),
    ({"label::en": "x" * 32768}, "longer than a spreadsheet cell can hold (32767 characters)"),
    ({"appearance": "minimal"}, 'survey row 1: the column "appearance" is not part of an XLSForm this service reads.'),
])
def test_write_xlsform_refuses_what_a_workbook_cannot_hold(cells, message):
    with pytest.raises(XLSFormError) as raised:
        write_xlsform(two_language_raw(**cells))
    assert message in str(raised.value)


# pyxform reads a no-break space as a plain space, as ODK does.
_LABEL = st.one_of(
    st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff\u00a0"), max_size=60),
    st.sampled_from(["كم عدد الأطفال في بيتك؟", "שלום, מה שלומך?", "جواب‌های شما", "ہمیں بتائیں", "👩🏽‍🏫 teacher",
                     "🇸🇴 Soomaali 🇺🇸", "Mixed عربي and English", "\u200fRTL mark", "_x0041_ stays", "  padded\tlabel\n"]),
).filter(lambda text: text.strip())


@settings(database=None, max_examples=75, deadline=None)
@given(label=_LABEL, hint=_LABEL, choice=_LABEL)
def test_write_xlsform_label_text_survives_reading_back(label: str, hint: str, choice: str):
    raw = {"settings": {"form_id": "labels", "default_language": "ar"},
           "survey": [{"type": "select_one answers", "name": "q1", "label::ar": label, "hint::ar": hint,
                       "label::en": label}],
           "choices": [{"list_name": "answers", "name": "a", "label::ar": choice}]}
    back = read_xlsform(write_xlsform(raw))
    assert back["survey"][0]["label::ar"] == label.strip()
    assert back["choices"][0]["label::ar"] == choice.strip()
    assert normalise(back) == normalise(raw)


def test_xlsform_writes_back_report_and_wording_settings():
    raw = yaml.safe_load((Path(__file__).resolve().parent.parent / "data" / "school-meals.yaml").read_text("utf-8"))
    stored = normalise(raw)
    workbook = write_xlsform(stored_to_raw(stored))
    sheet = load_workbook(io.BytesIO(workbook))["settings"]
    written = {header.value: value.value for header, value in zip(sheet[1], sheet[2])}
    assert written["report_rank"] == "meal_problems" and written["report_group"] == "school"
    assert written["report_breakdowns"] == "grade language channel"
    assert written["duration::Somali (so)"] == "Waxay qaadanaysaa qiyaastii 2 daqiiqo."
    assert normalise(read_xlsform(workbook)) == stored
    survey = load_survey(stored)
    assert survey.report_breakdowns == ("grade", "language", "channel")


def test_read_xlsform_or_other_adds_the_choice_and_the_question_as_pyxform_does(tmp_path):
    reading = read_xlsform_with_notices(workbook_bytes(form_with("survey", question(
        "select_one yes_no or_other", name="agree", relevant="${consent} = 'yes'")), tmp_path))
    assert reading.raw["survey"][1:] == [
        {"type": "select_one yes_no", "name": "agree", "label::en": "Second question",
         "relevant": "${consent} = 'yes'"},
        {"type": "text", "name": "agree_other", "label::en": "Specify other.",
         "relevant": "(${consent} = 'yes') and (selected(${agree}, 'other'))"}]
    assert reading.raw["choices"][-1] == {"list_name": "yes_no", "name": "other", "label::en": "Other"}
    assert reading.notices == ['survey sheet, row 3, type "or_other": a choice "other" (labelled "Other") and a '
                               'question "agree_other" were added, in the default language only; translate them '
                               "for the other languages by writing them into the form."]


def test_read_xlsform_nested_group_stays_on_its_page_with_its_condition(tmp_path):
    sheets = copy.deepcopy(BASE)
    sheets["survey"] += [["begin group", "page"], ["begin_group", "inner", "About the child", "${consent} = 'yes'"],
                         ["integer", "age", "Age?"], ["end group"], ["end group"]]
    sheets["survey"][0].append("relevant")
    raw = read_xlsform(workbook_bytes(sheets, tmp_path))
    assert [row["type"] for row in raw["survey"]] == ["select_one yes_no", "begin_group", "note", "integer",
                                                      "end_group"]
    assert raw["survey"][2] == {"type": "note", "name": "inner", "label::en": "About the child",
                                "relevant": "${consent} = 'yes'"}
    assert raw["survey"][3]["relevant"] == "${consent} = 'yes'"


@pytest.mark.parametrize("source", ["yes_or_no_question.md", "specify_other.md", "group.md"])
def test_read_xlsform_damaged_markdown_form_gets_a_message_never_a_traceback(source):
    original = (XLSFORMS / "public" / "pyxform" / source).read_bytes()
    chance = random.Random(source)
    for _ in range(60):
        damaged = bytearray(original)
        for _ in range(chance.randint(1, 6)):
            damaged[chance.randrange(len(damaged))] = chance.choice(b"|:_ abc${}()\n,")
        try:
            read_xlsform(bytes(damaged), "damaged.md")
        except XLSFormError:
            pass


def test_read_xlsform_plain_and_coded_column_in_the_default_language_are_refused():
    form = (b"| survey |\n| | type | name | label::fr | label |\n| | text | q | Q | Q2 |\n"
            b"| settings |\n| | default_language |\n| | fr |\n")
    with pytest.raises(XLSFormError, match='^survey sheet, row 2: the columns "label::fr" and "label" are both'):
        read_xlsform(form, "form.md")
