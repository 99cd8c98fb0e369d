"""A parent completes Family Voices on a phone, in Spanish, in Arabic (right to left) and in Hmong."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# A comment in the family's own language, with the direction the browser should give it.
COMMENTS = {
    "es": "Más intérpretes en las reuniones, por favor.",
    "ar": "نريد مترجمين في اجتماعات المدرسة من فضلكم.",
    "hmn": "Thov muab neeg txhais lus rau cov rooj sib tham.",
}


@pytest.mark.parametrize("lang", ["es", "ar", "hmn"])
def test_parent_completes_survey_in_language(lang, phone, walk, screenshots, new_response, live_server):
    walk.open(phone, lang, "&ref=mira")
    html = phone.locator("html")
    assert html.get_attribute("lang") == lang
    assert html.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    screenshots.take(phone, "start")
    walk.start(phone)

    def mirrored_in_rtl(page):
        # The tick box sits at the start of the line: on the right when the page reads right to left.
        first = page.locator(".choice").first
        if first.count():
            box = first.locator("input").bounding_box()
            label = first.locator("label").bounding_box()
            assert (box["x"] > label["x"]) == (lang == "ar")

    pages = walk.complete(phone, screenshots, answers={**walk.answers, "one_change": COMMENTS[lang]},
                          each_page=mirrored_in_rtl)
    screenshots.take(phone, "thanks")
    assert pages == 5
    assert phone.locator("h1").inner_text().strip()
    stored = new_response()
    assert stored["language"] == lang
    assert stored["partner"] == "mira"
    assert stored["answers"]["state"] == ["MN"]
    assert sorted(stored["answers"]["top_issues"]) == ["family_engagement", "language_access", "newcomers"]
    assert stored["answers"]["one_change"] == [COMMENTS[lang]]
