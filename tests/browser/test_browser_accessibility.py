"""Every public page in every language, as a phone shows it: no serious or critical axe-core
violation, every tap target at least 44 x 44 CSS pixels, and no sideways scrolling at 200% zoom."""
from __future__ import annotations

import pytest

from survey_app.i18n import locale

pytestmark = pytest.mark.browser

# 200% zoom on a 360-pixel-wide phone leaves 180 CSS pixels: the same layout as zooming.
ZOOMED = {"width": 180, "height": 320}
PHONE = {"width": 360, "height": 640}

# Everything a finger can tap. A text field's own label is left out: the field itself, the
# full width of the page, is what a finger taps.
SMALL_TARGETS = """() => {
  const small = [];
  const textField = l => l.control && !['radio', 'checkbox'].includes(l.control.type);
  const tappable = 'a[href], button, input:not([type=hidden]), textarea, select, summary, label';
  for (const el of document.querySelectorAll(tappable)) {
    if (el.tagName === 'LABEL' && textField(el)) continue;
    const r = el.getBoundingClientRect();
    if (!el.checkVisibility() || r.width === 0 || r.height === 0) continue;
    // The skip link waits off-screen, past the start of the line, until it has focus.
    if (r.right <= 0 || r.bottom <= 0 || r.left >= document.documentElement.clientWidth) continue;
    if (r.width < 44 || r.height < 44)
      small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name).trim().slice(0, 40)}" `
                 + `${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return small;
}"""

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


class PageChecks:
    """Runs the three checks on each page of a walk and keeps what fails, by page."""

    def __init__(self, axe) -> None:
        self.axe = axe
        self.violations: dict[str, list] = {}
        self.small: dict[str, list] = {}
        self.overflow: dict[str, int] = {}
        self.pages: list[str] = []

    def check(self, page, name: str) -> None:
        self.pages.append(name)
        if found := self.axe.serious(page):
            self.violations[name] = found
        if found := page.evaluate(SMALL_TARGETS):
            self.small[name] = found
        page.set_viewport_size(ZOOMED)
        if (extra := page.evaluate(OVERFLOW)) > 0:
            self.overflow[name] = extra
        page.set_viewport_size(PHONE)

    def assert_clean(self) -> None:
        assert not self.violations, f"axe-core serious/critical violations: {self.violations}"
        assert not self.small, f"tap targets smaller than 44x44 CSS px: {self.small}"
        assert not self.overflow, f"pages scrolling sideways at 200% zoom (extra CSS px): {self.overflow}"


@pytest.mark.parametrize("lang", [language.code for language in locale.LANGUAGES])
def test_public_pages_accessible_in_language(lang, new_context, walk, axe, live_server, figures):
    if lang not in live_server.app.extensions["survey_languages"]:
        pytest.skip(f"{lang} is not offered: its interface catalog is incomplete")
    # No screenshots here, so no need for a sharp screen: CSS pixels are the same at any density.
    phone = new_context(device_scale_factor=1).new_page()
    axe.install(phone.context)
    checks = PageChecks(axe)
    walk.open(phone, lang)
    assert phone.locator("html").get_attribute("lang") == lang
    checks.check(phone, "start")
    phone.locator("details.languages summary").click()
    checks.check(phone, "start, language menu open")
    walk.start(phone)
    walk.next(phone)  # nothing chosen: the page comes back with its errors
    assert phone.locator(".error-summary").count() == 1
    checks.check(phone, "page 1 with errors")
    walk.complete(phone, each_page=lambda page: checks.check(page, "page " + page.url.rsplit("/", 1)[-1]),
                  at_once=True)
    checks.check(phone, "thanks")
    phone.goto(live_server.url(f"/privacy?lang={lang}"))
    checks.check(phone, "privacy")
    phone.goto(live_server.url(f"/login?lang={lang}"))
    checks.check(phone, "log-in")
    figures.setdefault("public_pages_checked", {})[lang] = checks.pages
    checks.assert_clean()


def test_axe_finds_a_known_violation(phone, axe):
    """The harness itself: a page with an unlabelled field and an image without text fails."""
    phone.set_content('<html lang="en"><title>t</title><main><img src="data:,"><input></main></html>')
    assert {violation["id"] for violation in axe.serious(phone)} >= {"image-alt", "label"}
