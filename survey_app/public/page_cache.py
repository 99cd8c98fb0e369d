"""Question pages as they are first shown, rendered once per worker.

Before anyone has typed on it, a page is the same HTML for every respondent who reached it
by the same answers in the same language, apart from the form's CSRF token. Rendering it
(the layout, the language menu, every question's widgets) is most of a page view's CPU time
(docs/benchmarks.md), so each worker keeps the HTML it rendered, keyed by everything the page
shows, and puts the respondent's own token in on the way out. Pages with errors are never kept.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from cachetools import LRUCache
from flask import Flask, current_app
from flask_wtf.csrf import generate_csrf


class RenderedPages:
    def __init__(self, maxsize: int) -> None:
        self._kept: LRUCache = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> str:
        """The page for `key`, with this respondent's token; `render` is called when it is not kept."""
        token = generate_csrf()
        with self._lock:
            parts = self._kept.get(key)
        if parts is None:
            html = render()
            parts = tuple(html.split(token))
            if len(parts) == 1:
                return html  # no form on it: nothing to keep
            with self._lock:
                self._kept[key] = parts
        return token.join(parts)


def init_app(app: Flask) -> None:
    app.extensions["rendered_pages"] = RenderedPages(maxsize=app.config["RENDERED_PAGES"])


def rendered(key: Hashable, render: Callable[[], str]) -> str:
    return current_app.extensions["rendered_pages"].get(key, render)
