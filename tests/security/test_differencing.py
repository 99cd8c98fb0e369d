"""Differencing: two date ranges on the partner overview that differ by one family must
not show that family's answers. Every range a partner can ask for is widened to
boundaries between which each state has no responses or at least MIN_GROUP_SIZE."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from itertools import combinations

import pytest

from tests.conftest import PASSWORD, csrf_token
from tests.survey_app.report_fixtures import SLUG, add_responses

MIN_N = 10
NY_ROW = re.compile(r'<th scope="row">(?:<a [^>]*>)?New York(?:</a>)?</th>\s*<td class="numeric">([^<]*)</td>')
ALL_ROW = re.compile(r'<th scope="row">(?:<a [^>]*>)?All states(?:</a>)?</th>\s*<td class="numeric">([^<]*)</td>')
TOTAL = re.compile(r"Responses in these dates: ([\d,]+)\.")


# A Monday seven weeks ago: the campaign is over, and its weeks with it.
MONDAY = date.today() - timedelta(days=date.today().weekday() + 49)


def day(offset: int, hour: int = 9) -> datetime:
    return datetime.combine(MONDAY + timedelta(days=offset), datetime.min.time()).replace(hour=hour)


@pytest.fixture
def campaign(app, users):
    """New York: 47 families in one week, then one family alone (who chose safety and mental
    health, which nobody else in New York did), then a busy week later on."""
    add_responses("MN", 15, ["language_access", "safety"], day=day(1))
    add_responses("NY", 47, ["language_access", "bilingual_programs"], day=day(8))
    add_responses("NY", 1, ["safety", "mental_health"], day=day(14))
    add_responses("WA", 3, ["language_access", "safety"], day=day(15))
    add_responses("NY", 12, ["language_access", "bilingual_programs"], day=day(28))
    add_responses("MN", 10, ["language_access", "safety"], day=day(28, 10))
    add_responses("WA", 7, ["language_access", "safety"], day=day(29))


def logged_in(app, email: str):
    browser = app.test_client()
    page = browser.get("/login")
    browser.post("/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD})
    return browser


def figures(page_text: str) -> tuple[str, str, str]:
    """New York's respondents, everyone's, and the responses in the dates ("" when not shown)."""
    found = [pattern.search(page_text) for pattern in (NY_ROW, ALL_ROW, TOTAL)]
    return tuple(match.group(1) if match else "" for match in found)


def test_differencing_attack_of_the_report_reveals_nothing(app, campaign):
    partner = logged_in(app, "mira@example.org")
    # The outside test's attack: "to Saturday" and "to the Wednesday after" (there 24 and 28 October).
    before = partner.get(f"/partner/overview/{SLUG}?end={MONDAY + timedelta(days=12)}")
    after = partner.get(f"/partner/overview/{SLUG}?end={MONDAY + timedelta(days=16)}")
    assert before.status_code == after.status_code == 200
    ny_before, _, _ = figures(before.text)
    ny_after, _, _ = figures(after.text)
    assert ny_before != "48" and ny_after != "48"
    assert ny_before == ny_after or abs(int(ny_after) - int(ny_before)) >= MIN_N
    assert "These figures are for responses" in after.text


def test_differencing_no_two_partner_ranges_differ_by_a_few_families(app, campaign):
    """Every start and end a partner could type, from before the first response to after
    the last: every count seen moves by nothing or by at least the minimum."""
    partner = logged_in(app, "mira@example.org")
    days = [MONDAY - timedelta(days=7) + timedelta(days=n) for n in range(0, 50, 3)]
    queries = [f"end={day}" for day in days] + [f"start={day}" for day in days] + [""]
    queries += [f"start={a}&end={b}" for a, b in combinations(days[::3], 2)]
    seen = {"ny": set(), "all": set(), "total": set()}
    for query in queries:
        ny, everyone, total = figures(partner.get(f"/partner/overview/{SLUG}?{query}").text)
        for name, value in (("ny", ny), ("all", everyone), ("total", total)):
            if value.replace(",", "").isdigit():
                seen[name].add(int(value.replace(",", "")))
    assert len(seen["total"]) > 2  # the filters really do filter
    for name, counts in seen.items():
        small = [(a, b) for a, b in combinations(sorted(counts), 2) if b - a < MIN_N]
        assert not small, (name, sorted(counts))


def test_differencing_staff_ranges_stay_exact(app, campaign):
    """Staff read every response in the exports; their report keeps the exact dates."""
    staff = logged_in(app, "staff@example.org")
    ny, _, _ = figures(staff.get(f"/staff/reports/{SLUG}?end={MONDAY + timedelta(days=16)}").text)
    assert ny == "48"
