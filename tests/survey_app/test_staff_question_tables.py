"""A survey that declares nothing to rank or group by still gets a report: every select
question's frequency table, overall and by any select_one question staff choose, under the
small-group rule; the other pages answer without a ranked question.

    school     respondents  meal problems                      language
    lincoln    12           12 x [too_little_time, cost]        en
    roosevelt  11           11 x [too_little_time, halal_options] so
"""
from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from survey_app import storage, surveys
from survey_app.extensions import db
from survey_app.models import Answer, Partner, Response, new_uuid
from tests.conftest import PASSWORD, log_in

SLUG = "plain-meals"
SCHOOL_MEALS = Path(__file__).resolve().parent.parent / "data" / "school-meals.yaml"


def plain_definition() -> dict:
    """School Meals without any report setting."""
    raw = copy.deepcopy(yaml.safe_load(SCHOOL_MEALS.read_text(encoding="utf-8")))
    for setting in ("report_rank", "report_group", "report_breakdowns"):
        del raw["settings"][setting]
    raw["settings"]["form_id"] = SLUG
    return raw


def add(n: int, school: str, problems: list[str], language: str, comment: str | None = None) -> None:
    version = surveys.newest_version(SLUG)
    partner_id = db.session.scalar(select(Partner.id).where(Partner.code == "mira"))
    for i in range(n):
        response = Response(id=new_uuid(), survey_version_id=version.id, partner_id=partner_id, language=language,
                            channel="web", submitted_at=datetime(2026, 11, 3, 10) + timedelta(minutes=i))
        values = [("school", school), ("grade", "elementary"), ("eats_lunch", "yes"),
                  *(("meal_problems", problem) for problem in problems)]
        if comment:
            values += [("likes_lunch", "no"), ("lunch_change", comment)]
        response.answers = [Answer(question=q, value=v) for q, v in values]
        db.session.add(response)
    db.session.commit()


@pytest.fixture
def clients(app):
    storage.load_survey(plain_definition())
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("staff@example.org", PASSWORD, "staff")
    storage.create_user("mira@example.org", PASSWORD, "partner", mira)
    add(12, "lincoln", ["too_little_time", "cost"], "en", comment="Fresh fruit")
    add(11, "roosevelt", ["too_little_time", "halal_options"], "so")
    staff, partner = app.test_client(), app.test_client()
    log_in(staff, "staff@example.org")
    log_in(partner, "mira@example.org")
    return staff, partner


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def table_of(html: str, question: str) -> str:
    start = html.index(f'id="question-{question}"')
    return text_of(html[start:html.index("</table>", start)])


def test_staff_question_tables_every_select_question_overall(clients):
    staff, _partner = clients
    page = staff.get(f"/staff/reports/{SLUG}")
    assert page.status_code == 200 and "<h1>Answers to every question</h1>" in page.text
    problems = table_of(page.text, "meal_problems")
    # 12 and 11 of 23, with their 95% Wilson intervals.
    assert "Meals cost too much 12 52.2% 33.0% to 70.8%" in problems
    assert "No halal or vegetarian choice 11 47.8% 29.2% to 67.0%" in problems
    assert "Too little time to eat 23 100.0%" in problems
    for question in ("school", "grade", "eats_lunch"):
        assert f'id="question-{question}"' in page.text


def test_staff_question_tables_by_a_chosen_question_with_suppression(clients):
    staff, _partner = clients
    html = staff.get(f"/staff/reports/{SLUG}?by=school").text
    assert '<option value="school" selected>' in html
    problems = table_of(html, "meal_problems")
    assert "Lincoln Elementary" in problems and "Roosevelt Middle" in problems
    # Lincoln: cost 12 of 12; nobody there chose halal (0, suppressed as under 10).
    assert "Meals cost too much 12 52.2% 33.0% to 70.8% 12 100.0%" in problems
    assert problems.count("suppressed") >= 2


def test_staff_question_tables_unknown_grouping_means_everyone(clients):
    staff, _partner = clients
    html = staff.get(f"/staff/reports/{SLUG}?by=lunch_change").text
    assert '<option value="" selected>' in html
    assert "Lincoln Elementary 12" in table_of(html, "school")


def test_staff_question_tables_other_pages_without_a_ranked_question(clients):
    staff, partner = clients
    assert staff.get(f"/staff/reports/{SLUG}/ALL").status_code == 404
    assert staff.get(f"/staff/factsheets/{SLUG}/lincoln").status_code == 404
    comments = staff.get(f"/staff/comments/{SLUG}/ALL")
    assert comments.status_code == 200 and "Fresh fruit" in comments.text
    summary = staff.get(f"/staff/exports/{SLUG}/summary.csv").text
    assert "meal_problems,What problems have you seen with school meals? Choose up to two.,ALL,Everyone,23,cost," \
           "Meals cost too much,12,0.5217" in summary
    overview = partner.get(f"/partner/overview/{SLUG}")
    assert overview.status_code == 200 and "Meals cost too much" in overview.text
    counts = partner.get(f"/partner/responses/{SLUG}")
    assert counts.status_code == 200 and "Responses per language" in counts.text
    assert staff.get(f"/s/{SLUG}/results").status_code == 404

