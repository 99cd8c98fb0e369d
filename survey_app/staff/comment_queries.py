"""Reading families' own words: the free-text answers of a state, a page at a time, with the
tags and stars staff gave them, and the starred ones the fact sheets quote. Answers to "other,
please say which" questions (`*_other`) are not comments and are not listed."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from analysis.definition import multi_column
from analysis.suppression import ALL
from forms.survey import Question
from forms.survey import Survey as SurveyDefinition

from ..extensions import db
from ..models import Answer, CommentNote, Response, Survey, SurveyVersion
from ..reporting import snapshots

PAGE_SIZE = 50


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
    answered = snapshots.comments(snap).answered
    return answered[question] if question in answered else np.zeros(len(snap.frame), dtype=bool)


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

    The state and the issues chosen come from the report frame, already in memory, and the
    responses from its comments index: in SQL, each would be a join on the answers of every response."""
    frame = snap.frame
    keep = _in_state(snap, state) & _answered(snap, question)
    if issue and snap.rank is not None:
        column = multi_column(snap.rank, issue)
        chosen = frame[column] == 1 if column in frame else frame[snap.rank] == issue
        keep &= chosen.fillna(False).to_numpy(dtype=bool)
    # Only responses that answered a text question have an id in the index: these do.
    response_ids = snapshots.comments(snap).response_ids
    matching = response_ids[keep[response_ids.index]]
    if starred:
        matching = matching[matching.isin(_noted(question, starred_only=True)["response_id"])]
    # The frame runs oldest first.
    matching = matching.iloc[::-1]
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
    # A note is on a comment, so its response is among those the index holds ids of.
    response_ids = snapshots.comments(snap).response_ids
    notes = notes[notes["response_id"].isin(response_ids[_in_state(snap, state)[response_ids.index]])]
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


def answer_in_state(answer: Answer, survey: Survey, definition: SurveyDefinition, state: str) -> bool:
    """Whether the answer belongs to a response of this survey in the group `state`."""
    query = (select(func.count()).select_from(Answer)
             .join(Response, Answer.response_id == Response.id)
             .join(SurveyVersion, Response.survey_version_id == SurveyVersion.id)
             .where(Answer.response_id == answer.response_id, SurveyVersion.survey_id == survey.id))
    if state != ALL:
        query = query.where(Answer.question == definition.report_group, Answer.value == state)
    return (db.session.scalar(query) or 0) > 0
