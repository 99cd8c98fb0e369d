"""What every page needs: the active language and its direction, the language
menu, and the response headers that keep pages private and safe."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, request, url_for

from . import contacts, locale


def _language_links(offered: tuple[str, ...] | None = None) -> list[tuple[locale.Language, str]]:
    """The same page in each language: one URL is built, then `lang` is added to it."""
    args = dict(request.view_args or {})
    query = {k: v for k, v in request.args.items() if k != "lang"}
    if request.endpoint and request.method == "GET":
        base = url_for(request.endpoint, **args, **query)
    else:
        base = url_for("public.home")
    separator = "&" if "?" in base else "?"
    return [(locale.language_for(code), f"{base}{separator}{urlencode({'lang': code})}")
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
