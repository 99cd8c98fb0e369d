"""Recordings, served from the app's own origin to anyone who presses play.

A recording's name is the SHA-256 of its bytes (`form_media`), so what a name serves never changes:
browsers and proxies keep it for a year without asking again. Phones ask for parts of a
recording (HTTP Range) to start playing before all of it has arrived, and to seek: those get 206
with Content-Range. Every app server reads the same database, so every server can serve any
recording. The request carries no cookie the app reads, and nothing about it is recorded.
"""
from __future__ import annotations

from flask import Response, abort, request

from ..extensions import db
from ..form_media import STORED_NAME
from ..models import MediaFile
from .views import blueprint

_YEAR = 365 * 24 * 3600


@blueprint.get("/media/<name>")
def media(name: str):
    if not STORED_NAME.match(name):
        abort(404)
    found = db.session.get(MediaFile, name)
    if found is None:
        abort(404)
    response = Response(found.data, mimetype=found.content_type)
    response.set_etag(name.partition(".")[0])
    response.cache_control.public = True
    response.cache_control.max_age = _YEAR
    response.cache_control.immutable = True
    # Answers If-None-Match with 304 and Range with 206 (or 416 for a range past the end).
    return response.make_conditional(request, accept_ranges=True, complete_length=found.size)
