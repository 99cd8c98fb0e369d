"""Answers shown inside question text: `${name}` in a label or hint, as XLSForm writes it.

"Does ${child_name} go to school?" reads "Does Amina go to school?" once Amina was given. A choice
answer shows its label in the respondent's language; a question not answered (or not shown) reads
as nothing, as in ODK Collect.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .survey import Survey

# `${name}`, or `${name[2]}`: a question of a repeat's second instance (see `repeats`).
REFERENCE = re.compile(r"\$\{\s*(?P<name>[^\W\d][\w.\-]*(?:\[[0-9]+\])?)\s*\}")


def piped(text: str, answers: Mapping[str, Any], survey: Survey, language: str) -> str:
    """`text` with each `${name}` replaced by the answer to that question."""
    if "${" not in text:
        return text
    return REFERENCE.sub(lambda match: _shown(match["name"], answers, survey, language), text)


def _shown(name: str, answers: Mapping[str, Any], survey: Survey, language: str) -> str:
    value = answers.get(name)
    if value in (None, "", []):
        return ""
    question = survey.questions.get(name)
    if question is not None and question.is_select:
        labels = {choice.name: survey.text(choice.label, language) or choice.name for choice in question.choices}
        codes = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(code), str(code)) for code in codes)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def page_references(survey: Survey, index: int) -> tuple[str, ...]:
    """The questions whose answers change page `index` beyond its own saved answers: those its texts
    show, in every language, and those its choice filters and defaults read."""
    found: set[str] = set()
    page = survey.pages[index]
    for question in page.questions:
        for expression in (question.choice_filter, question.default_expression):
            if expression is not None:
                found.update(expression.references)
    texts = [page.label, *(text for question in page.questions for text in (question.label, question.hint))]
    for translations in texts:
        for text in translations.values():
            found.update(match["name"] for match in REFERENCE.finditer(text))
    return tuple(sorted(found))
