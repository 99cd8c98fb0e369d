"""Which pages a respondent sees, in what order, given the answers so far.

Every function here takes the answers as saved (a draft may still hold answers that no
longer count) and decides with the answers that count (`relevance.counted_answers`).
"""
from __future__ import annotations

from typing import Any, Mapping

from .definition import Page, Question, Survey
from .relevance import applies, counted_answers


def shown_questions(page: Page, counted: Mapping[str, Any]) -> list[Question]:
    """The questions to show on a page, given the answers that count on other pages. A
    question that depends on another question of the same page is shown whenever that
    question is, so the page works without JavaScript; its relevance is then checked when
    the page is submitted."""
    shown: list[Question] = []
    for question in page.questions:
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
    counted = counted_answers(survey, answers)
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
