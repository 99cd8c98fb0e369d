"""Small things on the staff pages that people tripped over."""
from __future__ import annotations

import re

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer
from tests.conftest import csrf_token
from tests.survey_app.report_fixtures import SLUG, XSS


def test_staff_home_links_the_survey_name_to_its_staff_page(staff):
    html = staff.get("/staff/").text
    assert f'<a href="/staff/surveys/{SLUG}">{SLUG}</a>' in html
    assert f'<a href="/s/{SLUG}">{SLUG}</a>' not in html


def test_staff_home_upload_sits_with_the_surveys_not_the_partners(staff):
    html = staff.get("/staff/").text
    upload = html.index('href="/staff/surveys"')
    assert html.index(">Surveys</h2>") < upload < html.index(">Partner organisations</h2>")


def test_staff_comments_tagging_says_saved_at_the_comment(staff):
    answer_id = db.session.scalar(select(Answer.id).where(Answer.value == XSS))
    page = staff.get(f"/staff/comments/{SLUG}/MN")
    reply = staff.post(f"/staff/comments/{SLUG}/MN/{answer_id}", follow_redirects=True, data={
        "csrf_token": csrf_token(page.text), "tags": ["safety"], "star": "1", "question": "one_change"})
    article = re.search(rf'<article class="comment" id="comment-{answer_id}">(.*?)</article>', reply.text, re.S)
    assert article and 'role="status"' in article.group(1) and "Tags saved." in article.group(1)
    assert reply.text.count("Tags saved.") == 1
    assert re.search(r"★ Starred</strong>\s*·\s*Tagged: ", article.group(1))


def test_staff_report_dates_are_typed_as_year_month_day(staff):
    html = staff.get(f"/staff/reports/{SLUG}/MN").text
    fields = re.findall(r'<input[^>]* name="(?:start|end)"[^>]*>', html)
    assert len(fields) == 2
    for field in fields:
        assert 'type="date"' not in field  # a browser shows its own order, such as mm/dd/yyyy
        assert 'type="text"' in field and 'pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}"' in field


def test_staff_audit_log_reads_as_sentences(app, staff):
    staff.get(f"/staff/reports/{SLUG}/MN/chart.svg?download=1")
    html = staff.get("/staff/audit").text
    assert "staff_download" not in html and ">login<" not in html
    assert "Downloaded the chart of <bdi>MN</bdi> (<bdi>SVG</bdi>) of <bdi>family-voices</bdi>." in html
    assert "Logged in." in html
