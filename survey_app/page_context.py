"""What every page needs: the active language and its direction, the language
menu, and the response headers that keep pages private and safe."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, request, url_for
from markupsafe import Markup

from forms.builder import page_heading

from . import contacts, images
from .i18n import locale

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


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
    return [(locale.language_for(code), f"{base}?{urlencode([*query, ('lang', code)])}")
            for code in offered or locale.available_codes()]


def public_url_for(endpoint: str, **values: object) -> str:
    """An absolute link for flyers, QR codes and pages that show a link to copy: on PUBLIC_URL
    when it is set, else on the host this request came to, which TRUSTED_HOSTS has checked."""
    base = current_app.config["PUBLIC_URL"]
    if not base:
        return url_for(endpoint, _external=True, **values)  # type: ignore[arg-type]
    return base + url_for(endpoint, **values)  # type: ignore[arg-type]


SECURITY_HEADERS = (
    ("Content-Security-Policy",
     # Recordings come from the app itself; a native speaker's own recording plays back from the page (blob:).
     ("default-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self'; script-src 'self'; "
      "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")),
    ("X-Content-Type-Options", "nosniff"),
    # A survey link carries the partner code; it must not leak to other sites.
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
)
PRIVATE_ENDPOINTS = ("auth.login", "public.start", "public.page", "public.thanks", "public.contact", "staff.",
                     "partner.", "review.")
LAST_RESORT_PAGE = (b'<!doctype html><html lang="en"><meta charset="utf-8"><title>Sorry, something went wrong</title>'
                    b"<h1>Sorry, something went wrong</h1><p>Please try again in a few minutes.</p></html>")


HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
_LOWER_NAMES = tuple((name.lower(), (name, value)) for name, value in SECURITY_HEADERS)


class SafeResponses:
    """Around the whole app: every response leaves with the security headers (and over https with
    HSTS), added to the plain list of headers on its way out, where a response that sets one of
    them keeps its own. When even the error page fails (the database is gone while it looks up the
    logged-in user, say), the answer is a plain 500 page with the same headers instead of the
    server's bare one."""

    def __init__(self, wsgi_app: WSGIApplication, logger: logging.Logger) -> None:
        self.wsgi_app = wsgi_app
        self.logger = logger

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def with_security_headers(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _value in headers}
            headers.extend(header for lower, header in _LOWER_NAMES if lower not in present)
            # Read after the app ran: ProxyFix, inside, has set the scheme the visitor used.
            if environ.get("wsgi.url_scheme") == "https" and "strict-transport-security" not in present:
                headers.append(HSTS)
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, with_security_headers)
        except Exception:
            # Flask calls start_response only with a finished response, so nothing has been sent yet.
            self.logger.exception("The error page failed too")
            with_security_headers("500 Internal Server Error",
                                  [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"),
                                   ("Content-Length", str(len(LAST_RESORT_PAGE)))])
            return [LAST_RESORT_PAGE]


def init_app(app: Flask) -> None:
    app.wsgi_app = SafeResponses(app.wsgi_app, app.logger)  # type: ignore[method-assign]

    @app.context_processor
    def language_context() -> dict:
        return {"language": locale.current(), "language_links": _language_links, "public_url_for": public_url_for,
                "staff_page": locale.is_staff_request(), "language_names": locale.BY_CODE,
                "staff_language_menu": lambda: [locale.BY_CODE[code] for code in locale.staff_codes()],
                "contacts_enabled": contacts.enabled(), "page_heading": page_heading}

    @app.template_filter("bdi")
    def isolated(text: object) -> Markup:
        """Text someone typed, escaped and isolated: a right-to-left override (U+202E) in it
        cannot reorder the words around it."""
        return Markup("<bdi>%s</bdi>") % ("" if text is None else text)

    app.add_template_filter(locale.day_html, "day")
    app.add_template_filter(locale.name_for_reader, "language_name")
    app.add_template_global(images.size_of, "picture_size")

    @app.after_request
    def private_pages(response: Response) -> Response:
        # Pages that show what someone typed (a phone number, an email address) or a draft in progress.
        if request.endpoint and request.endpoint.startswith(PRIVATE_ENDPOINTS):
            response.headers["Cache-Control"] = "no-store"
        return response
