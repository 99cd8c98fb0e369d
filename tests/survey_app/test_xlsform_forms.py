"""Real ODK- and Kobo-style XLSForms go the whole way through the app: uploaded by staff,
previewed, published, answered by a respondent, downloaded and loaded back unchanged.
The default survey's XLSForm is the same survey as its YAML file."""
from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from forms.loading import load_survey
from forms.survey import Question
from forms.survey import Survey as SurveyDefinition
from forms.normalising import definition_hash, normalise
from forms.xlsform import read_xlsform, stored_to_raw, write_xlsform
from survey_app import create_app, storage
from survey_app.cli.survey_files import DEFAULT_SURVEY_FILE, DEFAULT_SURVEY_XLSFORM, read_definition
from survey_app.i18n import locale
from survey_app.extensions import db, dispose_engines
from survey_app.models import Answer, AuditEvent, Response, Survey, SurveyVersion
from tests.conftest import Respondent, csrf_token

PASSWORD = "a long enough password"
FIXTURES = sorted((Path(__file__).parents[1] / "forms" / "xlsforms").glob("*.xlsx"))
DOCS = Path("docs/xlsform.md")


@pytest.fixture
def admin_client(app, client):
    storage.create_user("admin@example.org", PASSWORD, "admin")
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": "admin@example.org",
                                "password": PASSWORD})
    return client


def upload(client, content: bytes):
    page = client.get("/staff/surveys")
    return client.post("/staff/surveys", data={"csrf_token": csrf_token(page.text),
                                               "workbook": (io.BytesIO(content), "form.xlsx")},
                       content_type="multipart/form-data")


def sample_answer(question: Question) -> Any:
    """An answer every fixture's constraints accept, using the form's own choice codes."""
    if question.type == "select_one":
        return question.choices[0].name
    if question.type == "select_multiple":
        return [question.choices[0].name]
    return {"integer": "2", "decimal": "1.5", "date": "2025-03-01"}.get(question.type, "Thank you.")


def complete(respondent: Respondent, definition: SurveyDefinition) -> dict[str, Any]:
    """Walk the survey as a respondent, answering the required questions of each page shown."""
    given: dict[str, Any] = {}
    respondent.start()
    for _ in range(len(definition.pages)):
        number = re.fullmatch(rf"/s/{definition.form_id}/(\d+)", respondent.path)
        assert number, respondent.page.text
        page = definition.pages[int(number[1]) - 1]
        answers = {q.name: sample_answer(q) for q in page.questions if q.required}
        given.update(answers)
        reply = respondent.answer(**answers)
        assert reply.status_code == 200 and 'class="error-summary"' not in reply.text, reply.text
        if respondent.path.endswith("/thanks"):
            return given
    raise AssertionError("the survey did not end")


def test_xlsform_forms_default_survey_workbook_is_the_yaml_survey():
    from_yaml = normalise(read_definition(DEFAULT_SURVEY_FILE))
    from_xlsx = normalise(read_xlsform(DEFAULT_SURVEY_XLSFORM))
    # If this fails, surveys/family-voices.yaml changed: rebuild the workbook as docs/xlsform.md says.
    assert from_xlsx == from_yaml
    assert definition_hash(from_xlsx) == definition_hash(from_yaml)


def test_xlsform_forms_init_db_loads_the_workbook_as_the_same_version(database_url, monkeypatch):
    monkeypatch.setenv("SURVEY_ENV", "testing")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test"})
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0 and "'family-voices' version 1 (new)" in result.output
        with app.app_context():
            survey = db.session.scalar(select(Survey).where(Survey.slug == "family-voices"))
            assert survey.status == "open"
            from_yaml = normalise(read_definition(DEFAULT_SURVEY_FILE))
            assert survey.versions[0].definition_hash == definition_hash(from_yaml)
        assert "unchanged, still version 1" in runner.invoke(args=["load-survey", str(DEFAULT_SURVEY_FILE)]).output
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
            dispose_engines()


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_xlsform_forms_fixture_is_uploaded_published_and_answered(app, admin_client, path):
    definition = load_survey(normalise(read_xlsform(path)))
    slug = definition.form_id
    reply = upload(admin_client, path.read_bytes())
    assert reply.status_code == 302 and reply.location.endswith(f"/staff/surveys/{slug}")
    for code in definition.languages:
        preview = admin_client.get(f"/staff/surveys/{slug}/preview?lang={code}")
        assert preview.status_code == 200
        survey_language = f'lang="{code}" dir="{locale.BY_CODE[code].direction}"'
        assert f"<h1 {survey_language}>" in preview.text
        assert preview.text.count(f"disabled {survey_language}>") == len(definition.pages)
    page = admin_client.get(f"/staff/surveys/{slug}")
    assert admin_client.post(f"/staff/surveys/{slug}/publish",
                             data={"csrf_token": csrf_token(page.text)}).status_code == 302

    given = complete(Respondent(app.test_client(), slug), definition)
    response = db.session.scalars(select(Response).join(SurveyVersion).join(Survey).where(Survey.slug == slug)).one()
    stored: dict[str, list[str]] = {}
    for question, value in db.session.execute(select(Answer.question, Answer.value)
                                               .where(Answer.response_id == response.id)):
        stored.setdefault(question, []).append(value)
    assert stored, "no answers were stored"
    for name, values in stored.items():
        question = definition.questions[name]
        assert question.required and given[name] in (values, values[0])
        if question.is_select:
            assert set(values) <= {choice.name for choice in question.choices}
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("survey_%"))))
    assert actions == ["survey_uploaded", "survey_published"]


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_xlsform_forms_download_uploads_back_unchanged(admin_client, path):
    slug = read_xlsform(path)["settings"]["form_id"]
    upload(admin_client, path.read_bytes())
    download = admin_client.get(f"/staff/surveys/{slug}/xlsform")
    assert download.status_code == 200
    reply = upload(admin_client, download.data)
    assert "so nothing changed" in admin_client.get(reply.location).text
    assert len(db.session.scalar(select(Survey).where(Survey.slug == slug)).versions) == 1


def documented_example() -> str:
    """The refusal message docs/xlsform.md shows as its example, on one line."""
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"For example:\n\n((?:    .+\n)+)", text)
    assert block, "docs/xlsform.md has no example message"
    return " ".join(line.strip() for line in block[1].splitlines())


def test_xlsform_forms_refusal_is_the_documented_message(admin_client):
    # The documented example has the geopoint on row 7 of the survey sheet.
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    rows = [["type", "name", "label"], ["begin_group", "where", "Where you live"],
            ["text", "street", "Which street?"], ["text", "town", "Which town?"], ["text", "county", "Which county?"],
            ["text", "zip", "Which ZIP code?"], ["geopoint", "location", "Where are you?"], ["end_group"]]
    for row in rows:
        survey.append(row)
    settings = workbook.create_sheet("settings")
    settings.append(["form_id"])
    settings.append(["places"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    reply = upload(admin_client, buffer.getvalue())
    assert reply.status_code == 200
    assert documented_example() in html.unescape(reply.text)
    assert db.session.scalar(select(Survey).where(Survey.slug == "places")) is None


@pytest.mark.parametrize("row, expected", [
    (["begin loop over yes_no", "each", "Each"], '"begin loop over yes_no" is not supported: loops over a choice list '
     "are not supported."),
    (["deviceid", "device", "Device"], '"deviceid" is not supported: phone and account identifiers'),
    (["range", "total", "Total"], '"range" is not supported: sliders are not supported.'),
    (["image", "photo", "A photo"], '"image" is not supported: photos, recordings, files and scans can identify a family'),
])
def test_xlsform_forms_unsupported_features_are_refused_on_upload(admin_client, row, expected):
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    for cells in (["type", "name", "label"], row):
        survey.append(cells)
    choices = workbook.create_sheet("choices")
    for cells in (["list_name", "name", "label"], ["yes_no", "yes", "Yes"]):
        choices.append(cells)
    settings = workbook.create_sheet("settings")
    settings.append(["form_id"])
    settings.append(["unsupported"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    reply = upload(admin_client, buffer.getvalue())
    text = html.unescape(reply.text)
    assert 'survey sheet, row 2, column "type": ' + expected in text
    assert db.session.scalar(select(Survey).where(Survey.slug == "unsupported")) is None


def md_form(survey_rows: str, settings: str = "| settings |\n|  | form_id | default_language |\n|  | family-check | {language} |\n",
            language: str = "English (en)", choices: str = "") -> bytes:
    """A form in pyxform's Markdown layout, as its own test suites write them."""
    return f"| survey |\n{survey_rows}{choices}{settings.format(language=language)}".encode()


NAMES_FORM = md_form(
    "|  | type | name | label | required |\n"
    "|  | begin group | household | Household | |\n"
    "|  | integer | _children | How many children? | yes |\n"
    "|  | begin group | detail | About them | |\n"
    "|  | select one yes_no | school.enrolled | Are they all in school? | yes |\n"
    "|  | time | pick-up | When do they come home? | yes |\n"
    "|  | end group | | | |\n"
    "|  | end group | | | |\n",
    choices="| choices |\n|  | list name | name | label |\n|  | yes_no | yes | Yes |\n|  | yes_no | no | No |\n")


def test_xlsform_forms_names_with_underscore_dot_and_hyphen_are_answered(app):
    storage.load_survey(read_xlsform(NAMES_FORM, "names.md"), status="open")
    respondent = Respondent(app.test_client(), "family-check")
    page = respondent.start()
    assert page.status_code == 200 and 'name="q:_children"' in page.text and 'type="time"' in page.text
    page = respondent.answer(**{"q:_children": "", "school.enrolled": "yes", "pick-up": "15:30"})
    assert 'href="#q:_children"' in page.text and "Answer this question." in page.text
    page = respondent.answer(**{"q:_children": "2", "school.enrolled": "yes", "pick-up": "15:30"})
    assert page.request.path.endswith("/thanks")
    stored = db.session.scalars(select(Answer.question, Answer.value)).all()
    assert {"_children", "school.enrolled", "pick-up"} <= set(stored)
    answers = dict(db.session.execute(select(Answer.question, Answer.value)).all())
    assert answers["_children"] == "2" and answers["pick-up"] == "15:30"


@pytest.mark.parametrize("language", ["French (fr)", "fr", "Kiswahili"])
def test_xlsform_forms_default_language_without_a_catalog_is_served(app, language):
    form = md_form("|  | type | name | label |\n|  | text | avis | Votre avis ? |\n", language=language)
    storage.load_survey(read_xlsform(form, "avis.md"), status="open")
    respondent = Respondent(app.test_client(), "family-check")
    page = respondent.start()
    code = "sw" if language == "Kiswahili" else "fr"
    assert page.status_code == 200 and "Votre avis ?" in page.text
    assert f'<html lang="{code}"' in page.text
    # Buttons and messages come from English, the closest catalog there is.
    assert "Send my answers" in page.text
    assert respondent.answer(avis="Bien").request.path.endswith("/thanks")


def test_xlsform_forms_staff_are_told_which_languages_fall_back(admin_client):
    form = md_form("|  | type | name | label::French (fr) | label::Spanish (es) |\n"
                   "|  | text | avis | Votre avis ? | ¿Su opinión? |\n", language="French (fr)")
    page = admin_client.get("/staff/surveys")
    reply = admin_client.post("/staff/surveys", data={"csrf_token": csrf_token(page.text),
                                                      "workbook": (io.BytesIO(form), "avis.md")},
                              content_type="multipart/form-data", follow_redirects=True)
    text = html.unescape(reply.text)
    assert "The buttons and messages around the survey in French (fr) are shown in English" in text
    assert "shown in English: this service has no translation of its own for this language" in text


def test_xlsform_forms_cli_loads_xls_csv_and_md_and_lists_what_is_ignored(app, runner, tmp_path):
    corpus = Path(__file__).parents[1] / "forms" / "xlsforms" / "public" / "pyxform"
    for name in ("yes_or_no_question.xls", "yes_or_no_question.csv", "text_and_integer.md"):
        result = runner.invoke(args=["load-survey", str(corpus / name)])
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
    broken = tmp_path / "broken.xls"
    broken.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(600))
    result = runner.invoke(args=["load-survey", str(broken)])
    assert result.exit_code == 1 and "could not be read as an Excel workbook" in result.output
    appearance = tmp_path / "appearance.md"
    appearance.write_bytes(md_form("|  | type | name | label | appearance |\n|  | text | q1 | Q | multiline |\n"))
    result = runner.invoke(args=["load-survey", str(appearance)])
    assert ('Accepted but ignored: survey sheet, row 2, column "appearance": "multiline" is ignored; the question '
            "is shown the usual way.") in result.output


def test_xlsform_forms_download_with_titles_converts_with_pyxform(app, runner, tmp_path):
    from pyxform import xls2xform
    result = runner.invoke(args=["download-survey", "family-voices", "--out", str(tmp_path / "fv.xlsx")])
    assert result.exit_code == 0, result.output
    xform = xls2xform.convert(str(tmp_path / "fv.xlsx")).xform
    assert "<h:title>" in xform
    assert normalise(read_xlsform(tmp_path / "fv.xlsx")) == normalise(read_definition(DEFAULT_SURVEY_FILE))


PIPING_FORM = md_form(
    "|  | type | name | label | hint |\n"
    "|  | begin group | who | The child | |\n"
    "|  | text | child | What is your child's first name? | |\n"
    "|  | select one grades | grade | Which grade is ${child} in? | |\n"
    "|  | end group | | | |\n"
    "|  | begin group | school | School | |\n"
    "|  | note | hello | Thank you. Now about ${child}, in ${grade}. | |\n"
    "|  | integer | days | How many days did ${child} miss? | Since ${grade} started. |\n"
    "|  | end group | | | |\n",
    choices="| choices |\n|  | list name | name | label |\n|  | grades | g1 | first grade |\n"
            "|  | grades | g2 | second grade |\n")


def test_xlsform_forms_answers_are_written_into_later_questions(app):
    storage.load_survey(read_xlsform(PIPING_FORM, "piping.md"), status="open")
    for child, grade, label in (("Amina", "g2", "second grade"), ("Tomas", "g1", "first grade")):
        respondent = Respondent(app.test_client(), "family-check")
        respondent.start()
        page = html.unescape(respondent.answer(child=child, grade=grade).text)
        assert f"Thank you. Now about {child}, in {label}." in page
        assert f"How many days did {child} miss?" in page and f"Since {label} started." in page
        assert "${" not in page


LOGIC_FORM = md_form(
    "|  | type | name | label::English (en) | label::Spanish (es) | required | relevant | constraint | calculation "
    "| default | choice_filter | required_message::English (en) | required_message::Spanish (es) |\n"
    "|  | start | started | | | | | | | | | | |\n"
    "|  | end | ended | | | | | | | | | | |\n"
    "|  | today | day | | | | | | | | | | |\n"
    "|  | begin group | household | Household | Hogar | | | | | | | | |\n"
    "|  | integer | children | How many children? | ¿Cuántos niños? | yes | | . <= 10 | | 1 | | | |\n"
    "|  | select_one yes_no | has_help | Does anyone help? | ¿Le ayuda alguien? | yes | | | | no | | | |\n"
    "|  | end group | | | | | | | | | | | |\n"
    "|  | calculate | seats | | | | | | ${children} * 2 | | | | |\n"
    "|  | begin group | place | Where | Dónde | | | | | | | | |\n"
    "|  | select_one state | state | Which state? | ¿Qué estado? | yes | | | | | | | |\n"
    "|  | select_one county | county | Which county? | ¿Qué condado? | yes | | | | | state=${state} | | |\n"
    "|  | text | helper | Who helps with ${children} children and ${seats} seats? "
    "| ¿Quién ayuda con ${children} niños y ${seats} asientos? | ${has_help} = 'yes' | | | | | "
    "| Tell us who helps. | Díganos quién ayuda. |\n"
    "|  | integer | rooms | How many rooms? | ¿Cuántas habitaciones? | | ${seats} > 2 | | | | | | |\n"
    "|  | end group | | | | | | | | | | | |\n",
    choices="| choices |\n|  | list name | name | label::English (en) | label::Spanish (es) | state |\n"
            "|  | yes_no | yes | Yes | Sí | |\n|  | yes_no | no | No | No | |\n"
            "|  | state | mn | Minnesota | Minnesota | |\n|  | state | ca | California | California | |\n"
            "|  | county | hennepin | Hennepin | Hennepin | mn |\n|  | county | ramsey | Ramsey | Ramsey | mn |\n"
            "|  | county | alameda | Alameda | Alameda | ca |\n")


def choice_values(page_text: str, name: str) -> list[str]:
    return re.findall(rf'name="{re.escape(name)}" type="radio" value="([^"]+)"', page_text)


def stored_answers() -> dict[str, str]:
    return dict(db.session.execute(select(Answer.question, Answer.value)).all())


def test_xlsform_forms_calculate_default_required_condition_and_choice_filter_are_answered(app):
    storage.load_survey(read_xlsform(LOGIC_FORM, "logic.md"), status="open")
    respondent = Respondent(app.test_client(), "family-check")
    page = respondent.start("?lang=es")
    # Defaults: the questions start answered, and an answer cleared stays cleared.
    assert re.search(r'id="children"[^>]*value="1"', page.text)
    assert re.search(r'value="no" checked', page.text)
    page = respondent.answer(children="", has_help="yes")
    assert 'id="children-error"' in page.text and 'value="yes" checked' in page.text
    assert not re.search(r'id="children"[^>]*value="1"', page.text)
    page = respondent.answer(children="3", has_help="yes")
    assert choice_values(page.text, "state") == ["mn", "ca"]
    page = respondent.answer(state="mn")
    # The counties of the state chosen, and only those are accepted.
    assert choice_values(page.text, "county") == ["hennepin", "ramsey"]
    text = html.unescape(page.text)
    assert "¿Quién ayuda con 3 niños y 6 asientos?" in text and 'name="rooms"' in page.text
    assert "¿Quién ayuda con 3 niños y 6 asientos? (opcional)" not in text
    page = respondent.answer(county="alameda", helper="", rooms="2")
    text = html.unescape(page.text)
    assert "Díganos quién ayuda." in text and 'id="county-error"' in page.text
    assert 'value="2"' in page.text  # what was typed is kept
    page = respondent.answer(county="ramsey", helper="Mi hermana", rooms="2")
    assert page.request.path.endswith("/thanks")
    answers = stored_answers()
    assert answers["seats"] == "6" and answers["county"] == "ramsey" and answers["helper"] == "Mi hermana"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", answers["started"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", answers["ended"]) and answers["started"] <= answers["ended"]
    assert answers["day"] == answers["ended"][:10]


def test_xlsform_forms_condition_in_required_and_relevant_follow_the_calculation(app):
    storage.load_survey(read_xlsform(LOGIC_FORM, "logic.md"), status="open")
    respondent = Respondent(app.test_client(), "family-check")
    respondent.start()
    respondent.answer(children="1", has_help="no")
    page = respondent.answer(state="ca")
    # One child: two seats, so no question about rooms; no help, so no one to name.
    assert choice_values(page.text, "county") == ["alameda"] and 'name="rooms"' not in page.text
    assert "Who helps with 1 children and 2 seats? (optional)" in html.unescape(page.text)
    page = respondent.answer(county="alameda", helper="")
    assert page.request.path.endswith("/thanks")
    answers = stored_answers()
    assert answers["seats"] == "2" and "helper" not in answers and "rooms" not in answers


def test_xlsform_forms_answer_the_choice_filter_no_longer_offers_is_not_kept(app):
    storage.load_survey(read_xlsform(LOGIC_FORM, "logic.md"), status="open")
    respondent = Respondent(app.test_client(), "family-check")
    respondent.start()
    respondent.answer(children="1", has_help="no")
    respondent.answer(state="mn")
    page = respondent.answer(action="back", county="hennepin", helper="")
    assert choice_values(page.text, "state") == ["mn", "ca"]
    page = respondent.answer(state="ca")
    # Hennepin was saved, but is not a county of California: it is neither shown nor kept.
    assert choice_values(page.text, "county") == ["alameda"] and "checked" not in page.text
    page = respondent.answer(helper="")
    assert 'id="county-error"' in page.text
    page = respondent.answer(county="alameda", helper="")
    assert page.request.path.endswith("/thanks") and stored_answers()["county"] == "alameda"


def test_xlsform_forms_logic_form_downloads_and_loads_back_unchanged(admin_client):
    definition = normalise(read_xlsform(LOGIC_FORM, "logic.md"))
    download = write_xlsform(stored_to_raw(definition))
    assert normalise(read_xlsform(download, "logic.xlsx")) == definition


def test_xlsform_forms_calculated_and_recorded_values_are_exported_with_the_answers(app, admin_client):
    storage.load_survey(read_xlsform(LOGIC_FORM, "logic.md"), status="open")
    respondent = Respondent(app.test_client(), "family-check")
    respondent.start()
    respondent.answer(children="2", has_help="no")
    respondent.answer(state="mn")
    assert respondent.answer(county="hennepin", helper="", rooms="3").request.path.endswith("/thanks")
    export = admin_client.get("/staff/exports/family-check/responses.csv")
    assert export.status_code == 200
    header, row = export.text.splitlines()[:2]
    values = dict(zip(header.split(","), row.split(",")))
    assert values["seats"] == "4" and values["county"] == "hennepin" and values["rooms"] == "3"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", values["started"]) and values["day"] == values["ended"][:10]
    report = admin_client.get("/staff/reports/family-check")
    assert report.status_code == 200 and "Minnesota" in report.text
    assert admin_client.get("/staff/question-tables/family-check").status_code == 200
    codebook = admin_client.get("/staff/exports/family-check/codebook.csv").text
    assert "Worked out from the answers when they were sent: ${children} * 2" in codebook
    assert "When the response was started, to the minute (UTC)" in codebook


def test_xlsform_forms_preview_shows_every_choice_and_the_logic(admin_client):
    storage.load_survey(read_xlsform(LOGIC_FORM, "logic.md"))
    page = html.unescape(admin_client.get("/staff/surveys/family-check/preview?lang=en").text)
    assert "Worked out, not asked: seats = ${children} * 2" in page
    assert "Required when: ${has_help} = 'yes'" in page and "Choices shown: those where state=${state}" in page
    assert all(f'value="{county}"' in page for county in ("hennepin", "ramsey", "alameda"))


@pytest.fixture
def partner_client(app, client):
    from survey_app.models import Partner
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("mira@example.org", PASSWORD, "partner", mira)
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": "mira@example.org",
                                "password": PASSWORD})
    return client


def test_xlsform_forms_paper_form_lists_every_choice_and_entry_keeps_to_the_filter(app, partner_client):
    storage.load_survey(read_xlsform(LOGIC_FORM, "logic.md"), status="open")
    printed = partner_client.get("/partner/surveys/family-check/paper/en").text
    assert all(f'dir="ltr">{county}</span>' in printed for county in ("hennepin", "ramsey", "alameda"))
    assert 'dir="ltr">seats<' not in printed and 'dir="ltr">started<' not in printed
    enter = "/partner/surveys/family-check/enter"
    form = {"form_language": "en", "children": "3", "has_help": "yes", "state": "ca", "county": "hennepin",
            "helper": "", "rooms": "2"}
    page = partner_client.get(enter)
    assert all(f'value="{county}"' in page.text for county in ("hennepin", "ramsey", "alameda"))
    reply = partner_client.post(enter, data={"csrf_token": csrf_token(page.text), **form})
    text = html.unescape(reply.text)
    assert "Choose from the answers shown." in text and "Tell us who helps." in text
    assert 'value="3"' in reply.text and 'value="ca" checked' in reply.text
    form.update(county="alameda", helper="My aunt")
    reply = partner_client.post(enter, data={"csrf_token": csrf_token(reply.text), **form})
    assert reply.status_code == 302
    answers = stored_answers()
    assert answers["county"] == "alameda" and answers["seats"] == "6" and answers["rooms"] == "2"
    assert "started" not in answers and "day" not in answers


def test_xlsform_forms_kiosk_offers_the_filtered_choices_and_records_times(app, partner_client):
    storage.load_survey(read_xlsform(LOGIC_FORM, "logic.md"), status="open")
    kiosk = "/partner/surveys/family-check/kiosk"
    page = partner_client.get(kiosk)
    assert partner_client.post(kiosk, data={"csrf_token": csrf_token(page.text)}).status_code == 302
    respondent = Respondent(partner_client, "family-check")
    respondent.start()
    respondent.answer(children="1", has_help="yes")
    page = respondent.answer(state="ca")
    assert choice_values(page.text, "county") == ["alameda"]
    page = respondent.answer(county="alameda", helper="")
    assert "Tell us who helps." in html.unescape(page.text)
    page = respondent.answer(county="alameda", helper="Grandma")
    assert page.request.path.endswith("/thanks")
    response = db.session.scalar(select(Response))
    assert response.channel == "kiosk"
    answers = stored_answers()
    assert answers["seats"] == "2" and answers["helper"] == "Grandma" and "T" in answers["started"]
