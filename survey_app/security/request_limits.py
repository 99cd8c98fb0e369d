"""How much of a request the app reads, per route.

Werkzeug reads a form into memory, so without a limit one large POST can take a worker's
memory (a 300 MB form to /login did). Every route accepts `MAX_CONTENT_LENGTH` (small: a page
of answers or a log-in is a few kB); the routes that take a file accept `MAX_UPLOAD_BYTES`, or
`MAX_FORM_ZIP_BYTES` where the file may be a form's .zip with its recordings.
A larger request is refused with 413 before it is read, and errors.py explains it in the
visitor's language.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, request

# Routes that receive a file, and the setting that bounds them: the staff's XLSForm upload takes a .zip;
# a native speaker's recording of one text is far smaller.
UPLOAD_ENDPOINTS = {"staff.surveys_index": "MAX_FORM_ZIP_BYTES", "review.recordings": "MAX_UPLOAD_BYTES"}


def init_app(app: Flask) -> None:
    # URL value preprocessors run before any before_request function, so the limit is in place
    # before the CSRF check reads the form.
    @app.url_value_preprocessor
    def limit_request_size(endpoint: str | None, _values: dict[str, Any] | None) -> None:
        if endpoint in UPLOAD_ENDPOINTS:
            # A little room for the form's other fields and the multipart framing.
            request.max_content_length = app.config[UPLOAD_ENDPOINTS[endpoint]] + 64 * 1024
            # Werkzeug holds each 64 kB it reads of a file beside the few bytes it kept from the last
            # (where a line break might start the boundary), and checks the two against this limit:
            # at the small default, any binary file larger than 64 kB (a photo, a recording) was refused.
            request.max_form_memory_size = request.max_content_length
