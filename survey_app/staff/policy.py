"""Staff keep the policy levers beside each issue and every state's advocacy calendar."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import pgettext
from flask_login import current_user
from flask_wtf import FlaskForm

from .. import audit, policy, policy_texts, storage
from ..extensions import db
from ..i18n import locale
from ..models import AdvocacyDate, PolicyLever
from ..policy import date_kind_labels, kind_labels, verification_labels
from ..i18n.locale import BY_CODE, DEFAULT
from ..policy_forms import AdvocacyDateForm, IssueLineForm, LeverForm
from ..security.auth import roles_required
from ..state_facts import all_states
from . import blueprint


def state_names() -> dict[str, str]:
    return {code: facts.name for code, facts in all_states().items()}


@blueprint.get("/levers")
@roles_required("admin", "staff")
def levers():
    issues = policy.issue_options(locale.current().code)
    return render_template("staff/levers.html", levers=policy.all_levers(), issues=issues, states=state_names(),
                           kinds=kind_labels(), verifications=verification_labels(), form=FlaskForm())


@blueprint.get("/issue-lines")
@roles_required("admin", "staff")
def issue_lines():
    issues = policy.issue_options(locale.current().code)
    english = policy_texts.english_lines(issues)
    languages = [code for code in policy.translation_languages() if code in BY_CODE]
    return render_template("staff/issue_lines.html", issues=issues, english=english,
                           statuses=policy_texts.issue_statuses(english, languages),
                           languages=[BY_CODE[code] for code in languages])


@blueprint.route("/issue-lines/<issue>", methods=["GET", "POST"])
@roles_required("admin", "staff")
def issue_line_edit(issue: str):
    issues = policy.issue_options(locale.current().code)
    if issue not in issues:
        abort(404)
    english = policy_texts.english_lines([issue]).get(issue, "")
    form = IssueLineForm(data={"line": english} if request.method == "GET" else None)
    if form.validate_on_submit():
        line = form.line.data or ""
        storage.save_policy_text(policy_texts.issue_subject(issue), DEFAULT, line, line, current_user)
        audit.record("issue_line_saved", issue=issue)
        flash(pgettext("staff", "The sentence was saved. Translations made from the old sentence wait for a "
                                "translator again."), "success")
        return redirect(url_for("staff.issue_lines", _anchor=f"issue-{issue}"))
    return render_template("staff/issue_line_form.html", form=form, issue=issue, label=issues[issue])


@blueprint.route("/levers/new", methods=["GET", "POST"])
@blueprint.route("/levers/<int:lever_id>", methods=["GET", "POST"])
@roles_required("admin", "staff")
def lever_edit(lever_id: int | None = None):
    lever = db.session.get(PolicyLever, lever_id) if lever_id is not None else None
    if lever_id is not None and lever is None:
        abort(404)
    form = LeverForm(obj=lever, issues=policy.issue_options(locale.current().code), states=state_names())
    if form.validate_on_submit():
        saved = storage.save_lever(lever, form.values(), current_user)
        audit.record("lever_saved", lever_id=saved.id, issue=saved.issue, state_code=saved.state_code,
                     lever=saved.lever)
        flash(pgettext("staff", "The provision was saved."), "success")
        return redirect(url_for("staff.levers", _anchor=f"issue-{saved.issue}"))
    return render_template("staff/lever_form.html", form=form, lever=lever)


@blueprint.post("/levers/<int:lever_id>/delete")
@roles_required("admin", "staff")
def lever_delete(lever_id: int):
    lever = db.session.get(PolicyLever, lever_id)
    if lever is None:
        abort(404)
    if FlaskForm().validate_on_submit():
        audit.record("lever_deleted", lever_id=lever.id, issue=lever.issue, state_code=lever.state_code,
                     lever=lever.lever)
        storage.delete_lever(lever)
        flash(pgettext("staff", "The provision was deleted."), "success")
    return redirect(url_for("staff.levers"))


@blueprint.route("/calendar", methods=["GET", "POST"])
@roles_required("admin", "staff")
def calendar():
    issues = policy.issue_options(locale.current().code)
    form = AdvocacyDateForm(issues=issues, states=state_names())
    if form.validate_on_submit():
        entry = storage.add_advocacy_date(form.values(), current_user)
        audit.record("advocacy_date_added", date_id=entry.id, state_code=entry.state_code, title=entry.title)
        flash(pgettext("staff", "The date was added."), "success")
        return redirect(url_for("staff.calendar"))
    return render_template("staff/calendar.html", form=form, brief_slug=current_app.config["DEFAULT_SURVEY"], entries=policy.upcoming(None), issues=issues,
                           states=state_names(), kinds=date_kind_labels(), delete_form=FlaskForm())


@blueprint.post("/calendar/<int:date_id>/delete")
@roles_required("admin", "staff")
def calendar_delete(date_id: int):
    entry = db.session.get(AdvocacyDate, date_id)
    if entry is None:
        abort(404)
    if FlaskForm().validate_on_submit():
        audit.record("advocacy_date_deleted", date_id=entry.id, state_code=entry.state_code, title=entry.title)
        storage.delete_advocacy_date(entry)
        flash(pgettext("staff", "The date was deleted."), "success")
    return redirect(url_for("staff.calendar"))
