"""Staff reports: figures that match the hand-worked campaign in report_fixtures, small
groups suppressed everywhere, the date filter, charts, the cache, and who may see what."""
from __future__ import annotations

import re
import time
from datetime import datetime

import pytest

from analysis import read as analysis_read
from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.reporting import parts, snapshots
from tests.conftest import log_in
from tests.survey_app.report_fixtures import SLUG, add_responses, cells, row, text_of


def test_staff_reports_overview_shows_each_state_side_by_side(staff):
    page = staff.get(f"/staff/reports/{SLUG}")
    assert page.status_code == 200
    html = page.text
    assert row(html, "All states") == (
        "All states 39 2026-10-01 to 2026-10-05 Interpreters and school information in my language 94.9% Bilingual and dual-language "
        "programs 51.3% Safety at school, including fear of immigration enforcement 46.2%")
    minnesota = row(html, "Minnesota")
    assert minnesota.startswith("Minnesota 12 2026-10-05 to 2026-10-05")
    assert "91.7%" in minnesota and "83.3%" in minnesota
    assert row(html, "New York").startswith("New York 20 2026-10-01 to 2026-10-01")
    for state in ("Tennessee", "Washington"):
        shown = row(html, state)
        assert shown == f"{state} suppressed suppressed suppressed suppressed suppressed"


def test_staff_reports_overview_top_three_in_rank_order(staff):
    minnesota = row(staff.get(f"/staff/reports/{SLUG}").text, "Minnesota")
    assert minnesota.index("Safety at school") < minnesota.index("Interpreters and school information in my language")
    # Mental health (3 of 12) is suppressed, so Minnesota has only two published issues.
    assert "Mental health" not in minnesota


def test_staff_reports_state_page_matches_hand_computed_figures(staff):
    html = staff.get(f"/staff/reports/{SLUG}/MN").text
    assert "Minnesota: top issues" in html
    ranked = cells(html, 'id="issues-caption"')
    # 11 of 12 and 10 of 12, with their 95% Wilson intervals worked out by hand.
    assert row(ranked, "Safety at school, including fear of immigration enforcement") == (
        "1 Safety at school, including fear of immigration enforcement 11 91.7% 64.6% to 98.5%")
    assert row(ranked, "Interpreters and school information in my language") == "2 Interpreters and school information in my language 10 83.3% 55.2% to 95.3%"
    assert row(ranked, "Mental health and emotional support") == (
        "Mental health and emotional support suppressed suppressed suppressed")
    assert ">3<" not in ranked  # the 3 who chose mental health


def test_staff_reports_comparison_flags_holm_significant_differences(staff):
    html = staff.get(f"/staff/reports/{SLUG}/MN").text
    assert "Holm" in html
    compared = cells(html, 'id="comparison-caption"')
    # Safety: 11/12 against 7/27 elsewhere; information: 10/12 against 27/27 (Holm over the 2 published).
    assert row(compared, "Safety at school, including fear of immigration enforcement") == (
        "Safety at school, including fear of immigration enforcement 91.7% 25.9% +65.7 points < 0.001 Yes, higher")
    assert row(compared, "Interpreters and school information in my language") == (
        "Interpreters and school information in my language 83.3% 100.0% -16.7 points 0.029 Yes, lower")
    assert row(compared, "Mental health and emotional support").endswith("Not compared")


def test_staff_reports_suppressed_state_shows_no_number(staff):
    html = staff.get(f"/staff/reports/{SLUG}/TN").text
    assert "every figure of this state is suppressed" in html
    body = text_of(html[html.index("<h1>"):])
    assert "Respondents who chose their top issues suppressed Dates of responses suppressed" in body
    for figure in ("100.0%", " 4 ", "to 2026-10-01"):
        assert figure not in body
    ranked = cells(html, 'id="issues-caption"')
    assert "%" not in text_of(ranked).replace("95% interval", "")


@pytest.mark.parametrize("across, heading", [
    ("role", "Parent or guardian"), ("home_languages", "Spanish"), ("language", "Español (Spanish)"),
    ("grade_bands", "Everyone in this state"), ("partner", "Coalition of Asian American Leaders"),
    ("channel", "Online link"),
])
def test_staff_reports_breakdowns_by_query_parameter(staff, across, heading):
    html = staff.get(f"/staff/reports/{SLUG}/MN?breakdown={across}").text
    grid = cells(html, 'id="breakdown-caption"')
    assert heading in grid
    assert 'aria-current="page"' in html


def test_staff_reports_breakdown_hides_small_groups(staff):
    by_role = cells(staff.get(f"/staff/reports/{SLUG}/MN?breakdown=role").text, 'id="breakdown-caption"')
    assert by_role.count("n = 12") == 2  # everyone in Minnesota, all of them parents
    by_partner = cells(staff.get(f"/staff/reports/{SLUG}/MN?breakdown=partner").text, 'id="breakdown-caption"')
    # Nine of Minnesota's twelve came through CAAL: fewer than ten, so that column is suppressed, and
    # so is the state's own column, which would otherwise bound it.
    assert "n = 9" not in by_partner and "n = 12" not in by_partner
    assert "%" not in text_of(by_partner)


def test_staff_reports_date_filter(staff):
    html = staff.get(f"/staff/reports/{SLUG}?start=2026-10-03&end=2026-10-31").text
    assert "Responses in these dates: 12." in html
    assert row(html, "New York").startswith("New York suppressed")
    assert 'value="2026-10-03"' in html


def test_staff_reports_bad_dates_keep_what_was_typed(staff):
    html = staff.get(f"/staff/reports/{SLUG}/MN?start=2026-02-30&end=soon").text
    assert "Enter the start date as a real date, for example 2026-10-01." in html
    assert "Enter the end date as a real date, for example 2026-10-31." in html
    assert 'value="2026-02-30"' in html and 'value="soon"' in html
    assert "for all dates until the dates are corrected" in html
    assert "64.6% to 98.5%" in html


def test_staff_reports_end_before_start_is_refused(staff):
    html = staff.get(f"/staff/reports/{SLUG}?start=2026-10-31&end=2026-10-01").text
    assert "The end date must be the same as or after the start date." in html


def test_staff_reports_chart_is_svg_for_the_page_and_to_download(staff):
    html = staff.get(f"/staff/reports/{SLUG}/MN").text
    assert f'<img src="/staff/reports/{SLUG}/MN/chart.svg"' in html
    assert 'alt="Bar chart of the share of respondents in Minnesota who chose each issue' in html
    assert f'<a href="/staff/reports/{SLUG}/MN/chart.svg?download=1" download>' in html
    svg = staff.get(f"/staff/reports/{SLUG}/MN/chart.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert b"Minnesota: 12 respondents" in svg.data and b"suppressed" in svg.data
    assert "Content-Disposition" not in svg.headers
    assert db.session.query(AuditEvent).filter_by(action="staff_download").count() == 0
    # No picture drawn on the server: it could not shape Arabic, Bengali or Karen.
    assert staff.get(f"/staff/reports/{SLUG}/MN/chart.png").status_code == 404


@pytest.mark.parametrize("language, words", [
    ("ar", "الأمان في المدرسة"), ("bn", "স্কুলে নিরাপত্তা"), ("ksw", "တၢ်ပူၤဖျဲး လၢကၠိ")])
def test_staff_reports_chart_download_keeps_every_script_as_text(staff, language, words):
    reply = staff.get(f"/staff/reports/{SLUG}/MN/chart.svg?download=1&language={language}")
    assert reply.mimetype == "image/svg+xml"
    assert reply.headers["Content-Disposition"] == f'attachment; filename="{SLUG}-MN-top-issues-{language}.svg"'
    svg = reply.data.decode("utf-8")
    # The words are in a <text> element, not drawn as paths: the viewer shapes them.
    assert re.search(r"<text[^>]*>[^<]*" + re.escape(words.split()[0]), svg), f"{words!r} is not text in the SVG"
    assert db.session.query(AuditEvent).filter_by(action="staff_download").count() == 1


def test_staff_reports_chart_of_suppressed_state_has_no_bars(staff):
    svg = staff.get(f"/staff/reports/{SLUG}/TN/chart.svg").data
    # The title may be wrapped onto two lines of text.
    assert re.sub(rb"</text>\s*<text[^>]*>", b" ", svg).count(b"Tennessee: suppressed (fewer than 10 respondents)") == 1
    assert b"4 respondents" not in svg
    assert svg.count(b"suppressed") >= 16


def test_staff_reports_unknown_survey_or_state_is_404(staff):
    assert staff.get("/staff/reports/no-such-survey").status_code == 404
    assert staff.get(f"/staff/reports/{SLUG}/ZZ").status_code == 404
    assert staff.get(f"/staff/reports/{SLUG}/ZZ/chart.svg").status_code == 404


def test_staff_reports_all_states_page(staff):
    html = staff.get(f"/staff/reports/{SLUG}/ALL").text
    assert row(cells(html, 'id="issues-caption"'), "Interpreters and school information in my language").startswith(
        "1 Interpreters and school information in my language 37 94.9%")
    assert "Compared with the other states" not in html


@pytest.fixture
def reads(monkeypatch) -> list[int]:
    """One entry per time the responses are read from the database."""
    counted: list[int] = []
    original = analysis_read.read_responses

    def counting(*args, **kwargs):
        counted.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(parts, "read_responses", counting)
    return counted


def test_staff_reports_warm_pages_do_not_read_again(staff, reads):
    assert row(staff.get(f"/staff/reports/{SLUG}").text, "Minnesota").startswith("Minnesota 12")
    staff.get(f"/staff/reports/{SLUG}/MN")
    staff.get(f"/staff/reports/{SLUG}/MN/chart.svg")
    staff.get(f"/staff/comments/{SLUG}/MN")
    staff.get(f"/staff/factsheets/{SLUG}/MN")
    assert len(reads) == 1


def test_staff_reports_new_responses_are_added_in_the_background(app, staff, reads):
    app.config["REPORTS_MAX_AGE"] = 0
    staff.get(f"/staff/reports/{SLUG}")
    with app.app_context():
        add_responses("MN", 3, ["safety"], day=datetime(2026, 10, 6))
    html = staff.get(f"/staff/reports/{SLUG}").text
    # The figures in memory are shown at once while the new ones are read.
    assert row(html, "Minnesota").startswith("Minnesota 12")
    assert "3 new responses are being added to these figures." in html
    with app.app_context():
        snapshots.finish_refreshes(timeout=60)
    html = staff.get(f"/staff/reports/{SLUG}").text
    assert row(html, "Minnesota").startswith("Minnesota 15")
    assert "being added" not in html
    assert len(reads) == 2


def test_staff_reports_can_wait_for_new_responses(app, staff, reads):
    app.config["REPORTS_REFRESH_IN_BACKGROUND"] = False
    app.config["REPORTS_MAX_AGE"] = 0
    staff.get(f"/staff/reports/{SLUG}")
    with app.app_context():
        add_responses("MN", 3, ["safety"], day=datetime(2026, 10, 6))
    assert row(staff.get(f"/staff/reports/{SLUG}").text, "Minnesota").startswith("Minnesota 15")
    assert len(reads) == 2


def test_staff_reports_check_for_new_responses_at_most_every_max_age(app, staff, reads, monkeypatch):
    app.config["REPORTS_MAX_AGE"] = 60
    staff.get(f"/staff/reports/{SLUG}")
    with app.app_context():
        add_responses("MN", 3, ["safety"], day=datetime(2026, 10, 6))
    html = staff.get(f"/staff/reports/{SLUG}").text
    assert row(html, "Minnesota").startswith("Minnesota 12") and "being added" not in html
    a_minute_later = time.monotonic() + 61
    monkeypatch.setattr(snapshots.time, "monotonic", lambda: a_minute_later)
    assert "3 new responses are being added to these figures." in staff.get(f"/staff/reports/{SLUG}").text
    with app.app_context():
        snapshots.finish_refreshes(timeout=60)
    assert len(reads) == 2


def test_staff_reports_long_first_read_shows_a_page_that_reloads_itself(app, staff, held_first_read):
    page = staff.get(f"/staff/reports/{SLUG}/MN")
    assert page.status_code == 503 and page.headers["Refresh"] == "5"
    assert "The report is being prepared" in page.text
    assert re.search(r"\d+ responses are being read", page.text)
    held_first_read()
    page = staff.get(f"/staff/reports/{SLUG}/MN")
    assert page.status_code == 200 and "Refresh" not in page.headers


def test_staff_reports_partner_overview_shows_aggregates_only(partner_client):
    page = partner_client.get(f"/partner/overview/{SLUG}")
    assert page.status_code == 200
    html = page.text
    assert row(html, "Minnesota").startswith("Minnesota 12")
    assert row(html, "Tennessee") == "Tennessee suppressed suppressed suppressed suppressed suppressed"
    # No links into the staff area (comments, fact sheets, exports) and no free text.
    assert "/staff/" not in html
    assert "TN-ONLY" not in html and "Más intérpretes" not in html


def test_staff_reports_overview_needs_partner_role_on_partner_route(staff):
    assert staff.get(f"/partner/overview/{SLUG}").status_code == 403


STAFF_PAGES = [
    f"/staff/reports/{SLUG}", f"/staff/reports/{SLUG}/MN", f"/staff/reports/{SLUG}/MN/chart.svg",
    f"/staff/reports/{SLUG}/MN/chart.svg?download=1", f"/staff/exports/{SLUG}/summary.csv", f"/staff/exports/{SLUG}/summary.xlsx",
    f"/staff/exports/{SLUG}/MN/breakdown.csv?breakdown=role", f"/staff/exports/{SLUG}/responses.csv",
    f"/staff/exports/{SLUG}/responses.xlsx", f"/staff/exports/{SLUG}/codebook.csv", f"/staff/comments/{SLUG}/MN",
    f"/staff/factsheets/{SLUG}/MN",
]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_reports_anonymous_is_sent_to_log_in(app, campaign, path):
    reply = app.test_client().get(path)
    assert reply.status_code == 302 and "/login" in reply.location


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_reports_partner_user_is_refused(partner_client, path):
    assert partner_client.get(path).status_code == 403


def test_staff_reports_admin_may_read_reports(app, campaign):
    admin = app.test_client()
    log_in(admin, "admin@example.org")
    assert admin.get(f"/staff/reports/{SLUG}/MN").status_code == 200


def test_staff_reports_anonymous_cannot_switch_results_page(app, campaign):
    reply = app.test_client().post(f"/staff/reports/{SLUG}/public-results", data={"public_results": "on"})
    assert reply.status_code in (302, 400)
