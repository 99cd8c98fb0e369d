"""How much of a request the app reads, per route.

Werkzeug reads a form into memory, so without a limit one large POST can take a worker's
memory (a 300 MB form to /login did). Every route accepts `MAX_CONTENT_LENGTH` (small: a page
of answers or a log-in is a few kB); the routes that take a file accept `MAX_UPLOAD_BYTES`.
A larger request is refused with 413 before it is read, and errors.py explains it in the
visitor's language.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, request

# Routes that receive a file: the staff's XLSForm upload.
UPLOAD_ENDPOINTS = frozenset({"staff.surveys_index"})


def init_app(app: Flask) -> None:
    # URL value preprocessors run before any before_request function, so the limit is in place
    # before the CSRF check reads the form.
    @app.url_value_preprocessor
    def limit_request_size(endpoint: str | None, _values: dict[str, Any] | None) -> None:
        if endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = app.config["MAX_UPLOAD_BYTES"]
