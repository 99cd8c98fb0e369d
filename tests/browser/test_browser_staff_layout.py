"""Every staff, partner and translation review page, on a phone (360 x 640) and a desktop (1280 x 800), in English and
in Arabic (right to left): no sideways scrolling, no serious or critical axe-core violation, every
tap target at least 44 x 44 CSS pixels (links inside a sentence aside, as WCAG 2.5.8 allows), and a
screenshot of each. In Arabic, codes, numbers, dates and addresses are isolated, so that they read
left to right and do not carry the sentence's punctuation across."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import page_urls

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 360, "height": 640}, "desktop": {"width": 1280, "height": 800}}

SMALL_TARGETS = """() => {
  const small = [];
  const textField = l => l.control && !['radio', 'checkbox'].includes(l.control.type);
  // A link inside a sentence: its paragraph or list item has words of its own around it.
  const inSentence = el => {
    const block = el.closest('p, li, dd, td, figcaption');
    if (!block || el.tagName !== 'A') return false;
    const own = [...block.childNodes].filter(n => n !== el && !n.contains?.(el))
      .map(n => n.textContent).join('').trim();
    return own.length > 1;
  };
  const tappable = 'a[href], button, input:not([type=hidden]), textarea, select, summary, label';
  for (const el of document.querySelectorAll(tappable)) {
    if (el.tagName === 'LABEL' && textField(el)) continue;
    if (el.closest('.visually-hidden, .skip-link') || inSentence(el)) continue;
    const r = el.getBoundingClientRect();
    if (!el.checkVisibility() || r.width === 0 || r.height === 0) continue;
    if (r.width < 44 || r.height < 44)
      small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || '').trim().slice(0, 40)}" `
                 + `${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return small;
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Content past either edge of the screen and outside any scrolling region: on a right-to-left page
# it passes the left edge, where the page cannot scroll to it, so OVERFLOW alone would not see it.
CUT_OFF = """() => {
  const width = document.documentElement.clientWidth;
  const inScroller = el => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement)
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(up).overflowX)) return true;
    return false;
  };
  const cut = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.visually-hidden, .skip-link, .trap') || !el.checkVisibility()) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || (r.left >= -1 && r.right <= width + 1) || inScroller(el)) continue;
    cut.push(`${el.tagName.toLowerCase()} "${(el.innerText || '').trim().slice(0, 30)}"`);
  }
  return cut.slice(0, 8);
}"""
# Left-to-right values inside right-to-left text: each must be an isolate (`<bdi>`, `dir`, or CSS
# `unicode-bidi: isolate`), and codes, addresses and dates must also run left to right.
NOT_ISOLATED = """() => {
  const inline = 'code, kbd, samp, time, .numeric';
  const ltr = 'code, kbd, samp, time, input[type=email], input[type=url], input[type=date], input[name=code], '
            + 'input[pattern]';
  const isolated = el => ['isolate', 'isolate-override', 'plaintext'].includes(getComputedStyle(el).unicodeBidi)
                         || (el.parentElement && el.parentElement.closest('bdi, [dir]') !== document.documentElement);
  const found = [];
  for (const el of document.querySelectorAll(`${inline}, ${ltr}`)) {
    if (!el.checkVisibility() || el.closest('.visually-hidden')) continue;
    const wrong = [];
    if (el.matches(inline) && !isolated(el)) wrong.push('not isolated');
    if (el.matches(ltr) && getComputedStyle(el).direction !== 'ltr') wrong.push('not left to right');
    if (wrong.length) found.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name).trim().slice(0, 30)}": `
                                 + wrong.join(', '));
  }
  return [...new Set(found)].slice(0, 12);
}"""


# A flyer and a paper form are in the language families read them in.
IN_A_FAMILY_LANGUAGE = ("/flyer/", "/paper/")


def choose_page_language(page, code: str) -> None:
    """As a user does: the menu at the top of every staff and partner page."""
    menu = page.locator("details.languages")
    menu.locator("summary").click()
    with page.expect_navigation():
        menu.locator(f"button[value='{code}']").click()
    assert page.locator("html").get_attribute("lang") == code


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("role, prefix", [("admin", ("staff.", "review.")), ("partner", ("partner.",))],
                         ids=["admin", "partner"])
def test_staff_partner_pages_fit_the_screen(role, prefix, viewport, language, new_context, logged_in, axe,
                                            screenshots, live_server, figures):
    page = new_context(viewport=VIEWPORTS[viewport], is_mobile=viewport == "phone",
                       has_touch=viewport == "phone", device_scale_factor=1).new_page()
    axe.install(page.context)
    if language == "en":
        logged_in(page, role)
    else:
        logged_in(page, f"{role} {language}")
        choose_page_language(page, language)
    direction = "rtl" if language == "ar" else "ltr"
    urls, _left_out = page_urls(live_server, prefix)
    problems: dict[str, dict[str, object]] = {}
    checked = []
    for path in urls:
        probe = page.request.get(live_server.url(path), max_redirects=0)
        if probe.status != 200 or "text/html" not in probe.headers.get("content-type", ""):
            continue
        page.goto(live_server.url(path))
        page.wait_for_load_state("load")
        checked.append(path)
        screenshots.take(page, re.sub(r"[^A-Za-z0-9]+", "_", path.strip("/")) or "home")
        found: dict[str, object] = {}
        opened_in = (page.locator("html").get_attribute("lang"), page.locator("html").get_attribute("dir"))
        if opened_in != (language, direction) and not any(part in path for part in IN_A_FAMILY_LANGUAGE):
            found["language"] = opened_in
        if direction == "rtl" and (values := page.evaluate(NOT_ISOLATED)):
            found["values not isolated"] = values
        if cut := page.evaluate(CUT_OFF):
            found["cut off at the edge"] = cut
        if (extra := page.evaluate(OVERFLOW)) > 0:
            found["scrolls sideways by (px)"] = extra
        if small := page.evaluate(SMALL_TARGETS):
            found["targets under 44 px"] = small
        if violations := axe.serious(page):
            found["axe"] = violations
        if found:
            problems[path] = found
    assert len(checked) >= 3, f"too few pages opened: {checked}"
    figures.setdefault("staff_partner_pages_checked", {})[f"{role} {viewport} {language}"] = len(checked)
    assert not problems, "\n".join(f"{path}: {found}" for path, found in problems.items())


def test_staff_pages_keep_their_language_after_a_survey_link_in_arabic(phone, logged_in, screenshots, live_server):
    logged_in(phone, "staff")
    phone.goto(live_server.url("/s/family-voices?lang=ar"))
    assert phone.locator("html").get_attribute("dir") == "rtl"
    phone.goto(live_server.url("/staff/reports/family-voices/MN"))
    assert urlsplit(phone.url).path == "/staff/reports/family-voices/MN"
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("html").get_attribute("dir") == "ltr"
    assert phone.evaluate(OVERFLOW) <= 0
    screenshots.take(phone, "report-after-arabic-survey")


def test_partner_links_have_a_copy_button(phone, logged_in, screenshots, live_server):
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"])
    logged_in(phone, "partner")
    cards = phone.locator("li.link-card")
    assert cards.count() > 1
    button = cards.first.locator("button.copy-button")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    button.click()
    expected = cards.first.locator("code[data-copy]").get_attribute("data-copy")
    assert phone.evaluate("navigator.clipboard.readText()") == expected
    assert cards.first.locator(".copy-status").inner_text().strip()
    screenshots.take(phone, "partner-links-phone")
