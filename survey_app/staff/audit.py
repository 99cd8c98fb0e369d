"""The audit log, readable by staff: each event as a sentence, with its remaining details."""
from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import pgettext
from markupsafe import Markup, escape
from sqlalchemy import select

from ..extensions import db
from ..models import AuditEvent
from ..security.auth import roles_required
from . import blueprint

PAGE_SIZE = 100
MAX_ID = 2**31 - 1


def _said(sentence: str) -> Markup:
    """A translated sentence of the log, into which `%` puts only isolated values (see `_isolated`).
    Callers pass `pgettext(...)` itself, so that extracting the catalog finds the sentence."""
    return escape(sentence)


def _isolated(item: Any) -> Markup:
    """A value someone typed, escaped and isolated: a right-to-left override in it reorders
    nothing of the sentence around it."""
    return Markup("<bdi>{}</bdi>").format(item)


def _downloaded(detail: dict[str, Any]) -> Markup:
    values = {"survey": _isolated(detail.get("survey", "")), "state": _isolated(detail.get("state", "")),
              "format": _isolated(str(detail.get("format", "")).upper())}
    sentences = {
        "chart": _said(pgettext("staff", "Downloaded the chart of %(state)s (%(format)s) of %(survey)s.")),
        "summary": _said(pgettext("staff", "Downloaded the summary tables (%(format)s) of %(survey)s.")),
        "breakdown": _said(pgettext("staff", "Downloaded a breakdown of %(state)s (%(format)s) of %(survey)s.")),
        "responses": _said(pgettext("staff", "Downloaded all responses (%(format)s) of %(survey)s.")),
        "codebook": _said(pgettext("staff", "Downloaded the codebook (%(format)s) of %(survey)s.")),
        "factsheet": _said(pgettext("staff", "Downloaded the fact sheet of %(state)s (%(format)s) of %(survey)s.")),
    }
    sentence = sentences.get(detail.get("what", ""), _said(pgettext("staff", "Downloaded a file (%(format)s) of %(survey)s.")))
    return sentence % values


def sentence(event: AuditEvent) -> tuple[Markup, list[str]]:
    """What happened, as a sentence, and the details the sentence does not already say."""
    detail = dict(event.detail or {})
    said: set[str] = set()

    def value(key: str, default: Any = "") -> Markup:
        return _isolated(detail.get(key, default))
    if event.action == "staff_download":
        said = {"what", "survey", "state", "format"}
        text = _downloaded(detail)
    else:
        sentences = {
            "login": (_said(pgettext("staff", "Logged in.")), set()),
            "login_failed": (_said(pgettext("staff", "A log-in as %(email)s failed.")) % {"email": value("email", "")},
                             {"email"}),
            "kiosk_started": (_said(pgettext("staff", "Started kiosk mode for %(survey)s.")) % {"survey": value("survey", "")},
                              {"survey"}),
            "partner_download": (_said(pgettext("staff", "Downloaded the partner's own responses (%(format)s) of "
                                                   "%(survey)s.")) % {"format": _isolated(str(detail.get("format", "")).upper()),
                                                                      "survey": value("survey", "")},
                                 {"format", "survey"}),
            "partner_target": (_said(pgettext("staff", "Set the partner's target to %(target)s responses."))
                               % {"target": value("target")} if detail.get("target")
                               else _said(pgettext("staff", "Removed the partner's target.")), {"target"}),
            "partner_created": (_said(pgettext("staff", "Added the partner %(name)s.")) % {"name": value("name", "")},
                                {"name"}),
            "partner_updated": (_said(pgettext("staff", "Changed the partner %(code)s.")) % {"code": value("code", "")},
                                {"code", "partner_id"}),
            "password_reset": (_said(pgettext("staff", "Reset the password of %(email)s.")) % {"email": value("email", "")},
                               {"email"}),
            "public_results": ((_said(pgettext("staff", "Published the families' results pages of %(survey)s."))
                                if detail.get("published") else
                                _said(pgettext("staff", "Stopped publishing the families' results pages of %(survey)s.")))
                               % {"survey": value("survey", "")}, {"survey", "published"}),
            "survey_uploaded": (_said(pgettext("staff", "Uploaded version %(version)s of %(survey)s."))
                                % {"version": value("version", ""), "survey": value("slug", "")}, {"version", "slug"}),
            "survey_published": (_said(pgettext("staff", "Published %(survey)s.")) % {"survey": value("slug", "")}, {"slug"}),
            "survey_closed": (_said(pgettext("staff", "Closed %(survey)s.")) % {"survey": value("slug", "")}, {"slug"}),
            "survey_downloaded": (_said(pgettext("staff", "Downloaded %(survey)s as an XLSForm."))
                                  % {"survey": value("slug", "")}, {"slug"}),
            "user_created": (_said(pgettext("staff", "Created the user %(email)s.")) % {"email": value("email", "")},
                             {"email"}),
            "user_enabled": (_said(pgettext("staff", "Allowed %(email)s to log in again.")) % {"email": value("email", "")},
                             {"email"}),
            "user_disabled": (_said(pgettext("staff", "Stopped %(email)s from logging in.")) % {"email": value("email", "")},
                              {"email"}),
            "contacts_viewed": (_said(pgettext("staff", "Viewed the contact details.")), set()),
            "contacts_purged": (_said(pgettext("staff", "Deleted contact details.")), set()),
        }
        text, said = sentences.get(event.action, (_said(pgettext("staff", "Something else happened.")), set()))
    rest = [f"{key}: {item}" for key, item in sorted(detail.items()) if key not in said]
    return text, rest


@blueprint.get("/audit")
@roles_required("admin", "staff")
def audit_log():
    before = request.args.get("before", type=int)
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
    # An id past what the column holds is a database error, not an empty page: the newest page instead.
    if before and 0 < before <= MAX_ID:
        query = query.where(AuditEvent.id < before)
    events = db.session.scalars(query).all()
    return render_template("staff/audit.html", events=[(event, *sentence(event)) for event in events],
                           page_size=PAGE_SIZE, last_id=events[-1].id if events else None)
