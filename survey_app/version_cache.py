"""What each app works out once per survey version: the parsed definition, the languages it is
fully translated into, the texts translators review, and the answers each page shows besides its
own (`surveys.page_references`). Kept per app (in `app.extensions`), so two apps, or a test
database that reuses ids, never see each other's entries, in a cachetools LRU of at most
`SURVEY_VERSIONS_CACHED` entries (config.py). A version's definition never changes once stored, so
an entry is keyed by what it was computed from and never goes stale."""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from cachetools import LRUCache
from flask import Flask, current_app

T = TypeVar("T")
_EXTENSION = "version_cache"


class VersionCache:
    def __init__(self, entries: int) -> None:
        self._kept: LRUCache[Hashable, Any] = LRUCache(maxsize=entries)
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept under `key`, computed (outside the lock) the first time it is asked for."""
        with self._lock:
            if key in self._kept:
                return self._kept[key]
        value = compute()
        with self._lock:
            self._kept[key] = value
        return value


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = VersionCache(app.config["SURVEY_VERSIONS_CACHED"])


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    cache: VersionCache = current_app.extensions[_EXTENSION]
    return cache.get(key, compute)
