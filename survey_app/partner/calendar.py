"""A partner's advocacy calendar: the dates when their state is listening, which they can add
to, and a feed their calendar app can subscribe to."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import pgettext
from flask_login import current_user
from flask_wtf import FlaskForm

from .. import audit, policy, storage
from ..extensions import db
from ..i18n import locale
from ..models import AdvocacyDate
from ..policy import date_kind_labels
from ..policy_forms import AdvocacyDateForm
from ..security.auth import roles_required
from ..state_facts import all_states
from . import blueprint
from .connections import state_issues


def _own_state() -> dict[str, str]:
    code = current_user.partner.state_code
    facts = all_states().get(code)
    return {code: facts.name if facts else code}


@blueprint.route("/calendar", methods=["GET", "POST"])
@roles_required("partner")
def calendar():
    state = _own_state()
    issues = policy.issue_options(locale.current().code)
    # The form offers only the partner's own state, and checks it: another state's code is refused.
    form = AdvocacyDateForm(issues=issues, states=state)
    if form.validate_on_submit():
        entry = storage.add_advocacy_date(form.values(), current_user)
        audit.record("advocacy_date_added", date_id=entry.id, state_code=entry.state_code, title=entry.title)
        flash(pgettext("staff", "The date was added."), "success")
        return redirect(url_for("partner.calendar"))
    code = next(iter(state))
    found = state_issues(current_app.config["DEFAULT_SURVEY"])
    top_issues = [found.names.issue(issue) for issue in found.top_by_state.get(code, [])] if found else []
    feed = url_for("partner.calendar_feed", state_code=code, token=policy.feed_token(code), _external=True)
    return render_template("partner/calendar.html", form=form, brief_slug=current_app.config["DEFAULT_SURVEY"],
                           entries=policy.upcoming([code]), issues=issues,
                           state_name=state[code], kinds=date_kind_labels(), top_issues=top_issues, feed=feed, delete_form=FlaskForm())


@blueprint.post("/calendar/<int:date_id>/delete")
@roles_required("partner")
def calendar_delete(date_id: int):
    entry = db.session.get(AdvocacyDate, date_id)
    if entry is None or entry.state_code != current_user.partner.state_code:
        abort(404)
    if FlaskForm().validate_on_submit():
        audit.record("advocacy_date_deleted", date_id=entry.id, state_code=entry.state_code, title=entry.title)
        storage.delete_advocacy_date(entry)
        flash(pgettext("staff", "The date was deleted."), "success")
    return redirect(url_for("partner.calendar"))


@blueprint.get("/calendar/<state_code>/<token>.ics")
def calendar_feed(state_code: str, token: str):
    """No log-in: calendar apps cannot log in. The address carries a key only partners see."""
    if state_code not in all_states() or not policy.token_matches(state_code, token):
        abort(404)
    name = all_states()[state_code].name
    text = policy.FeedText(calendar_name=pgettext("staff", "Advocacy dates in %(state)s", state=name),
                           kinds=date_kind_labels(), issues=policy.issue_options(locale.current().code),
                           issues_heading=pgettext("staff", "Issues:"))
    body = policy.ics_feed(policy.upcoming([state_code]), state_code, text)
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})
