"""A family form with a counted repeat ("for each child"), answered through the app in two languages:
one page per child with a heading saying which child, answers stored per child, exported, and the
answers of children no longer counted dropped when the count goes down."""
from __future__ import annotations

import csv
import io
import re

import pyreadstat
import pytest
from openpyxl import load_workbook
from pyxform import xls2xform
from sqlalchemy import select

from forms.loading import load_survey
from forms.normalising import normalise
from forms.survey import Survey as SurveyDefinition
from forms.xlsform import XLSFormError, read_xlsform
from survey_app import storage
from survey_app.extensions import db
from survey_app.models import Answer, Response
from tests.conftest import Respondent, csrf_token, log_in

FORM = """\
| survey |
|        | type              | name       | label::English (en)              | label::Spanish (es)                | relevant                | repeat_count | constraint | constraint_message::English (en) | constraint_message::Spanish (es) |
|        | integer           | children   | How many children do you have in school? | ¿Cuántos hijos tiene en la escuela? |                 |              | . >= 0     | Enter 0 or more.                 | Escriba 0 o más.                 |
|        | begin_repeat      | child      | Child                            | Hijo                               |                         | ${children}  |            |                                  |                                  |
|        | text              | child_name | Child's first name               | Nombre del hijo                    |                         |              |            |                                  |                                  |
|        | select_one grade  | grade      | Grade of ${child_name}           | Grado de ${child_name}             |                         |              |            |                                  |                                  |
|        | select_one yes_no | el         | Does ${child_name} get EL services? | ¿Recibe ${child_name} servicios de EL? | ${grade} != 'pre' |        |            |                                  |                                  |
|        | end_repeat        |            |                                  |                                    |                         |              |            |                                  |                                  |
|        | note              | done       | Thank you for telling us about ${children} children. | Gracias por hablarnos de sus ${children} hijos. |              |              |            |                                  |                                  |
| choices |
|         | list_name | name | label::English (en) | label::Spanish (es) |
|         | grade     | pre  | Preschool           | Preescolar          |
|         | grade     | k5   | Kindergarten to 5th | Kínder a 5.º        |
|         | grade     | 6_8  | 6th to 8th          | 6.º a 8.º           |
|         | yes_no    | yes  | Yes                 | Sí                  |
|         | yes_no    | no   | No                  | No                  |
| settings |
|          | form_id       | default_language |
|          | school-family | English (en)     |
"""


def load(form: str = FORM) -> SurveyDefinition:
    version, _created = storage.load_survey(read_xlsform(form.encode(), "family.md"), status="open")
    return load_survey(version.definition)


def stored(slug: str = "school-family") -> dict[str, str]:
    response = db.session.scalars(select(Response)).one()
    return {answer.question: answer.value for answer in db.session.scalars(
        select(Answer).where(Answer.response_id == response.id))}


def test_xlsform_repeats_definition_lays_out_one_page_per_child():
    definition = load_survey(normalise(read_xlsform(FORM.encode(), "family.md")))
    names = [page.name for page in definition.pages]
    assert names[:3] == ["page_1", "child[1]", "child[2]"] and len(names) == 1 + 20 + 1
    second = definition.pages[2]
    assert second.instance == 2 and [q.name for q in second.questions] == ["child_name[2]", "grade[2]", "el[2]"]
    assert second.questions[1].label["en"] == "Grade of ${child_name[2]}"
    assert definition.questions["el[2]"].relevant.references == {"grade[2]"}
    assert definition.questions["children"].most == 20


@pytest.mark.parametrize("language, heading, message, not_a_number, thanks", [
    ("en", "Child, number 2", "Enter a number no larger than 20.", "Not a valid integer value.",
     "Thank you for telling us about 2 children."),
    ("es", "Hijo, número 2", "Escriba un número no mayor que 20.", "No es un número entero válido.",
     "Gracias por hablarnos de sus 2 hijos."),
])
def test_xlsform_repeats_walked_to_thanks_and_stored(app, client, language, heading, message, not_a_number, thanks):
    load()
    respondent = Respondent(client, "school-family")
    respondent.start(f"?lang={language}")
    reply = respondent.answer(children="25")
    assert message in reply.text and 'value="25"' in reply.text
    reply = respondent.answer(children="abc")
    assert respondent.path == "/s/school-family/1" and not_a_number in reply.text and 'value="abc"' in reply.text
    respondent.answer(children="2")
    assert respondent.path == "/s/school-family/2"
    respondent.answer(**{"child_name[1]": "Amina", "grade[1]": "k5", "el[1]": "yes"})
    reply = respondent.page
    assert respondent.path == "/s/school-family/3"
    assert f"<h1>{heading}</h1>" in reply.text
    assert "Amina" not in reply.text
    respondent.answer(**{"child_name[2]": "Omar", "grade[2]": "pre"})
    # Omar is in preschool: the EL question of the second child does not apply; children 3 to 20 are not asked.
    assert respondent.path == "/s/school-family/22" and thanks in respondent.page.text
    respondent.answer()
    assert respondent.path.endswith("/thanks")
    assert stored() == {"children": "2", "child_name[1]": "Amina", "grade[1]": "k5", "el[1]": "yes",
                        "child_name[2]": "Omar", "grade[2]": "pre"}


def test_xlsform_repeats_piping_names_the_same_child(app, client):
    load()
    respondent = Respondent(client, "school-family")
    respondent.start()
    respondent.answer(children="2")
    respondent.answer(**{"child_name[1]": "Amina", "grade[1]": "k5", "el[1]": "no"})
    reply = respondent.answer(**{"child_name[2]": "Omar", "grade[2]": "k5"})
    # without JavaScript the follow-up about EL services comes on the page after, naming Omar
    assert "Does Omar get EL services?" in reply.text and "Amina" not in reply.text


def test_xlsform_repeats_fewer_children_drop_the_extra_answers(app, client):
    load()
    respondent = Respondent(client, "school-family")
    respondent.start()
    respondent.answer(children="2")
    respondent.answer(**{"child_name[1]": "Amina", "grade[1]": "k5", "el[1]": "yes"})
    respondent.answer(**{"child_name[2]": "Omar", "grade[2]": "6_8", "el[2]": "no"})
    # Back to the first page, one child after all.
    client.get("/s/school-family/1")
    respondent.page = client.get("/s/school-family/1")
    respondent.answer(children="1")
    assert respondent.path == "/s/school-family/2"
    respondent.answer(**{"child_name[1]": "Amina", "grade[1]": "k5", "el[1]": "yes"})
    assert respondent.path == "/s/school-family/22"
    respondent.answer()
    assert respondent.path.endswith("/thanks")
    assert stored() == {"children": "1", "child_name[1]": "Amina", "grade[1]": "k5", "el[1]": "yes"}


def test_xlsform_repeats_download_converts_and_loads_back(app, tmp_path):
    load()
    out = tmp_path / "school-family.xlsx"
    result = app.test_cli_runner().invoke(args=["download-survey", "school-family", "--out", str(out)])
    assert result.exit_code == 0, result.output
    survey = load_workbook(out)["survey"]
    header = [cell.value for cell in survey[1]]
    assert [row[header.index("type")] for row in survey.iter_rows(min_row=2, values_only=True)][1:7] == [
        "begin_repeat", "text", "select_one grade", "select_one yes_no", "end_repeat", "note"]
    assert survey.cell(3, header.index("repeat_count") + 1).value == "${children}"
    xml = xls2xform.convert(str(out)).xform
    assert re.search(r'<repeat nodeset="/[\w-]+/child" jr:count=" /[\w-]+/children ">', xml)
    assert normalise(read_xlsform(out)) == normalise(read_xlsform(FORM.encode(), "family.md"))


@pytest.mark.parametrize("change, expected", [
    (("| ${children}  |", "|              |"),
     'survey sheet, row 3, column "repeat_count": the repeat "child" has no count'),
    (("| ${children}  |", "| 25           |"),
     "survey sheet, row 3 ('child'): the repeat_count is 25; write a number from 1 to 20"),
    (("| ${grade} != 'pre' |", "| ${grade} != 'pre' and ${done} = '' |"),
     "survey sheet, row 6 ('el'): the relevant expression refers to ${done}, which is not a question above it."),
    (("| text              | child_name |", "| begin_repeat      | inner      |"),
     'survey sheet, row 4, column "type": a repeat inside another repeat is not supported here'),
    (("| note              | done       |", "| integer           | done       |"),
     "survey sheet, row 8 ('done'): the relevant expression is not valid: ${grade} is asked once for each "
     "instance of the repeat 'child'; outside it, write indexed-repeat(${grade}, ${child}, 1)"),
])
def test_xlsform_repeats_refused_with_the_row(change, expected):
    form = FORM.replace(*change)
    if "done" in change[1] and "integer" in change[1]:
        form = form.replace("| Thank you for telling us about ${children} children. | Gracias por hablarnos de sus ${children} hijos. |              |",
                            "| How many? | ¿Cuántos? | ${grade} = 'k5' |")
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(form.encode(), "family.md")
    assert str(refused.value).startswith(expected), str(refused.value)


def answer_two_children(client) -> None:
    respondent = Respondent(client, "school-family")
    respondent.start("?lang=es")
    respondent.answer(children="2")
    respondent.answer(**{"child_name[1]": "Amina", "grade[1]": "k5", "el[1]": "yes"})
    respondent.answer(**{"child_name[2]": "Omar", "grade[2]": "6_8", "el[2]": "no"})
    respondent.answer()
    assert respondent.path.endswith("/thanks")


def test_xlsform_repeats_export_has_a_column_per_child_and_the_codebook_says_which(app, users, tmp_path):
    load()
    answer_two_children(app.test_client())
    staff = app.test_client()
    log_in(staff, "staff@example.org")
    data = staff.get("/staff/exports/school-family/responses.csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert len(rows) == 1
    row = rows[0]
    assert (row["children"], row["child_name[1]"], row["grade[1]"], row["el[1]"]) == ("2", "Amina", "k5", "yes")
    assert (row["child_name[2]"], row["grade[2]"], row["el[2]"]) == ("Omar", "6_8", "no")
    assert row["grade[3]"] == ""
    labelled = staff.get("/staff/exports/school-family/responses.csv?values=labels&language=en").data
    header = next(csv.reader(io.StringIO(labelled.decode("utf-8-sig"))))
    assert "Grade of ${child_name} [2]" in header
    codebook = list(csv.DictReader(io.StringIO(
        staff.get("/staff/exports/school-family/codebook.csv").data.decode("utf-8-sig"))))
    assert {"column": "el[2]", "question": "el[2]", "type": "select_one", "code": "",
            "label_en": "Does ${child_name} get EL services? [2]"} in codebook
    spss = staff.get("/staff/exports/school-family/responses.sav")
    assert spss.status_code == 200
    path = tmp_path / "responses.sav"
    path.write_bytes(spss.data)
    frame, meta = pyreadstat.read_sav(str(path))
    assert meta.variable_value_labels["grade_2_"][frame.loc[0, "grade_2_"]] == "6th to 8th"
    assert meta.column_names_to_labels["grade_2_"] == "Grade of ${child_name} [2]"


def test_xlsform_repeats_question_tables_count_each_child(app, users):
    load()
    app.config["MIN_GROUP_SIZE"] = 1
    for _family in range(2):
        answer_two_children(app.test_client())
    staff = app.test_client()
    log_in(staff, "staff@example.org")
    page = staff.get("/staff/question-tables/school-family")
    assert page.status_code == 200
    text = page.text.replace("&#39;", "'")
    assert "Grade of ${child_name} (counted once for each Child)" in text
    # Two families, four children: each grade chosen for two of the four children.
    table = text[text.index("Grade of ${child_name} (counted"):]
    table = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table[:table.index("</table>")]))
    assert "Everyone n = 4" in table
    assert "Kindergarten to 5th 2 50.0%" in table and "6th to 8th 2 50.0%" in table


def test_xlsform_repeats_group_heading_names_the_child(app, client):
    form = FORM.replace(
        "|        | select_one yes_no | el  ",
        "|        | begin_group       | school     | School of ${child_name}          | Escuela de ${child_name}           |"
        "                         |              |            |                                  |                                  |\n"
        "|        | select_one yes_no | el  ").replace(
        "|        | end_repeat        |",
        "|        | end_group         |            |                                  |                                    |"
        "                         |              |            |                                  |                                  |\n"
        "|        | end_repeat        |")
    definition = load(form)
    assert [page.name for page in definition.pages[1:5]] == ["child[1]", "school[1]", "child[2]", "school[2]"]
    respondent = Respondent(client, "school-family")
    respondent.start("?lang=es")
    respondent.answer(children="2")
    respondent.answer(**{"child_name[1]": "Amina", "grade[1]": "k5"})
    respondent.answer(**{"el[1]": "yes"})
    respondent.answer(**{"child_name[2]": "Omar", "grade[2]": "6_8"})
    assert respondent.path == "/s/school-family/5"
    assert "<h1>Escuela de Omar, número 2</h1>" in respondent.page.text


def test_xlsform_repeats_continue_where_stopped_goes_to_the_next_child(app, client):
    load()
    respondent = Respondent(client, "school-family")
    respondent.start()
    respondent.answer(children="3")
    respondent.answer(**{"child_name[1]": "Amina", "grade[1]": "k5", "el[1]": "yes"})
    page = respondent.open()  # the family comes back later from the link
    assert "Continue where I stopped" in page.text
    page = client.post("/s/school-family/start", data={"csrf_token": csrf_token(page.text)})
    assert page.location.endswith("/s/school-family/3")
    # Back from the third child's page to the second keeps what was typed on it.
    respondent.page = client.get("/s/school-family/4")
    respondent.answer(action="back", **{"child_name[3]": "Sara"})
    assert respondent.path == "/s/school-family/3"
    assert 'value="Sara"' not in respondent.page.text
    assert "Sara" in client.get("/s/school-family/4").text


def test_xlsform_repeats_paper_form_and_entry(app, users):
    load()
    partner = app.test_client()
    log_in(partner, "mira@example.org")
    printed = partner.get("/partner/surveys/school-family/paper/es")
    assert printed.status_code == 200
    assert "Hijo, número 1" in printed.text and "Hijo, número 20" in printed.text
    enter = "/partner/surveys/school-family/enter"
    page = partner.get(enter)
    # The form says one child; what was written for a second child does not count.
    reply = partner.post(enter, data={
        "csrf_token": csrf_token(page.text), "form_language": "es", "children": "1",
        "child_name[1]": "Amina", "grade[1]": "k5", "el[1]": "yes", "child_name[2]": "Omar", "grade[2]": "pre"})
    assert reply.status_code == 302, reply.text
    assert stored() == {"children": "1", "child_name[1]": "Amina", "grade[1]": "k5", "el[1]": "yes"}


def test_xlsform_repeats_kiosk_families_one_after_another(app, users):
    load()
    kiosk = app.test_client()
    log_in(kiosk, "mira@example.org")
    page = kiosk.get("/partner/surveys/school-family/kiosk")
    assert kiosk.post("/partner/surveys/school-family/kiosk",
                      data={"csrf_token": csrf_token(page.text)}).location.endswith("/s/school-family")
    answer_two_children(kiosk)
    # The next family at the meeting starts afresh: no child of the family before is shown.
    respondent = Respondent(kiosk, "school-family")
    respondent.start()
    assert respondent.path == "/s/school-family/1" and 'value="2"' not in respondent.page.text
    respondent.answer(children="1")
    assert "Amina" not in respondent.page.text
    respondent.answer(**{"child_name[1]": "Sara", "grade[1]": "pre"})
    respondent.answer()
    assert respondent.path.endswith("/thanks")
    responses = db.session.scalars(select(Response).order_by(Response.submitted_at)).all()
    assert [(response.channel, response.partner.code) for response in responses] == [("kiosk", "mira")] * 2
    names = {answer.value for answer in db.session.scalars(select(Answer).where(Answer.question.like("child_name%")))}
    assert names == {"Amina", "Omar", "Sara"}
