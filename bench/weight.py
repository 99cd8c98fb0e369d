"""Page weight: bytes and requests for each page a respondent sees, from the HTML as served
and the same-origin assets it links (stylesheets, scripts, images, icons, and what the
stylesheets themselves load). `data:` URLs cost no request; their bytes are in the HTML."""
from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from . import flow

LANGUAGES = ("en", "es", "ar")
BYTES_AIM = 30_000
REQUESTS_AIM = 3
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("href") and set((found.get("rel") or "").split()) & {
                "stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}:
            self.urls.append(found["href"])
        elif tag in {"script", "img", "iframe", "source", "video", "audio", "input"} and found.get("src"):
            self.urls.append(found["src"])
        for candidate in (found.get("srcset") or "").split(","):
            if candidate.strip():
                self.urls.append(candidate.split()[0])


def linked_urls(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.urls


def _same_origin(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def page_weight(respondent: flow.Respondent, path: str, html: str) -> dict[str, Any]:
    """Bytes of the HTML plus every same-origin asset it loads, each asset counted once."""
    assets: dict[str, int] = {}
    compressed = len(gzip.compress(html.encode("utf-8")))
    other_origins: list[str] = []
    queue = [urljoin(path, url) if _same_origin(url) else url for url in linked_urls(html)]
    while queue:
        url = queue.pop(0)
        if url.startswith("data:") or url in assets:
            continue
        if not _same_origin(url):
            other_origins.append(url)
            continue
        fetched = respondent.request("GET", url)
        if fetched.status != 200:
            raise RuntimeError(f"{url}, linked from {path}, answered {fetched.status}")
        body = fetched.raw
        assets[url] = len(body)
        compressed += len(gzip.compress(body))
        if url.split("?")[0].endswith(".css"):
            queue += [urljoin(url, a or b) for a, b in CSS_URL.findall(fetched.body)]
    html_bytes = len(html.encode("utf-8"))
    total = html_bytes + sum(assets.values())
    return {"path": path, "html_bytes": html_bytes, "assets": assets, "bytes": total, "gzip_bytes": compressed,
            "requests": 1 + len(assets), "other_origins": other_origins,
            "passes": total <= BYTES_AIM and 1 + len(assets) <= REQUESTS_AIM and not other_origins}


def survey_pages(host: str, port: int, language: str) -> list[dict[str, Any]]:
    """Every page of one complete walk through the survey in `language`."""
    respondent = flow.Respondent(host, port)
    weights = []
    start_path = f"/s/{flow.SLUG}?lang={language}"
    opened = respondent.request("GET", start_path)
    weights.append({"page": "start", **page_weight(respondent, start_path, opened.body)})
    respondent.request("POST", f"/s/{flow.SLUG}/start", {"csrf_token": respondent.token})
    for number, answers in enumerate(flow.ANSWERS, start=1):
        path = flow.page_path(number)
        shown = respondent.request("GET", path)
        if shown.status != 200:
            raise RuntimeError(f"{path} answered {shown.status}")
        weights.append({"page": str(number), **page_weight(respondent, path, shown.body)})
        respondent.answer(number, answers)
    thanks_path = f"/s/{flow.SLUG}/thanks"
    weights.append({"page": "thanks", **page_weight(respondent, thanks_path,
                                                       respondent.request("GET", thanks_path).body)})
    respondent.close()
    return [{"language": language, **weight} for weight in weights]


def measure(host: str, port: int) -> list[dict[str, Any]]:
    return [row for language in LANGUAGES for row in survey_pages(host, port, language)]
