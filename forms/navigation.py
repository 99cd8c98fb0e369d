"""Which pages a respondent sees, in what order, given the answers so far.

Every function here takes the answers as saved (a draft may still hold answers that no
longer count) and decides with the answers that count (`relevance.counted_answers`).
"""
from __future__ import annotations

from typing import Any, Mapping

from .survey import Page, Question, Survey
from .relevance import applies, counted_answers, is_required


def shown_questions(page: Page, counted: Mapping[str, Any]) -> list[Question]:
    """The questions to show on a page, given the answers that count on other pages. A
    question that depends on another question of the same page is among them whenever that
    question is: the page holds it, hidden until an answer reveals it (see `follow_ups`), and
    its relevance is checked when the page is submitted."""
    shown: list[Question] = []
    for question in page.questions:
        if question.type != "note" and not question.has_field:
            continue
        on_page = question.relevant.references & {q.name for q in shown} if question.relevant else set()
        if question.relevant is None or on_page or applies(question, counted):
            shown.append(question)
    return shown


def other_pages_answers(survey: Survey, index: int, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that count on every page but page `index`: what that page's conditions and checks see."""
    on_page = {question.name for question in survey.pages[index].questions}
    return {name: value for name, value in counted_answers(survey, answers).items() if name not in on_page}


def page_is_shown(page: Page, counted: Mapping[str, Any]) -> bool:
    return applies(page, counted) and bool(shown_questions(page, counted))


def shown_pages(survey: Survey, answers: Mapping[str, Any]) -> list[int]:
    return _shown_pages(survey, counted_answers(survey, answers))


def _shown_pages(survey: Survey, counted: Mapping[str, Any]) -> list[int]:
    return [index for index, page in enumerate(survey.pages) if page_is_shown(page, counted)]


def next_page(survey: Survey, answers: Mapping[str, Any], index: int) -> int | None:
    return next((i for i in shown_pages(survey, answers) if i > index), None)


def previous_page(survey: Survey, answers: Mapping[str, Any], index: int) -> int | None:
    return next((i for i in reversed(shown_pages(survey, answers)) if i < index), None)


def step(survey: Survey, answers: Mapping[str, Any], index: int) -> tuple[int, int]:
    """("Step n of total") for page `index`, counting only pages this person will see."""
    position, total, _is_last = place(shown_pages(survey, answers), index)
    return position, total


def place(pages: list[int], index: int) -> tuple[int, int, bool]:
    """Page `index` among the `pages` shown (from `shown_pages`): its step, the number of
    steps, and whether it is the last."""
    position = sum(1 for i in pages if i <= index)
    return max(position, 1), max(len(pages), 1), not any(i > index for i in pages)


def is_finished(page: Page, answers: Mapping[str, Any], counted: Mapping[str, Any]) -> bool:
    """Whether a page's questions that apply (given the answers that count) all have a saved
    answer (required ones a non-empty one): what "Continue where I stopped" looks for."""
    for question in shown_questions(page, counted):
        if question.type == "note" or not applies(question, counted):
            continue
        if question.name not in answers or (is_required(question, counted)
                                            and answers[question.name] in (None, "", [])):
            return False
    return True


def first_unfinished_page(survey: Survey, answers: Mapping[str, Any]) -> int:
    """Where a respondent coming back carries on: the first page shown to them that is not
    finished, or the last page when all are (they had not yet sent their answers)."""
    counted = counted_answers(survey, answers)
    pages = _shown_pages(survey, counted)
    return next((index for index in pages if not is_finished(survey.pages[index], answers, counted)), pages[-1])


def follow_ups(page: Page) -> dict[str, str]:
    """Questions that depend on an answer given on the same page, with that question: shown
    on the same page as soon as it applies (with JavaScript), otherwise on the page after."""
    on_page = {question.name for question in page.questions}
    found = {}
    for question in page.questions:
        if question.type != "note" and not question.has_field:
            continue
        controlling = sorted(question.relevant.references & on_page) if question.relevant else []
        if len(controlling) == 1:
            found[question.name] = controlling[0]
    return found


def revealing_choices(page: Page, answers: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Which choices reveal which follow-ups: {controlling question: {choice code: [follow-ups]}},
    checked by trying each choice alone with the other answers given so far."""
    questions = {question.name: question for question in page.questions}
    revealing: dict[str, dict[str, list[str]]] = {}
    for name, controlling_name in follow_ups(page).items():
        follow_up, controlling = questions[name], questions[controlling_name]
        for choice in controlling.choices:
            value: Any = [choice.name] if controlling.multiple else choice.name
            if follow_up.relevant is not None and follow_up.relevant.is_true({**answers, controlling_name: value}):
                revealing.setdefault(controlling_name, {}).setdefault(choice.name, []).append(name)
    return revealing


def pending_follow_ups(page: Page, saved: Mapping[str, Any], filled: Mapping[str, Any]) -> list[str]:
    """Follow-ups that the answers `filled` call for and that were never asked (no answer
    saved for them, not even an empty one): the page shows only these, as the page after."""
    return [name for name in follow_ups(page) if name not in saved
            and (relevant := next(q for q in page.questions if q.name == name).relevant) is not None
            and relevant.is_true(filled)]
