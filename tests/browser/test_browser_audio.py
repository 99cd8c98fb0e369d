"""Recordings on a phone, in Hmong and in Arabic: each player is reached with the keyboard, named
for screen readers, big enough to press, and nothing is downloaded until someone presses play."""
from __future__ import annotations

import re
import shutil
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, NetworkLog, reload_as_first_visit
from tests.media_surveys import voices_folder

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed (make ffmpeg)")]

LISTEN = {"hmn": "Mloog", "ar": "استمع"}
PLAYERS = """() => Array.from(document.querySelectorAll('audio')).map(a => {
  const r = a.getBoundingClientRect();
  return {label: a.getAttribute('aria-label'), height: r.height, width: r.width, preload: a.preload,
          controls: a.controls, src: a.getAttribute('src')};
})"""


@pytest.fixture(scope="module")
def audio_survey(live_server, tmp_path_factory, recordings):
    folder = voices_folder(tmp_path_factory.mktemp("audio-form") / "form", recordings)
    live_server.flask("load-survey", str(folder))
    live_server.flask("publish-survey", "school-voices")
    return "school-voices"


def start(page, live_server, slug: str, lang: str) -> None:
    page.goto(live_server.url(f"/s/{slug}?lang={lang}"))
    with page.expect_navigation():
        page.locator("form[action$='/start'] button[type=submit]").click()


@pytest.mark.parametrize("lang", ["hmn", "ar"])
def test_browser_audio_players_reachable_labelled_and_fetched_only_on_press(lang, phone, live_server, audio_survey,
                                                                            screenshots, axe):
    fetched: list[str] = []
    phone.on("request", lambda request: fetched.append(request.url) if "/media/" in request.url else None)
    start(phone, live_server, audio_survey, lang)
    players = phone.evaluate(PLAYERS)
    assert len(players) == (3 if lang == "hmn" else 2)
    for player in players:
        assert player["controls"] and player["preload"] == "none"
        assert player["label"].startswith(LISTEN[lang] + ":") and len(player["label"]) > len(LISTEN[lang]) + 2
        assert player["height"] >= 44 and player["width"] >= 44, player
    listen_page = phone.locator("[data-listen-page]")
    assert listen_page.is_visible() and listen_page.bounding_box()["height"] >= 44
    screenshots.take(phone, f"audio-{lang}")
    assert axe.serious(phone) == []
    phone.wait_for_timeout(500)
    assert fetched == [], "a recording was downloaded before anyone pressed play"

    # The keyboard reaches the first player; pressing it plays, and only then is the recording fetched.
    for _ in range(40):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.tagName") == "AUDIO":
            break
    else:
        raise AssertionError("Tab never reached a recording's player")
    with phone.expect_request(lambda request: "/media/" in request.url):
        phone.keyboard.press("Enter")
    assert urlsplit(fetched[0]).path == players[0]["src"]


def test_browser_audio_listen_to_this_page_plays_in_order(phone, live_server, audio_survey):
    start(phone, live_server, audio_survey, "hmn")
    with phone.expect_request(lambda request: "/media/" in request.url) as first:
        phone.locator("[data-listen-page]").click()
    assert urlsplit(first.value.url).path == phone.evaluate(PLAYERS)[0]["src"]


def test_browser_audio_page_weight_with_and_without_recordings(phone, live_server, audio_survey, figures):
    log = NetworkLog(phone)
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    weights = {}
    for lang in ("en", "hmn"):
        start(phone, live_server, audio_survey, lang)
        # The walk to the page is not weighed; its bodies are gone once the page is left.
        log.requests.clear()
        entries = reload_as_first_visit(phone, log, cdp)
        weights[lang] = {"bytes": sum(entry["bytes"] for entry in entries), "requests": len(entries)}
        assert not any("/media/" in entry["url"] for entry in entries)
    figures["audio_page_weight"] = weights
    assert weights["en"]["requests"] <= 3 and weights["en"]["bytes"] <= 30_000
    # The recordings' page loads one small script more, and no recording.
    assert weights["hmn"]["requests"] == weights["en"]["requests"] + 1 and weights["hmn"]["bytes"] <= 30_000


def test_browser_audio_a_native_speaker_records_with_the_microphone(live_server, audio_survey, logged_in, browser):
    if "translator" not in live_server.accounts:
        output = live_server.flask("create-user", "hmn-reader@example.org", "--role", "translator", "--language",
                                   "hmn")
        live_server.accounts["translator"] = ("hmn-reader@example.org",
                                              re.search(r"Password \(shown once\): (\S+)", output).group(1))
    # Chromium's own test microphone (a tone), with the permission granted as a person would; a second
    # Chromium of the session's Playwright, as the microphone is chosen when Chromium starts.
    chromium = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"])
    try:
        page = chromium.new_context(**PHONE).new_page()
        logged_in(page, "translator")
        page.goto(live_server.url("/review/school-voices/hmn/recordings"))
        form = page.locator("form#rec-choices-yn-no")
        record = form.get_by_role("button", name="Record", exact=True)
        record.click()
        page.wait_for_timeout(1500)
        form.get_by_role("button", name="Stop recording", exact=True).click()
        page.wait_for_function("document.querySelector('#rec-choices-yn-no input[type=file]').files.length == 1")
        assert form.locator("audio").last.is_visible()
        with page.expect_navigation():
            form.get_by_role("button", name="Send this recording").click()
        assert "Your recording was saved." in page.content()
        assert page.locator("form#rec-choices-yn-no").get_by_text("waiting for staff").is_visible()
    finally:
        chromium.close()
