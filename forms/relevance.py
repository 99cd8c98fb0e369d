"""Skip logic: which answers count, given the survey's `relevant` expressions.

Everything that needs to know whether a question applies asks here: page navigation, the
checks of a page and of a whole response, paper entry, and storage (of submitted drafts, paper
forms and demo data).

An answer counts only when its page and its question are relevant given the answers that
count before it. Expressions may only refer to questions above them (the definition checks
that), so one pass in survey order settles chains of any depth: with `a` = no, a `b` = yes
left over from an earlier visit does not count, and neither does a `c` that depends on `b`.

The same pass works out `calculate` rows, whatever a draft holds under their names, and drops
a choice that the question's `choice_filter` no longer offers given the answers above it, as an
answer to a question that no longer applies is dropped.
"""
from __future__ import annotations

from typing import Any, Mapping

from .survey import METADATA_TYPES, Choice, Page, Question, Survey
from .expressions import Expression, ExpressionError


def is_blank(value: Any) -> bool:
    return value is None or value == "" or value == []


class CountedAnswers(dict[str, Any]):
    """What `counted_answers` returns: answers that count for `survey`, not to be changed (copy
    them to add to them). Counting them again gives them back, so a page view can hand the same
    answers to navigation, checks and piping without each working them out anew."""

    def __init__(self, survey: Survey, counted: Mapping[str, Any]) -> None:
        super().__init__(counted)
        self.survey = survey

    def _read_only(self, *_args: Any, **_kwargs: Any) -> Any:
        raise TypeError("answers that count are not changed: copy them to add to them")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _read_only

    def __reduce__(self) -> tuple[type[dict[str, Any]], tuple[dict[str, Any]]]:
        """A copy or a pickle is a plain dict of the same answers, free to be changed."""
        return dict, (dict(self),)


def counted_answers(survey: Survey, answers: Mapping[str, Any]) -> CountedAnswers:
    """The answers that count, in survey order; blank answers and answers to questions
    that do not apply are left out, and calculations are worked out."""
    if isinstance(answers, CountedAnswers) and answers.survey is survey:
        return answers
    kept: dict[str, Any] = {}
    for page in survey.pages:
        if not applies(page, kept):
            continue
        for question in page.questions:
            if question.type == "note" or not applies(question, kept):
                continue
            if question.calculation is not None:
                value: Any = calculated(question, kept)
            elif question.type in METADATA_TYPES:
                value = answers.get(question.name)
            else:
                value = _offered(question, answers.get(question.name), kept)
            if not is_blank(value):
                kept[question.name] = value
    return CountedAnswers(survey, kept)


def applies(item: Page | Question, counted: Mapping[str, Any]) -> bool:
    """Whether a page or a question is relevant, given answers that count (`counted_answers`)."""
    return item.relevant is None or item.relevant.is_true(counted)


def is_required(question: Question, counted: Mapping[str, Any]) -> bool:
    """Whether a question must be answered: `required` is yes, or its condition holds."""
    return question.required or (question.required_if is not None and question.required_if.is_true(counted))


def calculated(question: Question, counted: Mapping[str, Any]) -> str:
    """A calculate row's value as text, as ODK stores it; '' when it cannot be worked out."""
    if question.calculation is None:
        return ""
    try:
        return question.calculation.text(counted)
    except ExpressionError:
        return ""


def offered_choices(question: Question, counted: Mapping[str, Any]) -> tuple[Choice, ...]:
    """The choices a question offers given the answers that count: those its `choice_filter` keeps."""
    if question.choice_filter is None:
        return question.choices
    choice_filter = question.choice_filter
    return tuple(choice for choice in question.choices if _keeps(choice_filter, choice, counted))


def _keeps(choice_filter: Expression, choice: Choice, counted: Mapping[str, Any]) -> bool:
    try:
        return bool(choice_filter.is_true(counted, choice=choice.filter_columns()))
    except ExpressionError:
        return False


def _offered(question: Question, value: Any, counted: Mapping[str, Any]) -> Any:
    if question.choice_filter is None or is_blank(value):
        return value
    codes = {choice.name for choice in offered_choices(question, counted)}
    if isinstance(value, list):
        return [code for code in value if code in codes]
    return value if value in codes else None
