"""A family form whose repeat ("for each child") has a calculation, a conditional required and a
choice filter: each works on the answers of the same child, walked through the app to the thank-you
page, with the answers stored and exported once for each child."""
from __future__ import annotations

import csv
import io

import pytest
from pyxform import xls2xform
from sqlalchemy import select

from forms.loading import load_survey
from forms.normalising import normalise
from forms.survey import Survey as SurveyDefinition
from forms.xlsform import XLSFormError, read_xlsform
from survey_app import storage
from survey_app.extensions import db
from survey_app.models import Answer
from tests.conftest import Respondent, log_in

FORM = """\
| survey |
|        | type              | name          | label::English (en)                   | repeat_count | calculation      | required                 | choice_filter  |
|        | integer           | children      | How many children do you have in school? |           |                  | yes                      |                |
|        | begin_repeat      | child         | Child                                 | ${children}  |                  |                          |                |
|        | text              | child_name    | Child's first name                    |              |                  | yes                      |                |
|        | integer           | age           | How old is ${child_name}?             |              |                  | yes                      |                |
|        | select_one level  | school        | Which school does ${child_name} go to? |             |                  | yes                      |                |
|        | calculate         | age_next_year |                                       |              | ${age} + 1       |                          |                |
|        | select_one grade  | grade         | Grade of ${child_name}                |              |                  |                          | level=${school} |
|        | select_one yes_no | el            | Does ${child_name} get EL services?   |              |                  | ${age_next_year} <= 12   |                |
|        | end_repeat        |               |                                       |              |                  |                          |                |
|        | calculate         | total_age     |                                       |              | sum(${age})      |                          |                |
|        | note              | done          | Your children's ages add up to ${total_age}. |        |                  |                          |                |
| choices |
|         | list_name | name   | label::English (en) | level  |
|         | level     | elem   | Elementary school   |        |
|         | level     | middle | Middle school       |        |
|         | grade     | k      | Kindergarten        | elem   |
|         | grade     | g3     | 3rd grade           | elem   |
|         | grade     | g7     | 7th grade           | middle |
|         | grade     | g8     | 8th grade           | middle |
|         | yes_no    | yes    | Yes                 |        |
|         | yes_no    | no     | No                  |        |
| settings |
|          | form_id       | default_language |
|          | family-logic  | English (en)     |
"""


def load() -> SurveyDefinition:
    version, _created = storage.load_survey(read_xlsform(FORM.encode(), "family-logic.md"), status="open")
    return load_survey(version.definition)


def test_xlsform_repeat_logic_definition_rewrites_each_child():
    definition = load_survey(normalise(read_xlsform(FORM.encode(), "family-logic.md")))
    questions = definition.questions
    assert questions["age_next_year[2]"].calculation.references == {"age[2]"}
    assert questions["el[2]"].required_if.references == {"age_next_year[2]"}
    assert questions["grade[2]"].choice_filter.references == {"school[2]"}
    # The grade's choices depend on the school, answered on the child's page: the grade starts the
    # child's next page, headed like the first.
    names = [[q.name for q in page.questions] for page in definition.pages[3:5]]
    assert names == [["child_name[2]", "age[2]", "school[2]", "age_next_year[2]"], ["grade[2]", "el[2]"]]
    assert definition.pages[4].instance == 2 and definition.pages[4].label == definition.pages[3].label
    assert questions["total_age"].calculation.references == {f"age[{number}]" for number in range(1, 21)}


def test_xlsform_repeat_logic_walked_to_thanks_stored_and_exported(app, client, users):
    load()
    respondent = Respondent(client, "family-logic")
    respondent.start()
    respondent.answer(children="2")
    respondent.answer(**{"child_name[1]": "Amina", "age[1]": "7", "school[1]": "elem"})
    page = respondent.page.text
    assert "Grade of Amina" in page and "3rd grade" in page and "7th grade" not in page
    # Amina is 8 next year: the EL question must be answered for her.
    reply = respondent.answer(**{"grade[1]": "g3"})
    assert "Answer this question." in reply.text and "Does Amina get EL services?" in reply.text
    respondent.answer(**{"grade[1]": "g3", "el[1]": "yes"})
    respondent.answer(**{"child_name[2]": "Omar", "age[2]": "13", "school[2]": "middle"})
    page = respondent.page.text
    assert "Grade of Omar" in page and "8th grade" in page and "3rd grade" not in page and "Amina" not in page
    # Amina's school's grades are not Omar's: a grade the filter does not offer him is not taken.
    reply = respondent.answer(**{"grade[2]": "g3"})
    assert "Grade of Omar" in reply.text and "Choose from the answers shown." in reply.text
    # Omar is 14 next year: the EL question may be left empty for him.
    respondent.answer(**{"grade[2]": "g8"})
    assert "Your children&#39;s ages add up to 20." in respondent.page.text
    respondent.answer()
    assert respondent.path.endswith("/thanks")
    stored = {answer.question: answer.value for answer in db.session.scalars(select(Answer))}
    assert stored == {
        "children": "2", "total_age": "20",
        "child_name[1]": "Amina", "age[1]": "7", "school[1]": "elem", "age_next_year[1]": "8", "grade[1]": "g3",
        "el[1]": "yes",
        "child_name[2]": "Omar", "age[2]": "13", "school[2]": "middle", "age_next_year[2]": "14", "grade[2]": "g8"}

    staff = app.test_client()
    log_in(staff, "staff@example.org")
    rows = list(csv.DictReader(io.StringIO(
        staff.get("/staff/exports/family-logic/responses.csv").data.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert (row["age_next_year[1]"], row["grade[1]"], row["el[1]"]) == ("8", "g3", "yes")
    assert (row["age_next_year[2]"], row["grade[2]"], row["el[2]"]) == ("14", "g8", "")
    assert row["age_next_year[3]"] == "" and row["total_age"] == "20"


def test_xlsform_repeat_logic_recorded_times_inside_the_repeat_are_refused_with_the_row():
    form = FORM.replace("| calculate         | age_next_year |", "| today             | age_next_year |").replace(
        "| ${age} + 1       |", "|                  |").replace("| ${age_next_year} <= 12   |", "|                          |")
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(form.encode(), "family-logic.md")
    assert str(refused.value) == ("survey sheet, row 7 ('age_next_year'): a today row is recorded once for the whole "
                                  "response, not for each instance of the repeat 'child'; put it outside the repeat.")


def test_xlsform_repeat_logic_download_converts_with_pyxform_for_each_child(app, tmp_path):
    load()
    out = tmp_path / "family-logic.xlsx"
    result = app.test_cli_runner().invoke(args=["download-survey", "family-logic", "--out", str(out)])
    assert result.exit_code == 0, result.output
    xml = xls2xform.convert(str(out)).xform
    # ODK reads the calculation, the condition and the filter of the same child, as this service does.
    assert 'nodeset="/data/child/age_next_year" type="string" calculate=" ../age  + 1"' in xml
    assert 'required=" ../age_next_year  &lt;= 12"' in xml and "item[level= current()/../school ]" in xml
    assert normalise(read_xlsform(out)) == normalise(read_xlsform(FORM.encode(), "family-logic.md"))
