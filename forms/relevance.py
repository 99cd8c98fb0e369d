"""Skip logic: which answers count, given the survey's `relevant` expressions.

Everything that needs to know whether a question applies asks here: page navigation, the
checks of a page and of a whole response, storage, paper entry and the demo generator.

An answer counts only when its page and its question are relevant given the answers that
count before it. Expressions may only refer to questions above them (the definition checks
that), so one pass in survey order settles chains of any depth: with `a` = no, a `b` = yes
left over from an earlier visit does not count, and neither does a `c` that depends on `b`.
"""
from __future__ import annotations

from typing import Any, Mapping

from .definition import Page, Question, Survey


def is_blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def counted_answers(survey: Survey, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that count, in survey order; blank answers and answers to questions
    that do not apply are left out."""
    kept: dict[str, Any] = {}
    for page in survey.pages:
        if not applies(page, kept):
            continue
        for question in page.questions:
            if question.type == "note" or not applies(question, kept):
                continue
            value = answers.get(question.name)
            if not is_blank(value):
                kept[question.name] = value
    return kept


def applies(item: Page | Question, counted: Mapping[str, Any]) -> bool:
    """Whether a page or a question is relevant, given answers that count (`counted_answers`)."""
    return item.relevant is None or item.relevant.is_true(counted)
