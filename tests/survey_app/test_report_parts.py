"""Report parts: the responses stored once as reports read them give exactly the frame, and so
exactly the figures, that reading every answer in one go gives, across survey versions, skip
logic and repeats; parts that no longer match the responses are read again."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete, select

from analysis.read import read_responses
from analysis.summary import compare_groups, top_choices
from forms.xlsform import read_xlsform
from survey_app import storage, surveys
from survey_app.demo import store_demo_responses
from survey_app.extensions import db
from survey_app.models import Answer, ReportPart, Response, new_uuid
from survey_app.reporting import columnar, figures, parts, snapshots

SLUG = "family-voices"


@pytest.fixture
def two_versions(app, default_definition, monkeypatch):
    """Synthetic responses (skip logic applied, as the survey asks) to version 1, then to a
    version 2 that offers a new issue, with parts of 150 responses stored from 100 on."""
    monkeypatch.setattr(parts, "PART_RESPONSES", 150)
    app.config["REPORTS_PART_RESPONSES"] = 100
    app.config["REPORTS_REFRESH_IN_BACKGROUND"] = False
    store_demo_responses(surveys.newest_version(SLUG), 400, seed=3)
    second = copy.deepcopy(default_definition)
    issues = next(row for row in second["survey"] if row.get("name") == "top_issues")
    list_name = issues.get("list_name") or str(issues["type"]).split()[-1]
    second["choices"].append({"list_name": list_name, "name": "transport", "label::en": "Getting to school"})
    version, created = storage.load_survey(second)
    assert created and version.version == 2
    store_demo_responses(version, 300, seed=4)


def frame_in_one_go() -> pd.DataFrame:
    return read_responses(db.engine, SLUG, snapshots._report_definition(SLUG))


def assert_read_in_one_go(snap: snapshots.Snapshot, one_go: pd.DataFrame) -> None:
    """The snapshot's frame is the frame read in one go without its text, and its comments
    index gives each row's response id and the text questions it answered."""
    texts = columnar.text_columns(one_go)
    assert "response_id" in texts
    pd.testing.assert_frame_equal(snap.frame, one_go.drop(columns=texts), check_exact=True)
    index = snapshots.comments(snap)
    assert set(index.answered) == set(texts) - {"response_id"}
    for name, answered in index.answered.items():
        assert answered.tolist() == one_go[name].notna().tolist(), name
    commented = one_go[[name for name in texts if name != "response_id"]].notna().any(axis=1)
    assert commented.any()
    pd.testing.assert_series_equal(index.response_ids, one_go["response_id"][commented], check_exact=True,
                                   check_index_type=False)


def stored_parts() -> list[tuple[datetime, datetime, int]]:
    return [tuple(row) for row in db.session.execute(
        select(ReportPart.submitted_from, ReportPart.submitted_before, ReportPart.responses)
        .order_by(ReportPart.submitted_from))]


def snapshot() -> snapshots.Snapshot:
    survey = snapshots.find_survey(SLUG)
    assert survey is not None
    return snapshots.snapshot(survey, max_age=0)


def test_report_parts_give_the_frame_read_in_one_go(two_versions):
    snap = snapshot()
    stored = stored_parts()
    assert len(stored) >= 4 and sum(n for _, _, n in stored) == 700
    assert_read_in_one_go(snap, frame_in_one_go())
    assert set(snap.frame["survey_version"]) == {1, 2} and "top_issues/transport" in snap.frame

    # Another process (here: the same one, its memory emptied) reads the stored parts.
    snapshots._cache().snapshots.clear()
    again = snapshot()
    assert stored_parts() == stored
    assert_read_in_one_go(again, frame_in_one_go())


def test_report_parts_comments_index_read_from_the_answers_when_its_parts_are_gone(two_versions):
    """The comments index is read after the frame, when a comments page asks: a part deleted in
    between (another server found it stale) is read from the answers instead."""
    snap = snapshot()
    storage.forget_report_parts(snap.key[0])
    assert_read_in_one_go(snap, frame_in_one_go())


def test_report_parts_figures_match_the_ones_computed_from_every_answer(two_versions):
    snap = snapshot()
    old = frame_in_one_go()
    for start, end in ((None, None), (datetime(2026, 9, 15).date(), datetime(2026, 10, 20).date())):
        tables = figures.tables(snap, start, end, 10)
        frame = figures.filtered(snap, start, end)
        expected = old if start is None else old[(old["submitted_at"] >= pd.Timestamp(start, tz="UTC"))
                                                 & (old["submitted_at"] < pd.Timestamp(end, tz="UTC")
                                                    + pd.Timedelta(days=1))]
        assert len(frame) == len(expected) == tables.responses
        pd.testing.assert_frame_equal(tables.top, top_choices(expected, snap.definition, "top_issues", "state", 10))
        pd.testing.assert_frame_equal(tables.compare,
                                      compare_groups(expected, snap.definition, "top_issues", "state", 10))
    assert figures.summary_text(snap, None, "json", 10) == figures.summary_text(
        snapshots.Snapshot(snap.key, SLUG, old, snap.definition, snap.survey), None, "json", 10)


def test_report_parts_read_again_when_a_response_is_stored_into_a_stored_span(two_versions):
    snapshot()
    first, _before, _n = stored_parts()[0]
    late = Response(id=new_uuid(), survey_version_id=surveys.newest_version(SLUG).id, language="en", channel="paper",
                    submitted_at=first + timedelta(seconds=1))
    late.answers = [Answer(question="state", value="MN"), Answer(question="top_issues", value="safety")]
    db.session.add(late)
    db.session.commit()
    snap = snapshot()
    assert snap.responses == 701
    assert_read_in_one_go(snap, frame_in_one_go())
    assert sum(n for _, _, n in stored_parts()) == 701


def test_report_parts_read_again_when_responses_are_gone(two_versions):
    snapshot()
    gone = db.session.scalars(select(Response.id).order_by(Response.submitted_at).limit(5)).all()
    db.session.execute(delete(Answer).where(Answer.response_id.in_(gone)))
    db.session.execute(delete(Response).where(Response.id.in_(gone)))
    db.session.commit()
    snap = snapshot()
    assert_read_in_one_go(snap, frame_in_one_go())
    assert sum(n for _, _, n in stored_parts()) == 695


def test_report_parts_new_responses_are_read_from_the_answers_until_settled(two_versions):
    snapshot()
    stored = stored_parts()
    fresh = Response(id=new_uuid(), survey_version_id=surveys.newest_version(SLUG).id, language="en", channel="web")
    fresh.answers = [Answer(question="state", value="NY"), Answer(question="top_issues", value="transport")]
    db.session.add(fresh)
    db.session.commit()
    snap = snapshot()
    assert snap.responses == 701
    assert_read_in_one_go(snap, frame_in_one_go())
    # A response of this minute goes into no part: it is read from the answers.
    assert stored_parts() == stored


def test_report_parts_command_stores_every_settled_response_and_reads_them_again(two_versions, runner):
    result = runner.invoke(args=["report-parts", "--survey", SLUG])
    assert result.exit_code == 0, result.output
    assert result.output == f"700 responses of '{SLUG}' are stored in {len(stored_parts())} report parts.\n"
    first = stored_parts()
    again = runner.invoke(args=["report-parts", "--survey", SLUG, "--again"])
    assert again.exit_code == 0, again.output
    # The same parts again, but for the last one's end: the time up to which responses have settled.
    assert [(since, n) for since, _before, n in stored_parts()] == [(since, n) for since, _before, n in first]
    assert runner.invoke(args=["report-parts", "--survey", "no-such-survey"]).exit_code != 0


REPEAT_FORM = """\
| survey |
|        | type              | name       | label::English (en)                      | repeat_count | calculation         |
|        | start             | started    |                                          |              |                     |
|        | today             | day        |                                          |              |                     |
|        | integer           | children   | How many children do you have in school? |              |                     |
|        | calculate         | plural     |                                          |              | if(${children} > 1, 'yes', 'no') |
|        | begin_repeat      | child      | Child                                    | ${children}  |                     |
|        | text              | child_name | Child's first name                       |              |                     |
|        | select_one grade  | grade      | Grade of ${child_name}                   |              |                     |
|        | end_repeat        |            |                                          |              |                     |
|        | text              | comment    | Anything else?                           |              |                     |
| choices |
|         | list_name | name | label::English (en) |
|         | grade     | pre  | Preschool           |
|         | grade     | k5   | Kindergarten to 5th |
|         | grade     | 6_8  | 6th to 8th          |
| settings |
|          | form_id       | default_language |
|          | school-family | English (en)     |
"""


def test_report_parts_hold_each_child_of_a_repeat_and_ignore_stored_calculations(app, monkeypatch):
    """Families answering a repeat (one column per child), with a calculation and the start and
    today rows stored as answers: the parts give the frame read in one go, and the question
    table counts each child."""
    monkeypatch.setattr(parts, "PART_RESPONSES", 4)
    app.config["REPORTS_PART_RESPONSES"] = 1
    app.config["REPORTS_REFRESH_IN_BACKGROUND"] = False
    version, _created = storage.load_survey(read_xlsform(REPEAT_FORM.encode(), "family.md"), status="open")
    grades = ["pre", "k5", "6_8"]
    responses, answers = [], []
    for number in range(10):
        response_id = new_uuid()
        sent = datetime(2026, 9, 1) + timedelta(hours=number)
        responses.append({"id": response_id, "survey_version_id": version.id, "partner_id": None, "language": "en",
                          "channel": "web", "submitted_at": sent})
        children = 1 + number % 3
        values = {"started": sent.strftime("%Y-%m-%dT%H:%M"), "day": sent.date().isoformat(),
                  "children": str(children), "plural": "yes" if children > 1 else "no",
                  "comment": f"Comment {number}" if number % 2 else None}
        for child in range(1, children + 1):
            values[f"child_name[{child}]"] = f"Child {number}.{child}"
            values[f"grade[{child}]"] = grades[(number + child) % 3]
        answers.extend({"response_id": response_id, "question": name, "value": value}
                       for name, value in values.items() if value is not None)
    storage.insert_responses(responses, answers)

    survey = snapshots.find_survey("school-family")
    assert survey is not None
    snap = snapshots.snapshot(survey, max_age=0)
    stored = db.session.execute(select(ReportPart.responses).order_by(ReportPart.submitted_from)).scalars().all()
    assert sum(stored) == 10 and len(stored) >= 2
    one_go = read_responses(db.engine, "school-family", snapshots._report_definition("school-family"))
    assert_read_in_one_go(snap, one_go)
    assert list(one_go["child_name[3]"].dropna()) == [f"Child {n}.3" for n in range(10) if n % 3 == 2]
    assert "plural" not in one_go and "started" not in one_go

    snapshots._cache().snapshots.clear()
    again = snapshots.snapshot(survey, max_age=0)
    assert_read_in_one_go(again, one_go)
    table = figures.question_tables(again, None, None, None, 1)["grade"]
    counted = table.set_index("choice")["count"].to_dict()
    # 10 families with 1, 2, 3, 1, 2, ... children: 19 children in all.
    assert sum(counted.values()) == 19
    expected = pd.Series([grades[(n + c) % 3] for n in range(10) for c in range(1, 2 + n % 3)]).value_counts()
    assert counted == expected.to_dict()


def test_report_parts_stored_form_reads_back_plain_numbers_only():
    """A part is read as views of its bytes; an array of anything but plain numbers (objects,
    which would need code to read) is refused."""
    piece = columnar.Columns({"rows": 3, "columns": []}, {"c0": np.array([1, 2, 3], dtype=np.int8),
                                                         "c0m": np.array([True, False, True])})
    back = columnar.from_bytes(columnar.to_bytes(piece))
    assert back.header == piece.header
    assert {name: array.tolist() for name, array in back.arrays.items()} == {"c0": [1, 2, 3],
                                                                           "c0m": [True, False, True]}
    stored = columnar.to_bytes(piece).replace(b'"|b1"', b'"|O8"')
    with pytest.raises(ValueError, match="plain numbers"):
        columnar.from_bytes(stored)
