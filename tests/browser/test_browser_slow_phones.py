"""What a family on a cheap phone meets: switching language keeps the ticks, "Which state?"
appears only after "Another state", "Continue" goes where they stopped, Back after the
thank-you page shows it again, optional questions say so. With JavaScript on and off."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

SLUG = "family-voices"


def path_of(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def next_page(page) -> None:
    with page.expect_navigation():
        page.locator("button[name=action][value=next]").click()


def tick(page, name: str, value: str) -> None:
    choice = page.locator(f"input[name='{name}'][value='{value}']")
    page.locator(f"label[for='{choice.get_attribute('id')}']").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_browser_language_menu_keeps_the_ticks_on_the_page(javascript, new_context, walk, screenshots):
    page = new_context(java_script_enabled=javascript).new_page()
    walk.open(page, "en")
    walk.start(page)
    walk.answer(page, {"role": "parent", "state": "MN"})
    next_page(page)
    assert path_of(page) == f"/s/{SLUG}/2"
    tick(page, "grade_bands", "k5")
    tick(page, "grade_bands", "g9_12")
    page.locator("details.languages summary").click()
    screenshots.take(page, "menu-open")
    with page.expect_navigation():
        page.locator("button[name=switch_language][value=so]").click()
    screenshots.take(page, "somali")
    assert page.locator("html").get_attribute("lang") == "so"
    assert path_of(page) == f"/s/{SLUG}/2"
    assert page.locator("input[name=grade_bands][value=k5]").is_checked()
    assert page.locator("input[name=grade_bands][value=g9_12]").is_checked()
    assert not page.locator("input[name=grade_bands][value=prek]").is_checked()
    assert page.locator(".error-summary").count() == 0


def test_browser_follow_up_revealed_on_the_same_page_with_javascript(phone, walk, screenshots, new_response):
    walk.open(phone, "en")
    walk.start(phone)
    box = phone.locator("textarea[name=state_other]")
    assert not box.is_visible()
    tick(phone, "role", "community")
    tick(phone, "state", "other")
    assert box.is_visible() and box.is_enabled()
    assert phone.locator("input[name=state][value=other]").get_attribute("aria-controls") == "follow-up-state_other"
    screenshots.take(phone, "revealed")
    tick(phone, "state", "WA")
    assert not box.is_visible()
    tick(phone, "state", "other")
    box.fill("Oregon")
    next_page(phone)
    assert path_of(phone) == f"/s/{SLUG}/3"  # on to the next part: community members skip the children's
    walk.complete(phone)
    stored = new_response()
    assert stored["answers"]["state_other"] == ["Oregon"]


def test_browser_follow_up_asked_on_the_following_page_without_javascript(new_context, walk, screenshots,
                                                                           new_response):
    page = new_context(java_script_enabled=False).new_page()
    walk.open(page, "ar")
    walk.start(page)
    assert not page.locator("textarea[name=state_other]").is_visible()
    tick(page, "role", "community")
    tick(page, "state", "other")
    assert not page.locator("textarea[name=state_other]").is_visible()
    next_page(page)
    screenshots.take(page, "which-state")
    assert path_of(page) == f"/s/{SLUG}/1"
    assert page.locator("textarea[name=state_other]").is_visible()
    assert page.locator("input[type=radio]").count() == 0  # only the question that now applies
    assert page.locator(".error-summary").count() == 0
    page.locator("textarea[name=state_other]").fill("Oregon")
    next_page(page)
    assert path_of(page) == f"/s/{SLUG}/3"
    walk.complete(page)
    stored = new_response()
    assert stored["answers"]["state_other"] == ["Oregon"] and stored["answers"]["state"] == ["other"]


def test_browser_continue_where_i_stopped_opens_the_page_left(phone, walk, screenshots):
    walk.open(phone, "so")
    walk.start(phone)
    for _ in range(3):
        walk.answer(phone)
        next_page(phone)
    assert path_of(phone) == f"/s/{SLUG}/4"
    walk.open(phone, "so")  # the family comes back later, from the same link
    screenshots.take(phone, "welcome-back")
    walk.start(phone)
    assert path_of(phone) == f"/s/{SLUG}/4"


def test_browser_back_after_thanks_shows_thanks_again(phone, walk, screenshots):
    walk.open(phone, "es")
    walk.start(phone)
    walk.complete(phone)
    phone.go_back()
    screenshots.take(phone, "back-after-thanks")
    assert walk.on_thanks(phone)
    assert phone.locator(".panel-confirmation").is_visible()
    with phone.expect_navigation():
        phone.locator("form[action$='/again'] button").click()
    assert path_of(phone) == f"/s/{SLUG}"


def test_browser_optional_questions_say_so(phone, walk):
    walk.open(phone, "so")
    walk.start(phone)
    walk.answer(phone, {"role": "parent", "state": "MN"})
    next_page(phone)
    legends = phone.locator("legend").all_inner_texts()
    assert any(text.endswith("(ikhtiyaari)") for text in legends)  # "Is your child learning English...?"
    assert sum(text.endswith("(ikhtiyaari)") for text in legends) == 1  # the grades are required


def test_browser_kiosk_keeps_the_language_for_the_next_person(new_context, logged_in, live_server, walk,
                                                               screenshots, new_response):
    page = new_context().new_page()
    logged_in(page, "partner")
    page.goto(live_server.url(f"/partner/surveys/{SLUG}/kiosk"))
    with page.expect_navigation():
        page.locator(f"form[action$='/surveys/{SLUG}/kiosk'] button").click()
    page.locator("details.languages summary").click()
    with page.expect_navigation():
        page.locator("a[lang=so]").click()  # the partner sets the meeting's language
    walk.start(page)
    walk.complete(page)
    assert new_response()["language"] == "so"
    # The thank-you page goes back to the start by itself (a Refresh header) for the next family.
    page.wait_for_url(re.compile(rf"/s/{SLUG}$"), timeout=20_000)
    screenshots.take(page, "next-person")
    assert page.locator("html").get_attribute("lang") == "so"
    assert page.locator("form[action$='/start'] button").count() == 1
