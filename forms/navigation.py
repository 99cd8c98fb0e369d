"""Which pages a respondent sees, in what order, given the answers so far."""
from __future__ import annotations

from typing import Any, Mapping

from .definition import Page, Question, Survey


def shown_questions(page: Page, answers: Mapping[str, Any]) -> list[Question]:
    """The questions to show on a page. A question that depends on another question
    of the same page is always shown, so the page works without JavaScript; its
    relevance is then checked when the page is submitted."""
    on_page = {q.name for q in page.questions}
    shown = []
    for question in page.questions:
        relevant = question.relevant
        if relevant is None or relevant.references & on_page or relevant.is_true(answers):
            shown.append(question)
    return shown


def other_pages_answers(survey: Survey, index: int, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers given anywhere but on page `index`: what that page's conditions and checks see."""
    on_page = {question.name for question in survey.pages[index].questions}
    return {name: value for name, value in answers.items() if name not in on_page}


def page_is_shown(page: Page, answers: Mapping[str, Any]) -> bool:
    if page.relevant is not None and not page.relevant.is_true(answers):
        return False
    return bool(shown_questions(page, answers))


def shown_pages(survey: Survey, answers: Mapping[str, Any]) -> list[int]:
    return [index for index, page in enumerate(survey.pages) if page_is_shown(page, answers)]


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
