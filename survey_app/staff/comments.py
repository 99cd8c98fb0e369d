"""Families' own words: the free-text answers of a state, for staff to read, tag with the
issues they speak to, and star as examples worth quoting (on the fact sheets).

Comments are shown as written, in the language they were written in, always escaped. Answers
to "other, please say which" questions (`*_other`) are not comments and are not listed.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import pgettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from analysis.definition import multi_column
from analysis.suppression import ALL
from forms.definition import Question
from forms.definition import Survey as SurveyDefinition

from .. import locale, storage, surveys
from ..reporting import snapshots
from ..auth import roles_required
from ..extensions import db
from ..models import Answer, CommentNote, Response, Survey, SurveyVersion
from . import blueprint

PAGE_SIZE = 50
MAX_ANSWER_ID = 2**31 - 1


@dataclass(frozen=True)
class Comment:
    answer_id: int
    text: str
    language: str  # code of the language the respondent answered in
    submitted_at: datetime
    issues: tuple[str, ...]  # what the respondent chose as top issues
    tags: tuple[str, ...]  # what staff tagged it with
    starred: bool


def comment_questions(definition: SurveyDefinition) -> list[Question]:
    return [q for q in definition.questions.values() if q.type == "text" and not q.name.endswith("_other")]


def _in_state(snap: snapshots.Snapshot, state: str) -> np.ndarray:
    """Which responses belong to the group `state` of the survey's grouping question (ALL: every one)."""
    if state == ALL or snap.group is None or snap.group not in snap.frame:
        return np.ones(len(snap.frame), dtype=bool)
    return snapshots.derived(snap, "in_state", (state,),
                               lambda: (snap.frame[snap.group] == state).fillna(False).to_numpy(dtype=bool))


def _answered(snap: snapshots.Snapshot, question: str) -> np.ndarray:
    # Testing a million text cells for missing values takes a tenth of a second: kept.
    return snapshots.derived(snap, "answered", (question,),
                               lambda: snap.frame[question].notna().to_numpy(dtype=bool))


def _noted(question: str, starred_only: bool = False) -> pd.DataFrame:
    """Staff's notes on answers to `question`, with the response each answer belongs to."""
    query = (select(CommentNote.answer_id, CommentNote.tags, CommentNote.starred, Answer.response_id)
             .join(Answer, CommentNote.answer_id == Answer.id).where(Answer.question == question))
    if starred_only:
        query = query.where(CommentNote.starred.is_(True))
    rows = [tuple(row) for row in db.session.execute(query)]
    return pd.DataFrame.from_records(rows, columns=["answer_id", "tags", "starred", "response_id"])


def find_comments(snap: snapshots.Snapshot, state: str, question: str, issue: str | None = None,
                  starred: bool = False, page: int = 1, page_size: int = PAGE_SIZE) -> tuple[list[Comment], int]:
    """One page of a state's comments, newest first, and how many there are in all.

    The state and the issues chosen come from the report frame, already in memory: in SQL,
    each would be a join on the answers of every response."""
    frame = snap.frame
    keep = _in_state(snap, state) & _answered(snap, question)
    if issue and snap.rank is not None:
        column = multi_column(snap.rank, issue)
        chosen = frame[column] == 1 if column in frame else frame[snap.rank] == issue
        keep &= chosen.fillna(False).to_numpy(dtype=bool)
    if starred:
        keep &= frame["response_id"].isin(_noted(question, starred_only=True)["response_id"]).to_numpy(dtype=bool)
    # The frame runs oldest first.
    matching = frame.loc[keep, "response_id"].iloc[::-1]
    shown = list(matching.iloc[(page - 1) * page_size:page * page_size])
    return _comments(shown, question, snap.rank), len(matching)


def _comments(response_ids: list[str], question: str, ranked: str | None) -> list[Comment]:
    """The comments of these responses, in this order, with what staff noted on them."""
    if not response_ids:
        return []
    # Every answer of the page's responses, sorted out here: filtering on the question in
    # SQL tempts SQLite into scanning the (question, value) index over all responses.
    answers = db.session.execute(
        select(Answer.id, Answer.response_id, Answer.question, Answer.value, Response.language, Response.submitted_at)
        .join(Response, Answer.response_id == Response.id)
        .where(Answer.response_id.in_(response_ids)).order_by(Answer.id)).all()
    texts = {row.response_id: row for row in answers if row.question == question}
    chosen: dict[str, list[str]] = {}
    for row in answers:
        if row.question == ranked:
            chosen.setdefault(row.response_id, []).append(row.value)
    notes = {note.answer_id: note for note in db.session.scalars(
        select(CommentNote).where(CommentNote.answer_id.in_([row.id for row in texts.values()])))}
    comments = []
    for response_id in response_ids:
        text = texts.get(response_id)
        if text is None:
            continue
        note = notes.get(text.id)
        comments.append(Comment(answer_id=text.id, text=text.value, language=text.language,
                                submitted_at=text.submitted_at, issues=tuple(chosen.get(response_id, ())),
                                tags=tuple(note.tags or ()) if note else (), starred=bool(note and note.starred)))
    return comments


def tag_counts(snap: snapshots.Snapshot, state: str, question: str) -> tuple[Counter[str], int]:
    """How many of the state's comments staff tagged with each issue, and how many they starred."""
    notes = _noted(question)
    notes = notes[notes["response_id"].isin(snap.frame.loc[_in_state(snap, state), "response_id"])]
    counts: Counter[str] = Counter(tag for tags in notes["tags"] for tag in set(tags or ()))
    return counts, int(notes["starred"].astype(bool).sum())


def starred_quotes(snap: snapshots.Snapshot, state: str, definition: SurveyDefinition,
                   limit: int = 3) -> list[Comment]:
    """The newest starred comments of a state, for its fact sheet."""
    quotes: list[Comment] = []
    for question in comment_questions(definition):
        found, _total = find_comments(snap, state, question.name, starred=True, page_size=limit)
        quotes.extend(found)
    return sorted(quotes, key=lambda c: c.submitted_at, reverse=True)[:limit]


def _context(slug: str, state: str) -> tuple[Survey, SurveyDefinition, list[str]]:
    """The survey, its newest definition and the codes comments can be tagged with (the ranked
    question's choices); 404 unless `state` is ALL or a group of the survey's grouping question."""
    survey, version = surveys.survey_and_newest_version_or_404(slug)
    definition = surveys.parsed(version)
    grouping = definition.questions.get(definition.report_group or "")
    states = [ALL] + ([c.name for c in grouping.choices] if grouping else [])
    if state not in states or not comment_questions(definition):
        abort(404)
    ranked = definition.questions.get(definition.report_rank or "")
    return survey, definition, [c.name for c in ranked.choices] if ranked else []


def state_name(definition: SurveyDefinition, state: str, language: str) -> str:
    grouping = definition.questions.get(definition.report_group or "")
    if state == ALL or grouping is None:
        return pgettext("staff", "Everyone")
    return definition.text(next(c.label for c in grouping.choices if c.name == state), language)


def _answer_in_state(answer: Answer, survey: Survey, definition: SurveyDefinition, state: str) -> bool:
    """Whether the answer belongs to a response of this survey in the group `state`."""
    query = (select(func.count()).select_from(Answer)
             .join(Response, Answer.response_id == Response.id)
             .join(SurveyVersion, Response.survey_version_id == SurveyVersion.id)
             .where(Answer.response_id == answer.response_id, SurveyVersion.survey_id == survey.id))
    if state != ALL:
        query = query.where(Answer.question == definition.report_group, Answer.value == state)
    return (db.session.scalar(query) or 0) > 0


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
        questions=questions, issues=[(code, definition.text(choice.label, language)) for code, choice in
                                     ((c.name, c) for c in definition.questions[definition.report_rank].choices)]
        if definition.report_rank else [],
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
    if answer is None or answer.question not in questions or not _answer_in_state(answer, survey, definition, state):
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    tags = [tag for tag in request.form.getlist("tags") if tag in issues]
    storage.set_comment_note(answer_id, tags, request.form.get("star") == "1", current_user)
    flash(pgettext("staff", "Tags saved."), f"comment-{answer_id}")
    args = _list_args(request.form, questions, issues)
    return redirect(url_for("staff.comments", slug=slug, state=state, **args, _anchor=f"comment-{answer_id}"))
