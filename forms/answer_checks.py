"""Whether an answer is acceptable: required, not too long, no larger than allowed, within its
constraint. One set of rules for the page a respondent sends (its form's `builder.QuestionRules`)
and for the saved answers of a whole response (`page_passes`, for `builder.page_form_to_fix`), so
the two cannot disagree. What a field itself refuses (a code it does not offer, "abc" for a number) is WTForms'.
"""
from __future__ import annotations

import math
from datetime import date, time
from typing import Any, Mapping

from flask_babel import gettext

from .relevance import applies, counted_answers, is_blank, is_required, offered_choices
from .survey import METADATA_TYPES, Question, Survey

# The longest text answer kept, whatever the survey says: a comment box is not a document
# store, and a draft holding megabytes would be kept and shown back on every page view.
TEXT_LIMIT = 2000


def stored_value(question: Question, data: Any) -> Any:
    """What a field's `data` is kept as: choice codes, a number, a date or time as ISO text, text
    cleaned and cut at TEXT_LIMIT (None when nothing is left)."""
    if question.is_select:
        known = {choice.name for choice in question.choices}
        if not question.multiple:
            return data if data in known else None
        return list(dict.fromkeys(code for code in data or [] if code in known))
    if question.type == "decimal" and data is not None:
        return float(data)
    if question.type in ("date", "time") and data is not None:
        return data.isoformat(timespec="minutes") if question.type == "time" else data.isoformat()
    if isinstance(data, str):
        # A NUL cannot be stored in PostgreSQL text and no person types one.
        data = data.replace("\x00", "").strip()[:TEXT_LIMIT]
        return data or None
    return data


def answer_error(survey: Survey, question: Question, data: Any, counted: Mapping[str, Any],
                 language: str) -> str | None:
    """Why `data`, the answer to `question` as its field holds it (codes, a number, a date, text as
    typed; None when left blank), cannot be accepted, in `language`; None when it can. `counted` are
    the answers that count, the answer's own page included: what `required` and the constraint
    see. Only for a question that applies, with data its field took without an error of its own."""
    if is_blank(data):
        if not is_required(question, counted):
            return None
        return (survey.text(question.required_message, language) if question.required_message
                else gettext("Answer this question."))
    if question.type == "text" and len(data) > TEXT_LIMIT:
        return str(gettext("Write no more than %(limit)d characters. You wrote %(count)d.",
                           limit=TEXT_LIMIT, count=len(data)))
    value = stored_value(question, data)
    if question.most is not None and value > question.most:
        return str(gettext("Enter a number no larger than %(limit)d.", limit=question.most))
    if question.constraint is not None and not question.constraint.is_true(counted, current=value):
        return (survey.text(question.constraint_message, language) if question.constraint_message
                else gettext("Check this answer."))
    return None


def form_value(question: Question, value: Any) -> Any:
    """A saved answer as its field holds it: dates and times as objects, anything else as saved."""
    if question.type == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if question.type == "time" and isinstance(value, str):
        return time.fromisoformat(value)
    return value


def page_passes(survey: Survey, index: int, counted: Mapping[str, Any], language: str) -> bool:
    """Whether page `index`'s form, filled with the saved answers that count, would accept them,
    worked out without building it: the same rules (`answer_error`) on the answers and context
    the form would have. False, leaving the verdict to the form, when a rule fails or a saved answer
    is not one its field would take back unchanged (a code not offered, a number kept as text)."""
    page = survey.pages[index]
    # The form's context leaves out the times the server records on its own page: its earlier
    # answers are the other pages', and a recorded time is not a field.
    recorded = {question.name for question in page.questions if question.type in METADATA_TYPES}
    context = (counted_answers(survey, {name: value for name, value in counted.items() if name not in recorded})
               if recorded & counted.keys() else counted)
    for question in page.questions:
        if not question.has_field or not applies(question, context):
            continue
        value = context.get(question.name)
        if value is not None and not takes_back(question, value, context):
            return False
        if answer_error(survey, question, form_value(question, value), context, language) is not None:
            return False
    return True


def takes_back(question: Question, value: Any, counted: Mapping[str, Any]) -> bool:
    """Whether `value`, saved for `question` and sent back as the browser would (`saved_formdata`),
    is taken by its field without an error of its own and stored again as the same value."""
    if question.is_select:
        offered = {choice.name for choice in offered_choices(question, counted)}
        if question.multiple:
            return (isinstance(value, list) and all(isinstance(code, str) and code in offered for code in value)
                    and len(set(value)) == len(value))
        return isinstance(value, str) and value in offered
    if question.type == "integer":
        return type(value) is int  # not a bool, which is sent as "True"
    if question.type == "decimal":
        return type(value) is float and math.isfinite(value)
    if not isinstance(value, str):
        return False
    try:
        return bool(stored_value(question, form_value(question, value)) == value)
    except ValueError:
        return False
