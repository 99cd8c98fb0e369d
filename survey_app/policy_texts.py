"""Policy words in every survey language: the plain-language line families read beside each
issue ("Schools must give you information in a language you understand"), and what each lever
provides. Staff write the English; translators propose translations on the review pages and
staff accept them, as for survey texts. A translation made from English that has changed since
no longer counts: readers get the English until it is translated again.

Issue lines belong to issue codes (choices of a survey's ranked question), not to one survey's
wording, so every survey that ranks the same issues shares them.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from .extensions import db
from .i18n.locale import DEFAULT
from .models import PolicyLever, PolicyText, TranslationReview
from .i18n.translation_texts import POLICY, Text

ISSUE, LEVER = "issue:", "lever:"


@dataclass(frozen=True)
class Line:
    """A text as a reader gets it, with the language it is in (for the `lang` attribute)."""

    text: str
    language: str


def issue_subject(code: str) -> str:
    return ISSUE + code


def lever_subject(lever_id: int) -> str:
    return f"{LEVER}{lever_id}"


def _texts(subjects: Iterable[str], languages: Sequence[str]) -> dict[tuple[str, str], PolicyText]:
    wanted = list(dict.fromkeys(subjects))
    if not wanted:
        return {}
    rows = db.session.scalars(select(PolicyText).where(PolicyText.subject.in_(wanted),
                                                       PolicyText.language.in_(list(languages))))
    return {(row.subject, row.language): row for row in rows}


def english_lines(codes: Iterable[str]) -> dict[str, str]:
    """Each issue's English line, for the issues that have one."""
    found = _texts((issue_subject(code) for code in codes), [DEFAULT])
    return {subject[len(ISSUE):]: row.text for (subject, _language), row in found.items() if row.text}


def _current(row: PolicyText | None, english: str) -> str:
    """The translation, when it was made from the English in use."""
    return row.text if row is not None and row.english == english and row.text else ""


def issue_lines(codes: Iterable[str], language: str) -> dict[str, Line]:
    """Each issue's line in `language`, or in English where that language has none yet."""
    codes = list(codes)
    found = _texts((issue_subject(code) for code in codes), [DEFAULT, language])
    lines = {}
    for code in codes:
        english = found.get((issue_subject(code), DEFAULT))
        if english is None or not english.text:
            continue
        translated = _current(found.get((issue_subject(code), language)), english.text)
        lines[code] = Line(translated, language) if translated else Line(english.text, DEFAULT)
    return lines


def lever_texts(levers: Iterable[PolicyLever], language: str) -> dict[int, Line]:
    """What each lever provides, in `language` where a current translation exists."""
    levers = list(levers)
    found = _texts((lever_subject(lever.id) for lever in levers), [language])
    texts = {}
    for lever in levers:
        translated = _current(found.get((lever_subject(lever.id), language)), lever.provides)
        texts[lever.id] = Line(translated, language) if translated else Line(lever.provides, DEFAULT)
    return texts


@dataclass(frozen=True)
class ReviewWords:
    """The policy words translators review, read for some issues in some languages at once: each
    issue's English line, the levers on the issues, and the translations of both."""

    english: dict[str, str]
    levers: tuple[PolicyLever, ...]
    translations: dict[tuple[str, str], PolicyText]

    def texts(self, codes: Sequence[str], language: str) -> list[Text]:
        """What a translator of `language` reviews for these issues (among those read): each issue's
        line, then what each lever on them provides (federal levers and every state's)."""
        texts = [Text(POLICY, issue_subject(code), (self.english[code],),
                      (_current(self.translations.get((issue_subject(code), language)), self.english[code]),))
                 for code in codes if code in self.english]
        texts.extend(Text(POLICY, lever_subject(lever.id), (lever.provides,),
                          (_current(self.translations.get((lever_subject(lever.id), language)), lever.provides),))
                     for lever in self.levers if lever.issue in codes and lever.provides)
        return texts


def review_words(codes: Iterable[str], languages: Sequence[str]) -> ReviewWords:
    """The policy words of these issues in these languages: three statements, however many of each."""
    codes = list(dict.fromkeys(codes))
    english = english_lines(codes)
    levers = tuple(db.session.scalars(select(PolicyLever).where(PolicyLever.issue.in_(codes))
                                      .order_by(PolicyLever.issue, PolicyLever.state_code.is_not(None),
                                                PolicyLever.state_code, PolicyLever.id)))
    subjects = [issue_subject(code) for code in codes if code in english]
    return ReviewWords(english, levers, _texts([*subjects, *(lever_subject(lever.id) for lever in levers)], languages))


@dataclass(frozen=True)
class Status:
    """One language's translation of one text, as staff see it."""

    text: str
    state: str   # "reviewed", "draft", "out of date" or "missing"


def _status(row: PolicyText | None, english: str, review: TranslationReview | None) -> Status:
    current = _current(row, english)
    if row is None or not row.text:
        state = "missing"
    elif not current:
        state = "out of date"
    elif review is not None and review.status in ("approved", "accepted") and review.translation == [current]:
        state = "reviewed"
    else:
        state = "draft"
    return Status(row.text if row is not None else "", state)


def issue_statuses(english: Mapping[str, str], languages: Sequence[str]) -> dict[str, dict[str, Status]]:
    """How far each language's translation of each issue's line is (`english`: the line in use, by
    issue code): reviewed while a native speaker's approval (or staff's acceptance) holds for the text
    in use; a draft until then. Two statements, however many issues and languages."""
    if not english:
        return {}
    subjects = {issue_subject(code): line for code, line in english.items()}
    found = _texts(subjects, languages)
    reviews = {(row.context, row.language): row for row in db.session.scalars(select(TranslationReview).where(
        TranslationReview.kind == POLICY, TranslationReview.context.in_(list(subjects)),
        TranslationReview.english.in_(list(set(subjects.values()))), TranslationReview.language.in_(list(languages))))
        if row.english == subjects[row.context]}
    return {code: {language: _status(found.get((issue_subject(code), language)), line,
                                     reviews.get((issue_subject(code), language)))
                   for language in languages}
            for code, line in english.items()}
