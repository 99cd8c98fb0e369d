"""The printable state fact sheet: the state's English Learner figures as published, the top
issues with suppression honoured, a chart, and starred quotes, escaped."""
from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app import state_facts, storage
from survey_app.extensions import db
from survey_app.models import Answer, User
from tests.survey_app.report_fixtures import SLUG, XSS


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed streams opened, where font names are kept."""
    opened = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            opened.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"".join(opened)


def star(text: str) -> None:
    answer_id = db.session.scalar(select(Answer.id).where(Answer.question == "one_change", Answer.value == text)
                                  .limit(1))
    storage.set_comment_note(answer_id, ["language_access"], True, db.session.scalar(select(User).limit(1)))


def test_state_facts_load_every_state():
    facts = state_facts.all_states()
    assert sorted(facts) == ["CA", "IL", "MA", "MN", "NY", "TN", "WA"]
    assert facts["IL"].el_students == 240000 and facts["IL"].el_students_is_lower_bound
    assert facts["IL"].el_share_pct == 12.9 and facts["MN"].el_share_pct is None
    assert facts["MN"].top_languages == ("Spanish", "Somali", "Hmong", "Karen", "Vietnamese")


def test_factsheets_state_figures_with_year_source_and_verification(staff):
    html = staff.get(f"/staff/factsheets/{SLUG}/MN").text
    assert "Minnesota: what families told us" in html
    assert "73,128" in html and "more than 73,128" not in html and "(2018-19)" in html
    assert "Share of all students" not in html  # no verified share for Minnesota
    assert "<li>Somali</li>" in html and "<li>Karen</li>" in html
    assert "Minnesota Department of Education, English Learner Education in Minnesota: Fall 2018 Report (2018)" in html
    assert "share not verified" not in html and "copy at" not in html  # working notes stay off the sheet
    assert 'href="/static/print.css?v=' in html and 'href="/static/factsheet.css?v=' in html


def test_factsheets_lower_bound_reads_more_than(staff):
    html = staff.get(f"/staff/factsheets/{SLUG}/IL").text
    assert "more than 240,000" in html and "12.9%" in html and "(2020-21)" in html


def test_factsheets_top_issues_match_the_report(staff):
    html = staff.get(f"/staff/factsheets/{SLUG}/MN").text
    assert ('12 respondents in Minnesota chose up to three issues, between <time datetime="2026-10-05">2026-10-05</time> '
            'and <time datetime="2026-10-05">2026-10-05</time>.') in html
    assert "91.7%" in html and "64.6% to 98.5%" in html and "83.3%" in html
    assert "Mental health" not in html  # suppressed issues are left out
    assert f'src="/staff/reports/{SLUG}/MN/chart.svg?top=5"' in html
    assert "Privacy: any figure based on fewer than 10 people is not shown" in html
    chart = staff.get(f"/staff/reports/{SLUG}/MN/chart.svg?top=5").data
    assert b"suppressed" not in chart and b"Safety at school" in chart


def test_factsheets_starred_quotes_are_escaped(staff):
    star(XSS)
    html = staff.get(f"/staff/factsheets/{SLUG}/MN").text
    assert "In their own words" in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Más intérpretes" in html
    assert "A respondent in Minnesota, answering in Spanish" in html


def test_factsheets_suppressed_state_shows_no_figures_or_quotes(staff):
    star("TN-ONLY comment")
    html = staff.get(f"/staff/factsheets/{SLUG}/TN").text
    assert "Not enough families in Tennessee have answered yet" in html
    assert "TN-ONLY" not in html and "In their own words" not in html
    main = html[html.index("Top issues families raised"):]
    assert "100.0%" not in main and " 4 " not in main and "chart.svg" not in main
    assert "more than 83,000" in html  # the state's own figures are still shown


def test_factsheets_only_states_with_facts(staff):
    assert staff.get(f"/staff/factsheets/{SLUG}/other").status_code == 404
    assert staff.get(f"/staff/factsheets/{SLUG}/ZZ").status_code == 404


@pytest.mark.parametrize("state, marks", [("MN", ["verified"]), ("IL", ["at least", "secondary source"]),
                                          ("NY", ["at least", "dated"])])
def test_factsheets_verification_is_a_short_mark(staff, state, marks):
    html = staff.get(f"/staff/factsheets/{SLUG}/{state}").text
    shown = re.findall(r'<span class="factsheet-mark"[^>]*>([^<]*)</span>', html)
    assert [mark.split(" ", 1)[1] for mark in shown] == marks
    assert "LOWER BOUND" not in html and "DATED" not in html
    for mark in marks:  # each mark is explained in the sheet's key
        assert re.search(rf'<dt>[^<]*{mark}</dt>', html, re.I)


def test_factsheets_text_is_at_least_10_points():
    for name in ("factsheet.css", "print.css"):
        css = Path("survey_app/static", name).read_text()
        sizes = [float(size) for size in re.findall(r"font-size:\s*([\d.]+)pt", css)]
        assert sizes and min(sizes) >= 10, name


def test_factsheets_quote_carries_the_staff_translation(staff):
    star(XSS)
    answer_id = db.session.scalar(select(Answer.id).where(Answer.value == XSS))
    storage.set_comment_translation(answer_id, "More interpreters, please.", db.session.scalar(select(User).limit(1)))
    html = staff.get(f"/staff/factsheets/{SLUG}/MN").text
    assert re.search(r'<p class="factsheet-translation" lang="en">[^<]*More interpreters, please\.', html)


@pytest.mark.parametrize("language, font", [("en", b"+Noto-Sans"), ("ar", b"+Noto-Sans-Arabic"),
                                            ("zh-Hans", b"+Noto-Sans-CJK-SC")])
def test_factsheets_pdf_is_built_on_the_server_in_every_script(staff, language, font):
    reply = staff.get(f"/staff/factsheets/{SLUG}/MN.pdf?language={language}")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    assert reply.data.startswith(b"%PDF")
    assert f'filename="{SLUG}-MN-{language}.pdf"' in reply.headers["Content-Disposition"]
    assert font in pdf_objects(reply.data)  # the script's font is embedded, so its text is shaped


def test_factsheets_sheet_language_is_chosen_apart_from_the_pages(staff):
    # The issues and the chart are in the sheet's language; the sheet's own sentences stay in the
    # language of the staff member's pages until they are translated, never mirrored.
    html = staff.get(f"/staff/factsheets/{SLUG}/MN?language=ar").text
    assert '<html lang="en" dir="ltr">' in html
    assert len(re.findall(r'<th scope="row" lang="ar" dir="rtl">', html)) == 2
    assert f"/staff/reports/{SLUG}/MN/chart.svg?top=5&amp;language=ar" in html
