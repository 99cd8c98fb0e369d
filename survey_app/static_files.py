"""Stylesheets and scripts under `static/`, fingerprinted so a phone fetches each once.

Every `url_for('static', ...)` gets `?v=` and the first characters of the file's SHA-256,
worked out once per process. A request that carries the current fingerprint is answered
with a year-long, immutable cache lifetime, so the browser does not even ask again: on a
2 s round trip each re-check cost a family 2 s a page. A changed file gets a new
fingerprint and so a new address; a request without it, or with an old one, is answered
as before (revalidated each time), so nobody keeps a stale file for a year.

This runs before Flask-Compress (registered earlier, so its after-request step runs later).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, request

YEAR_SECONDS = 365 * 24 * 60 * 60
IMMUTABLE = f"public, max-age={YEAR_SECONDS}, immutable"


def fingerprints(folder: Path) -> dict[str, str]:
    """Each file under `folder`, by its path relative to it, with its content's fingerprint."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            for path in sorted(folder.rglob("*")) if path.is_file()}


def init_app(app: Flask) -> None:
    known = fingerprints(Path(app.static_folder or "static"))

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and values.get("filename") in known:
            values["v"] = known[values["filename"]]

    @app.after_request
    def cache_fingerprinted(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code != 200 or not request.view_args:
            return response
        if request.args.get("v") == known.get(request.view_args.get("filename", "")):
            response.headers["Cache-Control"] = IMMUTABLE
        # Read the small file now, so it is compressed like a page (and closed when the response is).
        response.direct_passthrough = False
        response.make_sequence()
        return response
