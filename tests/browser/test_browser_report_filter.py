"""Staff filter a report on a phone with JavaScript switched off: the filter is a plain form
(GET), its boxes and headings are at least 44 x 44 CSS pixels, and nothing scrolls sideways at
360 pixels wide."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

SLUG = "family-voices"
TARGETS = """
() => [...document.querySelectorAll('.answer-filter summary, .answer-filter .choice-input, .date-filter button')]
  .filter(element => element.offsetParent !== null)
  .map(element => { const box = element.getBoundingClientRect();
                    return {what: element.outerHTML.slice(0, 80), width: box.width, height: box.height}; })
"""


def test_report_filter_works_without_javascript_on_a_phone(new_context, logged_in, screenshots, live_server):
    page = new_context(java_script_enabled=False).new_page()
    logged_in(page, "staff")
    page.goto(live_server.url(f"/staff/reports/{SLUG}"))
    page.locator("summary", has_text="Only the families who gave chosen answers").click()
    page.locator(".filter-question summary", has_text="How they answered").click()
    page.get_by_label("Online link").check()
    screenshots.take(page, "filter-open")
    small = [target for target in page.evaluate(TARGETS) if target["width"] < 44 or target["height"] < 44]
    assert not small, f"targets smaller than 44 x 44: {small}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    with page.expect_navigation():
        page.get_by_role("button", name="Show these figures").click()
    assert parse_qs(urlsplit(page.url).query)["f.channel"] == ["web"]
    assert page.get_by_text("Only the families who gave these answers:").is_visible()
    assert page.get_by_label("Online link").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshots.take(page, "filtered")
    # A state's report from the filtered overview keeps the filter.
    with page.expect_navigation():
        page.locator("table a").first.click()
    assert parse_qs(urlsplit(page.url).query)["f.channel"] == ["web"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
