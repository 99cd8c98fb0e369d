"""What every page needs: the active language and its direction, the language
menu, and the response headers that keep pages private and safe."""
from __future__ import annotations

from flask import Flask, Response, request, url_for

from . import contacts, locale


def _language_links(offered: tuple[str, ...] | None = None) -> list[tuple[locale.Language, str]]:
    args = dict(request.view_args or {})
    query = {k: v for k, v in request.args.items() if k != "lang"}
    endpoint = request.endpoint if request.endpoint and request.method == "GET" else None
    links = []
    for code in offered or locale.available_codes():
        language = locale.BY_CODE[code]
        if endpoint:
            href = url_for(endpoint, **args, **query, lang=code)
        else:
            href = url_for("public.home", lang=code)
        links.append((language, href))
    return links


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
