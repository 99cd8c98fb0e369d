"""A survey keeps every version: each response keeps the version it answered, and the CSV
export and the analysis frame hold the responses of all versions side by side."""
from __future__ import annotations

import copy
import csv
import io

import pandas as pd
from sqlalchemy import select

from analysis.read import read_responses
from forms.normalising import normalise
from forms.xlsform import read_xlsform, stored_to_raw, write_xlsform
from survey_app import storage
from survey_app.cli.survey_files import DEFAULT_SURVEY_FILE, read_definition
from survey_app.exports import responses, writers
from survey_app.extensions import db
from survey_app.models import Response, Survey
from tests.conftest import Respondent

V1 = {
    "settings": {"form_id": "pilot", "version": "1", "default_language": "en", "form_title::en": "School pilot"},
    "survey": [
        {"type": "select_one yes_no", "name": "likes_school", "label::en": "Does your child like school?",
         "required": "yes"},
        {"type": "text", "name": "why", "label::en": "Why?"},
    ],
    "choices": [{"list_name": "yes_no", "name": "yes", "label::en": "Yes"},
                {"list_name": "yes_no", "name": "no", "label::en": "No"}],
}


def version_2() -> dict:
    """Version 1 with "why" removed and a question about the number of children added."""
    raw = copy.deepcopy(V1)
    raw["survey"] = [raw["survey"][0], {"type": "integer", "name": "children", "label::en": "How many children?"}]
    return raw


def answer(app, **answers) -> str:
    respondent = Respondent(app.test_client(), "pilot")
    respondent.start()
    respondent.answer(**answers)
    assert respondent.path.endswith("/thanks"), respondent.page.text
    return db.session.scalars(select(Response.id).order_by(Response.submitted_at.desc(), Response.id)).first()


def two_versions_answered(app) -> tuple[str, str]:
    storage.load_survey(V1, status="draft")
    storage.set_survey_status(db.session.scalar(select(Survey).where(Survey.slug == "pilot")), "open")
    first = answer(app, likes_school="yes", why="Kind teachers")
    storage.load_survey(version_2())
    second = answer(app, likes_school="no", children="3")
    return first, second


def test_survey_versions_status_applies_only_to_a_new_survey(app):
    version, created = storage.load_survey(V1, status="draft")
    assert created and version.survey.status == "draft"
    storage.set_survey_status(version.survey, "open")
    version, created = storage.load_survey(version_2(), status="draft")
    assert created and version.version == 2 and version.survey.status == "open"
    fv, created = storage.load_survey(read_definition(DEFAULT_SURVEY_FILE), status="draft")
    assert not created and fv.survey.status == "open"


def test_survey_versions_responses_keep_the_version_they_answered(app):
    first, second = two_versions_answered(app)
    assert db.session.get(Response, first).version.version == 1
    assert db.session.get(Response, second).version.version == 2


def test_survey_versions_unfinished_answers_of_an_old_version_start_again_on_the_new_one(app):
    storage.load_survey(V1)
    respondent = Respondent(app.test_client(), "pilot")
    respondent.start()
    storage.load_survey(version_2())
    page = respondent.answer(likes_school="yes", why="Kind teachers")
    assert "/s/pilot" == respondent.path  # back at the start, so nothing is stored against the wrong version
    assert db.session.scalar(select(Response.id)) is None and 'action="/s/pilot/start"' in page.text


def test_survey_versions_csv_export_has_the_columns_of_every_version(app):
    first, second = two_versions_answered(app)
    handle = io.StringIO()
    assert writers.write_csv(handle, *responses.table(responses.rows("pilot"))) == 2
    rows = {row["response_id"]: row for row in csv.DictReader(io.StringIO(handle.getvalue().removeprefix(writers.BOM)))}
    assert list(rows[first])[-3:] == ["likes_school", "children", "why"]  # newest first, then removed ones
    assert (rows[first]["survey_version"], rows[first]["likes_school"], rows[first]["why"],
            rows[first]["children"]) == ("1", "yes", "Kind teachers", "")
    assert (rows[second]["survey_version"], rows[second]["likes_school"], rows[second]["why"],
            rows[second]["children"]) == ("2", "no", "", "3")


def test_survey_versions_analysis_frame_reads_every_version(app):
    first, second = two_versions_answered(app)
    frame = read_responses(db.engine, "pilot").set_index("response_id")
    assert {"likes_school", "why", "children"} <= set(frame.columns)
    assert frame.loc[first, "survey_version"] == 1 and frame.loc[second, "survey_version"] == 2
    assert frame.loc[first, "why"] == "Kind teachers" and pd.isna(frame.loc[second, "why"])
    assert pd.isna(frame.loc[first, "children"]) and frame.loc[second, "children"] == 3
    assert list(frame["likes_school"].astype(str)) == ["yes", "no"]


def test_survey_versions_each_version_downloads_as_it_was(app):
    two_versions_answered(app)
    survey = db.session.scalar(select(Survey).where(Survey.slug == "pilot"))
    for version in survey.versions:
        raw = read_xlsform(write_xlsform(stored_to_raw(version.definition)))
        assert normalise(raw) == version.definition
    names = [[row.get("name") for row in version.definition["survey"]] for version in survey.versions]
    assert names == [["likes_school", "why"], ["likes_school", "children"]]


def test_survey_versions_staff_see_each_version_with_its_responses(app, staff_client):
    two_versions_answered(app)
    client = staff_client
    detail = client.get("/staff/surveys/pilot").text
    versions = detail.split("<h2>Versions</h2>", 1)[1]
    assert versions.count("<td>1</td>") >= 2 and "xlsform?version=1" in versions and "xlsform?version=2" in versions
    older = client.get("/staff/surveys/pilot/xlsform?version=1")
    assert "filename=pilot-v1.xlsx" in older.headers["Content-Disposition"]
    assert [row.get("name") for row in normalise(read_xlsform(older.data))["survey"]] == ["likes_school", "why"]
