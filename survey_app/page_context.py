"""What every page needs: the active language and its direction, the language
menu, and the response headers that keep pages private and safe."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, request, url_for

from . import contacts, locale


def _language_links(offered: tuple[str, ...] | None = None) -> list[tuple[locale.Language, str]]:
    """The same page in each language: one URL is built, then `lang` is added to it.

    The route's own arguments build the path and the query string is copied after it, never
    passed to `url_for`, where a parameter named like an argument (`?endpoint=`, `?slug=`)
    would collide with it. A respondent's page carries no query at all: it is the same page
    for everyone (see public/page_cache.py), and the partner code is already remembered."""
    if request.endpoint and request.method == "GET" and request.url_rule is not None:
        base = url_for(request.endpoint, **(request.view_args or {}))
        query = [] if request.blueprint == "public" else [
            (k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    else:
        base, query = url_for("public.home"), []
    return [(locale.BY_CODE[code], f"{base}?{urlencode([*query, ('lang', code)])}")
            for code in offered or locale.available_codes()]


def init_app(app: Flask) -> None:
    @app.context_processor
    def language_context() -> dict:
        return {"language": locale.current(), "language_links": _language_links,
                "contacts_enabled": contacts.enabled()}

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # A survey link carries the partner code; it must not leak to other sites.
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint and request.endpoint.startswith(("public.page", "public.thanks", "staff.", "partner.")):
            headers["Cache-Control"] = "no-store"
        return response
