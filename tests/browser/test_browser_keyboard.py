"""The whole survey with the keyboard alone, the focus always visible, and errors both
summarised at the top and shown next to their fields."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '', value: el.value || '',
          checked: !!el.checked, id: el.id, text: (el.innerText || '').trim().slice(0, 40),
          ring: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none',
          onScreen: r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth};
}"""


class Keyboard:
    """Tabs through a page and answers what it reaches: Space ticks, arrows move within a
    group of radio buttons, typing fills a text box, Enter on the main button sends."""

    def __init__(self, page) -> None:
        self.page = page
        self.unseen_focus: list[dict] = []

    def focused(self) -> dict:
        element = self.page.evaluate(FOCUSED)
        if not (element["ring"] and element["onScreen"]):
            self.unseen_focus.append(element)
        return element

    def tab_to(self, matches, limit: int = 80) -> dict:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            element = self.focused()
            if matches(element):
                return element
        raise AssertionError("Tab never reached the element")

    def answer_page(self, answers: dict) -> None:
        for _ in range(120):
            self.page.keyboard.press("Tab")
            element = self.focused()
            if element["tag"] == "button" and element["value"] == "next":
                self.press_and_wait("Enter")
                return
            wanted = answers.get(element["name"])
            if wanted is None:
                continue
            if element["type"] == "radio":
                self.choose_radio(element, wanted)
            elif element["type"] == "checkbox":
                if (element["value"] in wanted) != element["checked"]:
                    self.page.keyboard.press("Space")
            elif element["tag"] in {"textarea", "input"} and not element["value"]:
                self.page.keyboard.type(wanted)
        raise AssertionError("Tab never reached the page's main button")

    def press_and_wait(self, key: str) -> None:
        """Presses a key that sends the form, and waits for the page that answers."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def choose_radio(self, element: dict, wanted: str) -> None:
        if element["value"] == wanted:
            if not element["checked"]:
                self.page.keyboard.press("Space")
            return
        for _ in range(20):
            self.page.keyboard.press("ArrowDown")
            element = self.focused()
            if element["value"] == wanted:
                assert element["checked"], "the arrow key moved to the radio button without choosing it"
                return
        raise AssertionError(f"the arrow keys never reached {wanted}")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_keyboard_alone_completes_survey(lang, phone, walk, screenshots, new_response):
    keys = Keyboard(phone)
    walk.open(phone, lang)
    skip_link = keys.tab_to(lambda element: True)
    assert skip_link["tag"] == "a" and skip_link["onScreen"], "the first Tab shows the skip link"
    keys.tab_to(lambda element: element["tag"] == "button")
    screenshots.take(phone, "start-button-focused")
    keys.press_and_wait("Enter")
    answers = {**walk.answers, "one_change": "Keyboard only."}
    for number in range(1, 8):
        if walk.on_thanks(phone):
            break
        keys.answer_page(answers)
        screenshots.take(phone, f"after-page-{number}")
    assert walk.on_thanks(phone)
    assert not keys.unseen_focus, f"focus without a visible ring, or off screen: {keys.unseen_focus}"
    stored = new_response()
    assert stored["language"] == lang
    assert stored["answers"]["one_change"] == ["Keyboard only."]
    assert sorted(stored["answers"]["home_languages"]) == ["en", "hmn"]


def test_errors_summarised_at_top_and_next_to_fields(phone, walk, screenshots):
    keys = Keyboard(phone)
    walk.open(phone, "en")
    walk.start(phone)
    keys.tab_to(lambda element: element["tag"] == "button" and element["value"] == "next")
    keys.press_and_wait("Enter")
    screenshots.take(phone, "errors")

    assert phone.title().startswith("Error:")
    summary = phone.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    # Focus goes to the summary as the page loads, so a screen reader reads it first.
    assert phone.evaluate("document.activeElement.classList.contains('error-summary')")
    assert keys.focused()["ring"], "the focused summary shows a focus ring"
    assert summary.bounding_box()["y"] < phone.locator("h1").bounding_box()["y"]

    links = summary.locator("a")
    assert links.count() == 2
    for index, name in enumerate(["role", "state"]):
        link = links.nth(index)
        assert link.get_attribute("href") == f"#{name}-0"
        group = phone.locator(f".form-group:has(#{name}-0)")
        assert "form-group-error" in group.get_attribute("class")
        message = group.locator(f"#{name}-error")
        assert message.inner_text().removeprefix("Error:").strip() == link.inner_text().strip()
        assert f"{name}-error" in group.locator("fieldset").get_attribute("aria-describedby").split()

    # Following a summary link with the keyboard lands on the first answer of that question,
    # with the question itself still in sight.
    keys.tab_to(lambda element: element["tag"] == "a" and element["text"] == links.nth(1).inner_text().strip())
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "state-0"
    question = phone.locator(".form-group:has(#state-0) legend").bounding_box()
    assert question["y"] >= 0, "the question is scrolled out of sight above its first answer"
    screenshots.take(phone, "error-link-followed", full_page=False)
