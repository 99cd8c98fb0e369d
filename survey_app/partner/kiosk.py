"""Kiosk mode: one device at a community meeting, where one family after another
answers the survey.

A partner user starts the kiosk from the portal. That logs the user out (the portal
must not stay open on a device the public uses) and leaves one thing in the signed
session: `session["kiosk"] = {"slug": ..., "partner": code}`. While it is there, the
public pages of that survey store each response with channel "kiosk" and the partner,
go back to the start a few seconds after each thank-you page and after a few minutes
without activity, and drop the unfinished answers of whoever walked away.

The kiosk ends when the browser is closed: the session cookie is not kept beyond it.
The public rate limit is lifted for a kiosk by the same session flag
(`rate_limits.is_kiosk`), since a whole meeting answers from one address.
"""
from __future__ import annotations

from typing import Any

from flask import redirect, render_template, session, url_for
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm

from .. import audit, surveys
from ..auth import roles_required
from . import blueprint

SESSION_KEY = "kiosk"
# Long enough to read a page of questions in a second language, short enough that the
# next person rarely finds someone else's answers on the screen.
IDLE_SECONDS = 180
THANKS_SECONDS = 8


def kiosk_mode(slug: str) -> dict[str, Any] | None:
    """The kiosk this browser serves, when it serves survey `slug`."""
    kiosk = session.get(SESSION_KEY)
    return kiosk if isinstance(kiosk, dict) and kiosk.get("slug") == slug else None


def refresh_header(seconds: int, slug: str) -> str:
    """A `Refresh` header value: the browser goes back to the kiosk's start by itself,
    without JavaScript, exactly as `<meta http-equiv="refresh">` would."""
    return f"{seconds}; url={url_for('public.kiosk_reset', slug=slug)}"


@blueprint.route("/surveys/<slug>/kiosk", methods=["GET", "POST"])
@roles_required("partner")
def kiosk(slug: str):
    survey, version = surveys.survey_and_newest_version_or_404(slug)
    form = FlaskForm()
    if survey.status == "open" and form.validate_on_submit():
        partner = current_user.partner
        audit.record("kiosk_started", survey=slug, partner=partner.code)
        logout_user()
        session.clear()
        session[SESSION_KEY] = {"slug": slug, "partner": partner.code}
        session.permanent = False
        return redirect(url_for("public.start", slug=slug))
    return render_template("partner/kiosk.html", survey=survey, definition=surveys.parsed(version), form=form,
                           idle_minutes=IDLE_SECONDS // 60)
