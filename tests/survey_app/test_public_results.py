"""The families' results page: off by default (404), switched on by staff, aggregates only,
small groups suppressed, in every survey language, cached until new responses arrive."""
from __future__ import annotations

import time
from datetime import datetime

import pytest
from sqlalchemy import select

from survey_app import surveys
from survey_app.reporting import snapshots
from survey_app.i18n.locale import LANGUAGES
from survey_app.extensions import db
from survey_app.models import AuditEvent, Survey
from tests.conftest import FULL_ANSWERS, Respondent, csrf_token
from tests.survey_app.report_fixtures import SLUG, add_responses


def switch(client, on: bool):
    page = client.get(f"/staff/reports/{SLUG}")
    return client.post(f"/staff/reports/{SLUG}/public-results",
                       data={"csrf_token": csrf_token(page.text), "public_results": "on" if on else "off"})


@pytest.fixture
def published(app, staff):
    assert switch(staff, True).status_code == 302
    # Wait for each new read, so that a page shows the responses as soon as it checks for them.
    app.config["REPORTS_REFRESH_IN_BACKGROUND"] = False
    return app.test_client()


def test_public_results_404_while_switched_off(app, campaign):
    visitor = app.test_client()
    assert visitor.get(f"/s/{SLUG}/results").status_code == 404
    assert visitor.get(f"/s/{SLUG}/results/MN").status_code == 404


def test_public_results_switch_is_recorded(app, staff):
    switch(staff, True)
    assert db.session.scalar(select(Survey.public_results).where(Survey.slug == SLUG)) is True
    assert "Published: families see the top issues" in staff.get(f"/staff/reports/{SLUG}").text
    switch(staff, False)
    assert db.session.scalar(select(Survey.public_results).where(Survey.slug == SLUG)) is False
    assert app.test_client().get(f"/s/{SLUG}/results/MN").status_code == 404
    events = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "public_results")).all()
    assert events == [{"survey": SLUG, "published": True}, {"survey": SLUG, "published": False}]


def test_public_results_state_page_shows_aggregates(published):
    html = published.get(f"/s/{SLUG}/results/MN?lang=en").text
    assert "What families in Minnesota have said so far" in html
    assert "12 people answered between October 5, 2026 and October 5, 2026." in html
    assert "Safety at school, including fear of immigration enforcement</th><td>92%</td>" in html
    assert "Interpreters and school information in my language</th><td>83%</td>" in html
    assert "Mental health" not in html
    assert "issues that only a few people chose are not shown" in html
    assert "Más intérpretes" not in html and "script" not in html.split("</head>")[1]


def test_public_results_suppressed_state_shows_no_number(published):
    html = published.get(f"/s/{SLUG}/results/TN?lang=en").text
    assert "Not enough people in Tennessee have answered yet" in html
    main = html[html.index("<main"):html.index("</main>")]
    assert "%" not in main and "4 people" not in main and "October" not in main


def test_public_results_index_links_every_state(published):
    html = published.get(f"/s/{SLUG}/results?lang=en").text
    for code, name in (("MN", "Minnesota"), ("TN", "Tennessee"), ("other", "")):
        assert f'href="/s/{SLUG}/results/{code}"' in html and name in html
    assert published.get(f"/s/{SLUG}/results/ZZ").status_code == 404


def test_public_results_in_every_survey_language(app, published, monkeypatch):
    # Offered whatever the state of the interface catalogs while translators are at work.
    monkeypatch.setitem(app.extensions, "survey_languages", ("en", "es", "ar", "zh-Hans", "hmn"))
    offered = surveys.offered_languages(surveys.find_survey(SLUG), surveys.newest_version(SLUG))
    assert {"es", "ar", "zh-Hans", "hmn"} <= set(offered)
    for code in offered:
        page = published.get(f"/s/{SLUG}/results/MN?lang={code}")
        assert page.status_code == 200
        assert f'<html lang="{code}"' in page.text
    arabic = published.get(f"/s/{SLUG}/results/MN?lang=ar").text
    assert 'dir="rtl"' in arabic
    spanish = published.get(f"/s/{SLUG}/results/MN?lang=es").text
    assert "Minnesota" in spanish and "92" in spanish


def test_public_results_cached_until_the_count_is_checked_again(app, published, monkeypatch):
    clock = [time.monotonic()]
    monkeypatch.setattr(snapshots.time, "monotonic", lambda: clock[0])
    assert "12 people answered" in published.get(f"/s/{SLUG}/results/MN?lang=en").text
    with app.app_context():
        add_responses("MN", 3, ["safety"], day=datetime(2026, 10, 6))
    assert "12 people answered" in published.get(f"/s/{SLUG}/results/MN?lang=en").text
    clock[0] += app.config["PUBLIC_RESULTS_MAX_AGE"] + 1
    html = published.get(f"/s/{SLUG}/results/MN?lang=en").text
    assert "15 people answered between October 5, 2026 and October 6, 2026." in html


def test_public_results_max_age_zero_checks_every_time(app, published):
    app.config["PUBLIC_RESULTS_MAX_AGE"] = 0
    published.get(f"/s/{SLUG}/results/MN?lang=en")
    with app.app_context():
        add_responses("MN", 1, ["safety"], day=datetime(2026, 10, 6))
    assert "13 people answered" in published.get(f"/s/{SLUG}/results/MN?lang=en").text


def test_public_results_linked_from_thank_you_page_only_when_on(app, staff):
    def finish() -> str:
        respondent = Respondent(app.test_client())
        respondent.start("?lang=en")
        for answers in FULL_ANSWERS:
            respondent.answer(**answers)
        assert respondent.path.endswith("/thanks")
        return respondent.page.text

    assert f'href="/s/{SLUG}/results"' not in finish()
    switch(staff, True)
    assert f'href="/s/{SLUG}/results"' in finish()


@pytest.mark.parametrize("language", [language.code for language in LANGUAGES])
def test_public_results_long_first_read_shows_a_translated_page_that_reloads(published, held_first_read, language):
    page = published.get(f"/s/{SLUG}/results/MN?lang={language}")
    assert page.status_code == 503 and page.headers["Refresh"] == "5"
    assert f'<html lang="{language}"' in page.text
    if language != "en":
        assert "The results are being counted" not in page.text
        assert "reload by itself" not in page.text
    held_first_read()
    assert published.get(f"/s/{SLUG}/results/MN?lang={language}").status_code == 200
