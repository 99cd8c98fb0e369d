"""Whether an answer is acceptable: required, not too long, no larger than allowed, within its
constraint. One set of rules for the page a respondent sends (its form's `builder.QuestionRules`)
and for the saved answers of a whole response (`builder.page_form_to_fix`), so the two cannot
disagree. What a field itself refuses (a code it does not offer, "abc" for a number) is WTForms'.
"""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import gettext

from .relevance import is_blank, is_required
from .survey import Question, Survey

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
