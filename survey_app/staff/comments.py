"""Families' own words: the free-text answers of a state, for staff to read, tag with the
issues they speak to, and star as examples worth quoting (on the fact sheets).

Comments are shown as written, in the language they were written in, always escaped. The
queries are in `comment_queries.py`; tags and stars are stored through `storage`.
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import pgettext
from flask_login import current_user
from flask_wtf import FlaskForm

from analysis.suppression import ALL
from forms.survey import Survey as SurveyDefinition

from .. import policy, storage, surveys
from ..extensions import db
from ..i18n import locale
from ..models import Answer, Survey
from ..reporting import snapshots
from ..security.auth import roles_required
from . import blueprint
from .comment_queries import PAGE_SIZE, answer_in_state, comment_questions, find_comments, tag_counts

MAX_ANSWER_ID = 2**31 - 1


def _context(slug: str, state: str) -> tuple[Survey, SurveyDefinition, list[str]]:
    """The survey, its newest definition and the codes comments can be tagged with (the ranked
    question's choices); 404 unless `state` is ALL or a group of the survey's grouping question."""
    survey, version = surveys.get_or_404(slug)
    definition = surveys.parsed(version)
    grouping = definition.questions.get(definition.report_group or "")
    states = [ALL] + ([c.name for c in grouping.choices] if grouping else [])
    if state not in states or not comment_questions(definition):
        abort(404)
    return survey, definition, [choice.name for choice in policy.ranked_choices(definition)]


def state_name(definition: SurveyDefinition, state: str, language: str) -> str:
    grouping = definition.questions.get(definition.report_group or "")
    if state == ALL or grouping is None:
        return pgettext("staff", "Everyone")
    return definition.text(next(c.label for c in grouping.choices if c.name == state), language)


def _list_args(source: Any, questions: list[str], issues: list[str]) -> dict[str, Any]:
    """The list's filters, from the query or from a tagging form, keeping only valid ones."""
    args: dict[str, Any] = {"question": source.get("question") if source.get("question") in questions
                            else questions[0]}
    if source.get("issue") in issues:
        args["issue"] = source["issue"]
    if source.get("starred") == "1":
        args["starred"] = "1"
    page = source.get("page", "1")
    # isdigit() also accepts "²", which int() refuses; six ASCII digits are more pages than there are.
    if page.isascii() and page.isdecimal() and len(page) <= 6 and int(page) > 1:
        args["page"] = int(page)
    return args


@blueprint.get("/comments/<slug>/<state>")
@roles_required("admin", "staff")
def comments(slug: str, state: str):
    survey, definition, issues = _context(slug, state)
    language = locale.current().code
    questions = comment_questions(definition)
    args = _list_args(request.args, [q.name for q in questions], issues)
    snap = snapshots.snapshot(survey)
    found, total = find_comments(snap, state, args["question"], args.get("issue"), "starred" in args,
                                 args.get("page", 1))
    counts, starred = tag_counts(snap, state, args["question"])
    return render_template(
        "staff/comments.html", survey=survey, definition=definition, language_code=language, state=state,
        state_name=state_name(definition, state, language),
        questions=questions, issues=[(choice.name, definition.text(choice.label, language))
                                     for choice in policy.ranked_choices(definition)],
        args=args, comments=found, total=total, page=args.get("page", 1), page_size=PAGE_SIZE,
        counts=counts, starred=starred, languages=locale.BY_CODE, form=FlaskForm(),
        pending=snapshots.pending(snap))


@blueprint.post("/comments/<slug>/<state>/<int:answer_id>")
@roles_required("admin", "staff")
def comment_note(slug: str, state: str, answer_id: int):
    survey, definition, issues = _context(slug, state)
    questions = [q.name for q in comment_questions(definition)]
    # Beyond the INTEGER column, PostgreSQL would refuse the lookup rather than find nothing.
    answer = db.session.get(Answer, answer_id) if answer_id <= MAX_ANSWER_ID else None
    if answer is None or answer.question not in questions or not answer_in_state(answer, survey, definition, state):
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    tags = [tag for tag in request.form.getlist("tags") if tag in issues]
    storage.set_comment_note(answer_id, tags, request.form.get("star") == "1", current_user)
    flash(pgettext("staff", "Tags saved."), f"comment-{answer_id}")
    args = _list_args(request.form, questions, issues)
    return redirect(url_for("staff.comments", slug=slug, state=state, **args, _anchor=f"comment-{answer_id}"))
