"""The audit log, readable by staff: each event as a sentence, with its remaining details."""
from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import pgettext
from sqlalchemy import select

from ..auth import roles_required
from ..extensions import db
from ..models import AuditEvent
from . import blueprint

PAGE_SIZE = 100
MAX_ID = 2**31 - 1


def _downloaded(detail: dict[str, Any]) -> str:
    values = {"survey": detail.get("survey", ""), "state": detail.get("state", ""),
              "format": str(detail.get("format", "")).upper()}
    sentences = {
        "chart": pgettext("staff", "Downloaded the chart of %(state)s (%(format)s) of %(survey)s."),
        "summary": pgettext("staff", "Downloaded the summary tables (%(format)s) of %(survey)s."),
        "breakdown": pgettext("staff", "Downloaded a breakdown of %(state)s (%(format)s) of %(survey)s."),
        "responses": pgettext("staff", "Downloaded all responses (%(format)s) of %(survey)s."),
        "codebook": pgettext("staff", "Downloaded the codebook (%(format)s) of %(survey)s."),
        "factsheet": pgettext("staff", "Downloaded the fact sheet of %(state)s (%(format)s) of %(survey)s."),
    }
    sentence = sentences.get(detail.get("what", ""), pgettext("staff", "Downloaded a file (%(format)s) of %(survey)s."))
    return sentence % values


def sentence(event: AuditEvent) -> tuple[str, list[str]]:
    """What happened, as a sentence, and the details the sentence does not already say."""
    detail = dict(event.detail or {})
    said: set[str] = set()
    value = detail.get
    if event.action == "staff_download":
        said = {"what", "survey", "state", "format"}
        text = _downloaded(detail)
    else:
        sentences = {
            "login": (pgettext("staff", "Logged in."), set()),
            "login_failed": (pgettext("staff", "A log-in as %(email)s failed.") % {"email": value("email", "")},
                             {"email"}),
            "kiosk_started": (pgettext("staff", "Started kiosk mode for %(survey)s.") % {"survey": value("survey", "")},
                              {"survey"}),
            "partner_download": (pgettext("staff", "Downloaded the partner's own responses (%(format)s) of "
                                                   "%(survey)s.") % {"format": str(value("format", "")).upper(),
                                                                      "survey": value("survey", "")},
                                 {"format", "survey"}),
            "partner_target": (pgettext("staff", "Set the partner's target to %(target)s responses.")
                               % {"target": value("target")} if value("target")
                               else pgettext("staff", "Removed the partner's target."), {"target"}),
            "partner_created": (pgettext("staff", "Added the partner %(name)s.") % {"name": value("name", "")},
                                {"name"}),
            "partner_updated": (pgettext("staff", "Changed the partner %(code)s.") % {"code": value("code", "")},
                                {"code", "partner_id"}),
            "password_reset": (pgettext("staff", "Reset the password of %(email)s.") % {"email": value("email", "")},
                               {"email"}),
            "public_results": ((pgettext("staff", "Published the families' results pages of %(survey)s.")
                                if value("published") else
                                pgettext("staff", "Stopped publishing the families' results pages of %(survey)s."))
                               % {"survey": value("survey", "")}, {"survey", "published"}),
            "survey_uploaded": (pgettext("staff", "Uploaded version %(version)s of %(survey)s.")
                                % {"version": value("version", ""), "survey": value("slug", "")}, {"version", "slug"}),
            "survey_published": (pgettext("staff", "Published %(survey)s.") % {"survey": value("slug", "")}, {"slug"}),
            "survey_closed": (pgettext("staff", "Closed %(survey)s.") % {"survey": value("slug", "")}, {"slug"}),
            "survey_downloaded": (pgettext("staff", "Downloaded %(survey)s as an XLSForm.")
                                  % {"survey": value("slug", "")}, {"slug"}),
            "user_created": (pgettext("staff", "Created the user %(email)s.") % {"email": value("email", "")},
                             {"email"}),
            "user_enabled": (pgettext("staff", "Allowed %(email)s to log in again.") % {"email": value("email", "")},
                             {"email"}),
            "user_disabled": (pgettext("staff", "Stopped %(email)s from logging in.") % {"email": value("email", "")},
                              {"email"}),
            "contacts_viewed": (pgettext("staff", "Viewed the contact details."), set()),
            "contacts_purged": (pgettext("staff", "Deleted contact details."), set()),
        }
        text, said = sentences.get(event.action, (pgettext("staff", "Something else happened."), set()))
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
