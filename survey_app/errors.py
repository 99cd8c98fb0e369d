"""Error pages in the visitor's language."""
from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask.globals import request_ctx
from flask_babel import format_decimal, gettext, pgettext
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from .extensions import db
from .i18n import locale
from .reporting.snapshots import ReportPreparing


PREPARING_REFRESH_S = 5


def init_app(app: Flask) -> None:
    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        """The database is down or unreachable: ask people to try again, in their language."""
        db.session.rollback()
        return error_page(ServiceUnavailable())

    @app.errorhandler(ReportPreparing)
    def report_preparing(error: ReportPreparing):
        """A survey's responses are being read for the first time (a million take about half a
        minute): the page says so and reloads itself, so no request outlasts a worker's timeout."""
        if request.blueprint == "public":
            title = gettext("The results are being counted")
            message = gettext("This page will reload by itself in a few seconds.")
        else:
            title = pgettext("staff", "The report is being prepared")
            message = pgettext("staff", "%(count)s responses are being read. This page reloads by itself every few "
                                        "seconds.", count=format_decimal(error.responses))
        headers = {"Refresh": str(PREPARING_REFRESH_S), "Retry-After": str(PREPARING_REFRESH_S)}
        return render_template("error.html", title=title, message=message), 503, headers

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(413)
    @app.errorhandler(429)
    @app.errorhandler(500)
    @app.errorhandler(503)
    def error_page(error: HTTPException):
        code = getattr(error, "code", 500) or 500
        titles = {
            400: gettext("Something was wrong with that request"),
            403: gettext("You cannot open this page"),
            404: gettext("Page not found"),
            405: gettext("Something was wrong with that request"),
            413: gettext("What you sent is too large"),
            429: gettext("Too many tries in a short time"),
            503: gettext("Sorry, something went wrong"),
            500: gettext("Sorry, something went wrong"),
        }
        messages = {
            400: gettext("Go back and try again. Your answers so far are saved."),
            403: gettext("You may need to log in with a different account."),
            404: gettext("Check the link you used. If you typed it, check the spelling."),
            405: gettext("Go back and try again. Your answers so far are saved."),
            413: gettext("Go back, shorten what you wrote or choose a smaller file, and try again. Your "
                         "answers on earlier pages are saved."),
            429: gettext("Please wait a minute, then go back and try again. Your answers so far are saved."),
            503: gettext("Please try again in a few minutes. Your answers so far are saved."),
            500: gettext("Please try again in a few minutes. Your answers so far are saved."),
        }
        try:
            locale.current()
        except Exception:  # the error may have happened before a language was chosen
            locale.set_current(locale.DEFAULT)
        # The error's own headers, such as the methods a 405 allows.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        if request_ctx.url_adapter is None:
            # The request named a host this service does not answer for (TRUSTED_HOSTS): no page
            # can link anywhere, so the answer is the same words as plain text.
            return Response(f"{titles.get(code, titles[500])}\n\n{messages.get(code, messages[500])}\n", code,
                            headers, mimetype="text/plain")
        return render_template("error.html", title=titles.get(code, titles[500]),
                               message=messages.get(code, messages[500])), code, headers
