"""Starting kiosk mode from the partner portal: the partner user is logged out and the browser
serves one survey to one family after another (`security/kiosk_sessions.py` explains how a kiosk
session is kept and ended)."""
from __future__ import annotations

import secrets

from flask import redirect, render_template, session, url_for
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm

from .. import audit, surveys
from ..security.auth import roles_required
from ..security.kiosk_sessions import IDLE_SECONDS, SESSION_KEY
from . import blueprint


@blueprint.route("/surveys/<slug>/kiosk", methods=["GET", "POST"])
@roles_required("partner")
def kiosk(slug: str):
    survey, version = surveys.get_or_404(slug, published=True)
    form = FlaskForm()
    if survey.status == "open" and form.validate_on_submit():
        partner = current_user.partner
        user = current_user._get_current_object()
        audit.record("kiosk_started", survey=slug, partner=partner.code)
        logout_user()
        session.clear()
        session[SESSION_KEY] = {"slug": slug, "partner": partner.code, "user": user.id,
                                "version": user.session_version, "id": secrets.token_urlsafe(16)}
        session.permanent = False
        return redirect(url_for("public.start", slug=slug))
    return render_template("partner/kiosk.html", survey=survey, definition=surveys.parsed(version), form=form,
                           idle_minutes=IDLE_SECONDS // 60)
