"""Question pages as they are first shown, rendered once per worker (and the welcome and
thank-you pages, which `views` keeps the same way).

Before anyone has typed on it, a page is the same HTML for every respondent who reached it
by the same answers in the same language, apart from the form's CSRF token. Rendering it
(the layout, the language menu, every question's widgets) is most of a page view's CPU time
(docs/benchmarks.md), so each worker keeps the HTML it rendered, keyed by what the page
shows, and puts the respondent's own token in on the way out. Pages with errors are never kept.

Anyone can open a page, so nobody may choose how many different pages there are or how large
one is: the key holds only the survey's own codes (never a query parameter or typed text), a
page with a typed answer on it is rendered for its respondent and not kept, and the pages kept
are bounded both in number and in bytes.
"""
from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any

from cachetools import LRUCache
from flask import Flask, current_app
from flask_wtf.csrf import generate_csrf

from forms.survey import Question


def _page_size(parts: tuple[str, ...]) -> int:
    return sum(sys.getsizeof(part) for part in parts)


class RenderedPages:
    def __init__(self, max_pages: int, max_bytes: int) -> None:
        self._lock = threading.Lock()
        self.resize(max_pages, max_bytes)

    def resize(self, max_pages: int, max_bytes: int) -> None:
        """Start again, empty, with these bounds; either bound at 0 keeps nothing."""
        with self._lock:
            self._max_pages = max_pages
            self._kept: LRUCache | None = (
                LRUCache(maxsize=max_bytes, getsizeof=_page_size) if max_pages > 0 and max_bytes > 0 else None)

    def __len__(self) -> int:
        return len(self._kept) if self._kept is not None else 0

    @property
    def size_bytes(self) -> int:
        """The bytes of HTML kept (the keys are small and bounded by the survey)."""
        return int(self._kept.currsize) if self._kept is not None else 0

    def kept_pages(self) -> Iterator[tuple[str, ...]]:
        with self._lock:
            kept = list(self._kept.values()) if self._kept is not None else []
        return iter(kept)

    def get(self, key: Hashable | None, render: Callable[[], str]) -> str:
        """The page for `key`, with this respondent's token; `render` is called when it is not kept.
        A `key` of None is a page that must not be kept."""
        if key is None or self._kept is None:
            return render()
        token = generate_csrf()
        with self._lock:
            parts = self._kept.get(key)
        if parts is None:
            html = render()
            parts = tuple(html.split(token))
            if len(parts) == 1:
                return html  # no form on it: nothing to keep
            self._keep(key, parts)
        return token.join(parts)

    def _keep(self, key: Hashable, parts: tuple[str, ...]) -> None:
        with self._lock:
            if self._kept is None or _page_size(parts) > self._kept.maxsize:
                return
            self._kept[key] = parts
            while len(self._kept) > self._max_pages:
                self._kept.popitem()


def saved_answers_key(questions: tuple[Question, ...], answers: Mapping[str, Any]) -> tuple | None:
    """What the saved answers change on a page, as survey codes; None when a question on it holds
    something a respondent typed (text, a number, a date), which would make the page theirs alone."""
    key = []
    for question in questions:
        value = answers.get(question.name)
        if value is None or value == "" or value == []:
            continue
        if not question.is_select:
            return None
        codes = {choice.name for choice in question.choices}
        chosen = tuple(sorted(value)) if isinstance(value, list) else (value,)
        if not all(isinstance(code, str) and code in codes for code in chosen):
            return None
        key.append((question.name, chosen))
    return tuple(key)


def init_app(app: Flask) -> None:
    app.extensions["rendered_pages"] = RenderedPages(max_pages=app.config["RENDERED_PAGES"],
                                                     max_bytes=app.config["RENDERED_PAGES_MB"] * 1024 * 1024)


def rendered(key: Hashable | None, render: Callable[[], str]) -> str:
    return current_app.extensions["rendered_pages"].get(key, render)
