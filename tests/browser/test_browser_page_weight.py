"""Page weight, measured from the browser's own network log: every survey page, HTML plus CSS
plus any script and image, is at most 30 kB uncompressed and needs at most 3 requests, from
the same site only. The whole survey on a slow connection: test_browser_slow_3g.py."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import NetworkLog, reload_as_first_visit

pytestmark = pytest.mark.browser

MAX_BYTES = 30_000
MAX_REQUESTS = 3
# From one page to the next: the form post and the page it redirects to. The stylesheet and the
# script are fingerprinted and cached for a year, so the browser does not ask for them again.
MAX_REQUESTS_PER_STEP = 2


@pytest.mark.parametrize("lang", ["en", "ar", "ksw"])
def test_every_survey_page_light_and_same_site(lang, phone, walk, live_server, figures):
    log = NetworkLog(phone)
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    from_cache: list[str] = []  # answered from the browser's memory cache, without a request
    cdp.on("Network.requestServedFromCache", lambda event: from_cache.append(event["requestId"]))
    origin = urlsplit(live_server.base_url).netloc
    weights: dict[str, dict] = {}
    steps: dict[str, int] = {}

    def weigh(name: str) -> None:
        entries = reload_as_first_visit(phone, log, cdp)
        from_cache.clear()
        weights[name] = {"bytes": sum(entry["bytes"] for entry in entries), "requests": len(entries),
                         "by_type": {entry["type"]: entry["bytes"] for entry in entries}}
        for entry in entries:
            assert urlsplit(entry["url"]).netloc == origin, f"{name}: a request leaves the site: {entry['url']}"
            assert entry["status"] == 200, f"{name}: {entry}"
            assert entry["type"] in {"document", "stylesheet", "script", "image", "font"}, f"{name}: {entry}"

    walk.open(phone, lang, "&ref=mira")
    weigh("start")
    walk.start(phone)
    steps["start -> page 1"] = len(log.take()) - len(from_cache)
    number = 0
    while not walk.on_thanks(phone):
        number += 1
        weigh(f"page {number}")
        walk.answer(phone)
        walk.next(phone)
        steps[f"page {number} -> next"] = len(log.take()) - len(from_cache)
    weigh("thanks")

    figures.setdefault("page_weight", {})[lang] = {"cold_load": weights, "requests_per_step": steps}
    heavy = {name: weight["bytes"] for name, weight in weights.items() if weight["bytes"] > MAX_BYTES}
    assert not heavy, f"pages over {MAX_BYTES} bytes: {heavy}"
    many = {name: weight["requests"] for name, weight in weights.items() if weight["requests"] > MAX_REQUESTS}
    assert not many, f"pages needing more than {MAX_REQUESTS} requests: {many}"
    many = {name: count for name, count in steps.items() if count > MAX_REQUESTS_PER_STEP}
    assert not many, f"steps needing more than {MAX_REQUESTS_PER_STEP} requests: {many}"
