"""Pictures on a 360 px phone: above the question and in each answer, and with the welcome and
thank-you texts, drawn at their reserved size, inside the screen, and passed over by screen readers
(the text beside each says what it shows)."""
from __future__ import annotations

import pytest

from tests.media_surveys import LUNCH_FILES, PARK_FILES, lunch_zip, park_folder

pytestmark = pytest.mark.browser

PICTURES = """() => Array.from(document.querySelectorAll('img.picture')).map(i => {
  const r = i.getBoundingClientRect();
  return {alt: i.getAttribute('alt'), left: r.left, right: r.right, width: r.width, height: r.height,
          loaded: i.complete && i.naturalWidth > 0};
})"""


@pytest.fixture(scope="module")
def picture_survey(live_server, tmp_path_factory):
    archive = tmp_path_factory.mktemp("image-form") / "school-lunch.zip"
    archive.write_bytes(lunch_zip(LUNCH_FILES))
    live_server.flask("load-survey", str(archive))
    live_server.flask("publish-survey", "school-lunch")
    return "school-lunch"


@pytest.fixture(scope="module")
def text_picture_survey(live_server, tmp_path_factory):
    folder = park_folder(tmp_path_factory.mktemp("text-pictures") / "park-day", PARK_FILES)
    live_server.flask("load-survey", str(folder))
    live_server.flask("publish-survey", "park-day")
    return "park-day"


def fits(phone) -> list[dict]:
    """The pictures shown, each checked to be loaded, inside the screen and without alternative text."""
    phone.evaluate("() => Promise.all(Array.from(document.images).map(i => i.decode().catch(() => null)))")
    pictures = phone.evaluate(PICTURES)
    width = phone.evaluate("window.innerWidth")
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    for picture in pictures:
        assert picture["alt"] == "" and picture["loaded"], picture
        assert picture["left"] >= 0 and picture["right"] <= width and picture["width"] > 40, picture
    return pictures


def test_browser_images_welcome_and_thanks_pictures_fit_a_phone(phone, live_server, text_picture_survey):
    phone.goto(live_server.url(f"/s/{text_picture_survey}?lang=hmn"))
    welcome = fits(phone)
    # The Hmong welcome picture is 2:3, kept at its shape however the phone scales it.
    assert len(welcome) == 1 and welcome[0]["width"] / welcome[0]["height"] == pytest.approx(533 / 800, rel=0.02)
    with phone.expect_navigation():
        phone.locator("form[action$='/start'] button[type=submit]").click()
    phone.locator("textarea[name='why']").fill("Shade.")
    with phone.expect_navigation():
        phone.locator("button[name=action][value=next]").click()
    assert phone.url.endswith("/thanks")
    thanks = fits(phone)
    assert len(thanks) == 1 and thanks[0]["width"] / thanks[0]["height"] == pytest.approx(4 / 3, rel=0.02)


@pytest.mark.parametrize("lang", ["en", "hmn"])
def test_browser_images_fit_a_phone_and_keep_their_shape(lang, phone, live_server, picture_survey):
    phone.goto(live_server.url(f"/s/{picture_survey}?lang={lang}"))
    with phone.expect_navigation():
        phone.locator("form[action$='/start'] button[type=submit]").click()
    pictures = fits(phone)
    assert len(pictures) == 3
    # The question's picture keeps its shape: 4:3 in English, 2:3 in Hmong.
    ratio = pictures[0]["width"] / pictures[0]["height"]
    assert ratio == pytest.approx(4 / 3 if lang == "en" else 533 / 800, rel=0.02)
