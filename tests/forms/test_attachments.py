"""A form with the files beside it, in a folder or a .zip: choices from a .csv (select_one_from_file)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from forms.attachments import AttachmentError, read_path, read_upload
from forms.loading import load_survey
from forms.normalising import normalise
from forms.relevance import offered_choices
from forms.xlsform import XLSFormError, read_xlsform_with_notices

FORM = """\
| survey |
| | type | name | label::English (en) | label::Hmong (hmn) |
| | select_one_from_file schools.csv | school | Which school? | Lub tsev kawm ntawv twg? |
| | select_multiple_from_file schools.csv | visited | Which schools have you visited? | Koj tau mus xyuas lub twg? |
| settings |
| | form_id | form_title |
| | school-choice | School choice |
"""
SCHOOLS = ("name,label::English (en),label::Hmong (hmn)\n"
           "lincoln,Lincoln Elementary,Tsev kawm ntawv Lincoln\n"
           "roosevelt,Roosevelt Middle,Tsev kawm ntawv Roosevelt\n")


def folder(tmp_path: Path, schools: str | None = SCHOOLS) -> Path:
    (tmp_path / "form").mkdir()
    (tmp_path / "form" / "school-choice.md").write_text(FORM, encoding="utf-8")
    if schools is not None:
        (tmp_path / "form" / "schools.csv").write_text(schools, encoding="utf-8")
    return tmp_path / "form"


def read(bundle):
    return normalise(read_xlsform_with_notices(bundle.form, bundle.form_name, bundle.files).raw)


def test_attachments_choices_from_a_csv_beside_the_form_in_a_folder(tmp_path):
    definition = read(read_path(folder(tmp_path)))
    assert [row["list_name"] for row in definition["survey"]] == ["schools", "schools"]
    assert definition["choices"]["schools"] == [
        {"name": "lincoln", "label": {"en": "Lincoln Elementary", "hmn": "Tsev kawm ntawv Lincoln"}},
        {"name": "roosevelt", "label": {"en": "Roosevelt Middle", "hmn": "Tsev kawm ntawv Roosevelt"}}]


def test_attachments_choices_from_a_csv_in_a_zip(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("school-choice/school-choice.md", FORM)
        archive.writestr("school-choice/lists/schools.csv", SCHOOLS)
    definition = read(read_upload(buffer.getvalue(), "school-choice.zip"))
    assert [choice["name"] for choice in definition["choices"]["schools"]] == ["lincoln", "roosevelt"]


@pytest.mark.parametrize(("schools", "message"), [
    (None, 'survey sheet, row 2, column "type": there is no file "schools.csv" beside the form'),
    ("code,label\nlincoln,Lincoln\n", '"schools.csv", row 1: the list needs a "name" column and a "label" column'),
    ("name,label\n,Lincoln\n", '"schools.csv", row 2, column "name": every choice needs a name.'),
    ("name,label::Klingonese\nlincoln,Lincoln\n", 'column "label::Klingonese": "Klingonese" is not a language'),
])
def test_attachments_a_broken_choice_file_is_refused_by_name(tmp_path, schools, message):
    with pytest.raises(XLSFormError) as refused:
        read(read_path(folder(tmp_path, schools)))
    assert message in str(refused.value)


def test_attachments_two_forms_are_refused(tmp_path):
    path = folder(tmp_path)
    (path / "copy.md").write_text(FORM, encoding="utf-8")
    with pytest.raises(AttachmentError, match="There are 2 forms in it"):
        read_path(path)


def test_attachments_a_choice_filter_reads_a_column_of_the_csv(tmp_path):
    (tmp_path / "form").mkdir()
    (tmp_path / "form" / "schools.md").write_text("""\
| survey |
| | type | name | label::English (en) | choice_filter |
| | select_one district | district | Which district? | |
| | select_one_from_file schools.csv | school | Which school? | district = ${district} |
| choices |
| | list_name | name | label::English (en) |
| | district | north | North |
| | district | south | South |
| settings |
| | form_id | form_title |
| | schools | Schools |
""", encoding="utf-8")
    (tmp_path / "form" / "schools.csv").write_text(
        "name,label,district,principal\nlincoln,Lincoln,north,Ms Lee\nroosevelt,Roosevelt,south,Mr Cruz\n",
        encoding="utf-8")
    survey = load_survey(read(read_path(tmp_path / "form")))
    school = survey.questions["school"]
    assert [choice.columns for choice in school.choices] == [{"district": "north"}, {"district": "south"}]
    assert [choice.name for choice in offered_choices(school, {"district": "south"})] == ["roosevelt"]
