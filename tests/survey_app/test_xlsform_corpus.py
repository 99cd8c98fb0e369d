"""Public XLSForms from the ODK, KoboToolbox and Ona projects (tests/forms/xlsforms/public/README.md):
each loads or is refused with a message, never a traceback; each form that loads is answered to
the thank-you page in each of its languages, and its download converts with pyxform and loads back
as the same survey."""
from __future__ import annotations

import collections
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform import xls2xform
from sqlalchemy import select

from forms.loading import load_survey
from forms.normalising import normalise
from forms.xlsform import XLSFormError, read_xlsform, read_xlsform_with_notices, stored_to_raw, write_xlsform
from survey_app import storage
from survey_app.extensions import db
from survey_app.models import Answer
from tests.conftest import csrf_token

CORPUS = Path(__file__).parent.parent / "forms" / "xlsforms" / "public"
FORMS = sorted(path for path in CORPUS.glob("*/*") if path.suffix in (".xlsx", ".xls", ".csv", ".md"))
# What every refusal starts with: the place in the form, or what is wrong with the file as a whole.
REFUSAL = re.compile(r"^((survey|choices|settings) sheet[,:]|This is not a valid XLSForm|This file could not be "
                     r"read|The form has no|The file is empty)")

FIELD = re.compile(r'<(?P<tag>input|textarea)\b(?P<attributes>[^>]*)>')
ATTRIBUTE = re.compile(r'(?P<name>[\w-]+)="(?P<value>[^"]*)"')
ERROR = re.compile(r'id="(?P<name>[^"]+)-error"')
# Answers tried in turn until the page accepts them: constraints differ from form to form.
TRIES = {
    "text": ["Yes", "1", "abc", "Test answer", "5", "2020-01-15", "a"],
    "numeric": ["1", "2", "0", "5", "10", "3", "18", "30", "100", "4", "25", "50"],
    "decimal": ["1.5", "1", "0", "10", "2.5", "100", "0.5", "50"],
    "date": ["2020-01-15", date.today().isoformat(), "2000-01-01", "2024-06-01", "1990-05-05"],
    "time": ["10:30", "08:00", "14:00"],
}
MAX_TRIES = 14
# How many of the public forms load, with repeats, calculations, defaults, conditions in required and
# choice filters all running, and picture columns read. The others are refused for what this service does not run (a repeat
# without a count or inside a group, loops over a list, choices from files, a few expressions) or
# must not collect (locations, photos, phone ids).
LOADED = 49


def read_corpus() -> tuple[dict[Path, dict], collections.Counter]:
    loaded: dict[Path, dict] = {}
    refused: collections.Counter = collections.Counter()
    for path in FORMS:
        try:
            loaded[path] = read_xlsform(path)
        except XLSFormError as error:
            message = str(error)
            assert REFUSAL.match(message), f"{path.name}: {message}"
            refused[_cause(message)] += 1
    return loaded, refused


def _cause(message: str) -> str:
    """A refusal without its row and names, so that refusals for the same reason count together."""
    reason = re.sub(r'"[^"]*"', '"…"', re.sub(r"row \d+", "row …", message))
    return reason.split(". Supported types")[0][:120]


@pytest.fixture(scope="module")
def corpus() -> tuple[dict[Path, dict], collections.Counter]:
    return read_corpus()


def test_xlsform_corpus_every_form_loads_or_is_refused_with_a_message(corpus):
    loaded, refused = corpus
    assert len(loaded) + sum(refused.values()) == len(FORMS)
    assert len(loaded) == LOADED, sorted(path.name for path in loaded)
    causes = " ".join(refused)
    # Calculations, defaults, conditions in required and choice filters run here now.
    for gone in ("calculated values are not supported", "choice filters (choices", "start with an answer filled",
                 "is a condition", "repeated groups are not supported"):
        assert gone not in causes
    print(f"\n{len(FORMS)} public forms: {len(loaded)} load, {sum(refused.values())} refused")
    for cause, count in refused.most_common():
        print(f"{count:4d}  {cause}")


def test_xlsform_corpus_download_converts_with_pyxform_and_loads_back(corpus, tmp_path):
    loaded, _refused = corpus
    for path, raw in loaded.items():
        definition = normalise(raw)
        download = tmp_path / f"{definition['settings']['form_id']}.xlsx"
        download.write_bytes(write_xlsform(stored_to_raw(definition)))
        xls2xform.convert(str(download))
        assert normalise(read_xlsform(download)) == definition, path.name


def test_xlsform_corpus_each_form_is_answered_in_each_language(app, corpus):
    loaded, _refused = corpus
    # One address answers every form here; the public rate limit is for crowds of real visitors.
    app.config["RATELIMIT_PUBLIC"] = "100000 per minute"
    walks = 0
    for path, raw in loaded.items():
        version, _created = storage.load_survey(raw, status="open")
        survey = load_survey(version.definition)
        for language in survey.languages:
            walk(app.test_client(), survey.form_id, language, path.name)
            walks += 1
    print(f"\n{len(loaded)} forms answered to the thank-you page, {walks} times in all (once per language)")


def walk(client, slug: str, language: str, name: str) -> None:
    """Answers every question shown with a valid answer, page after page, until the thank-you page."""
    page = client.get(f"/s/{slug}?lang={language}")
    assert page.status_code == 200, f"{name} ({language}): start page {page.status_code}"
    page = client.post(f"/s/{slug}/start", data={"csrf_token": csrf_token(page.text)}, follow_redirects=True)
    tries: collections.Counter = collections.Counter()
    for _step in range(400):
        assert page.status_code == 200, f"{name} ({language}): {page.request.path} answered {page.status_code}"
        if page.request.path.endswith("/thanks"):
            return
        fields = _fields(page.text)
        for field in ERROR.findall(page.text):
            tries[(page.request.path, field)] += 1
            assert tries[(page.request.path, field)] < MAX_TRIES, (
                f"{name} ({language}): no answer satisfies {field} on {page.request.path}: "
                + unescape(re.sub(r"<[^>]+>", " ", page.text))[-2000:])
        data: dict[str, object] = {"csrf_token": csrf_token(page.text), "action": "next"}
        for field, (kind, values) in fields.items():
            attempt = tries[(page.request.path, field)]
            if kind in ("radio", "checkbox"):
                data[field] = values[attempt % len(values)]
            else:
                options = TRIES[kind]
                data[field] = options[attempt % len(options)]
        page = client.post(page.request.path, data=data, follow_redirects=True)
    raise AssertionError(f"{name} ({language}): the thank-you page was not reached")


def _fields(html: str) -> dict[str, tuple[str, list[str]]]:
    """Each question field on the page: what kind of answer it takes, and the choices of a choice question."""
    fields: dict[str, tuple[str, list[str]]] = {}
    for match in FIELD.finditer(html):
        attributes = {m["name"]: unescape(m["value"]) for m in ATTRIBUTE.finditer(match["attributes"])}
        name = attributes.get("name")
        if not name or name in ("csrf_token", "website") or attributes.get("type") in ("hidden", "submit"):
            continue
        if match["tag"] == "textarea":
            fields[name] = ("text", [])
        elif attributes.get("type") in ("radio", "checkbox"):
            fields.setdefault(name, (attributes["type"], []))[1].append(attributes["value"])
        elif attributes.get("type") in ("date", "time"):
            fields[name] = (attributes["type"], [])
        else:
            fields[name] = ("decimal" if attributes.get("inputmode") == "decimal" else "numeric", [])
    return fields


def test_xlsform_corpus_notices_name_what_is_ignored(corpus):
    loaded, _refused = corpus
    notices = [notice for path in loaded for notice in read_xlsform_with_notices(path).notices]
    assert all(notice.endswith(".") for notice in notices)


def test_xlsform_corpus_repeat_is_answered_once_its_count_is_written_in(app, tmp_path):
    """Onadata's form asks "How many children?" and then repeats without a count: refused, with the
    fix in the message; with `${chnum}` written into repeat_count it is answered child by child."""
    source = CORPUS / "onadata" / "csv_export-repeat_w_note.xlsx"
    with pytest.raises(XLSFormError, match=r'row 4, column "repeat_count": the repeat "chrepeat" has no count'):
        read_xlsform(source)
    book = load_workbook(source)
    book["survey"].cell(1, 4, "repeat_count")
    book["survey"].cell(4, 4, "${chnum}")
    counted = tmp_path / "repeat_w_note.xlsx"
    book.save(counted)
    version, _created = storage.load_survey(read_xlsform(counted), status="open")
    walk(app.test_client(), "repeat-w-note", "en", counted.name)
    answers = {answer.question: answer.value for answer in db.session.scalars(select(Answer))}
    # The walker answers "1" to "How many children?": one child's page, one name.
    assert answers == {"chnum": "1", "chname[1]": "Yes"}
