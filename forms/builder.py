"""Builds the WTForms form for one page of a survey, in one language.

Labels, hints and messages come from the definition in the respondent's language;
field names are the question names and submitted values are choice codes, so
what is stored does not depend on the language it was answered in.
"""
from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from typing import Any, Mapping

from flask_babel import gettext, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from wtforms import Field, validators
from wtforms.fields import (DateField, DecimalField, IntegerField, RadioField, SelectMultipleField,
                            TextAreaField, TimeField)
from wtforms.fields.choices import SelectChoice

from .definition import Page, Question, Survey
from .piping import piped


class CatalogTranslations:
    """Sends WTForms' own messages through the app's catalogs, so a coercion
    error ("Not a valid integer value.") is shown in the respondent's language."""

    def gettext(self, string: str) -> str:
        return gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return ngettext(singular, plural, n)


# WTForms' built-in messages that fields of a survey can raise, listed so that
# extraction puts them in the catalogs.
WTFORMS_MESSAGES = (
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid choice."),
)
INVALID_CHOICE = _l("Choose from the answers shown.")


class PageForm(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> CatalogTranslations:
            return CatalogTranslations()

    # Set by the factory: the survey, the page and the answers given on earlier pages.
    survey: Survey
    page: Page
    language: str
    earlier_answers: Mapping[str, Any]

    def __getitem__(self, name: str) -> Field:
        """The field of the question `name`."""
        return super().__getitem__(field_name(name))

    def __contains__(self, name: str) -> bool:
        return super().__contains__(field_name(name))

    def answers(self) -> dict[str, Any]:
        """This page's answers as stored values (codes, numbers, text)."""
        values: dict[str, Any] = {}
        for question in self.page.questions:
            if question.type == "note":
                continue
            values[question.name] = stored_value(question, self[question.name].data)
        return values

    def context(self) -> dict[str, Any]:
        return {**self.earlier_answers, **self.answers()}

    def piped(self, text: str) -> str:
        """A label or hint with the answers it refers to (`${name}`) written in."""
        return piped(text, self.context(), self.survey, self.language)


def field_name(question_name: str) -> str:
    """The form field of a question. WTForms leaves out class attributes that start with `_`, and
    XLSForm names may (`_consent`), so those get a prefix no question name can have."""
    return f"q:{question_name}" if question_name.startswith("_") else question_name


def stored_value(question: Question, data: Any) -> Any:
    if question.multiple:
        return [code for code in data or [] if code]
    if question.type == "decimal" and data is not None:
        return float(data)
    if question.type in ("date", "time") and data is not None:
        return data.isoformat(timespec="minutes") if question.type == "time" else data.isoformat()
    if isinstance(data, str):
        # A NUL cannot be stored in PostgreSQL text and no person types one.
        data = data.replace("\x00", "").strip()
        return data or None
    return data


def is_relevant(question: Question, answers: Mapping[str, Any]) -> bool:
    return question.relevant is None or question.relevant.is_true(answers)


class QuestionRules:
    """Relevance, required and constraint, checked on the server with the answers
    given so far including this page's: a question that is not relevant is not
    checked, and its answer is not kept."""

    def __init__(self, question: Question) -> None:
        self.question = question

    def __call__(self, form: PageForm, field: Field) -> None:
        question = self.question
        context = form.context()
        if not is_relevant(question, context):
            field.errors = []
            raise validators.StopValidation()
        if _is_blank(field):
            # An empty optional number is not "not a valid number": drop coercion errors.
            field.errors = []
            if question.required:
                raise validators.StopValidation(
                    form.survey.text(question.required_message, form.language)
                    if question.required_message else gettext("Answer this question."))
            raise validators.StopValidation()
        if field.errors:
            raise validators.StopValidation()
        value = stored_value(question, field.data)
        if question.constraint is not None and not question.constraint.is_true(context, current=value):
            raise validators.StopValidation(
                form.survey.text(question.constraint_message, form.language)
                if question.constraint_message else gettext("Check this answer."))


def _is_blank(field: Field) -> bool:
    raw = [value for value in (field.raw_data or []) if str(value).strip()]
    return not raw and field.data in (None, "", [])


def _field(question: Question, survey: Survey, language: str) -> Field | None:
    label = survey.text(question.label, language)
    hint = survey.text(question.hint, language)
    rules = [QuestionRules(question)]
    kwargs: dict[str, Any] = {"label": label, "description": hint, "validators": rules}
    if question.is_select:
        kwargs["choices"] = [SelectChoice(c.name, survey.text(c.label, language)) for c in question.choices]
        if question.multiple:
            return SelectMultipleField(invalid_choice_message=INVALID_CHOICE, **kwargs)
        return RadioField(invalid_choice_message=INVALID_CHOICE, **kwargs)
    if question.type == "integer":
        return IntegerField(**kwargs)
    if question.type == "decimal":
        return DecimalField(**kwargs)
    if question.type == "date":
        return DateField(**kwargs)
    if question.type == "time":
        return TimeField(**kwargs)
    if question.type == "text":
        return TextAreaField(**kwargs)
    return None  # a note has no field


def _form_value(question: Question, value: Any) -> Any:
    if question.type == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if question.type == "time" and isinstance(value, str):
        return time.fromisoformat(value)
    return value


@lru_cache(maxsize=512)
def _form_class(survey: Survey, page_index: int, language: str) -> type[PageForm]:
    page = survey.pages[page_index]
    attributes: dict[str, Any] = {}
    for question in page.questions:
        field = _field(question, survey, language)
        if field is not None:
            attributes[field_name(question.name)] = field
    return type(f"Page{page_index}Form", (PageForm,), attributes)


def build_page_form(survey: Survey, page_index: int, language: str, earlier_answers: Mapping[str, Any],
                    formdata: Any = None, saved: Mapping[str, Any] | None = None) -> PageForm:
    """The form for page `page_index`: filled from `formdata` when the page was
    posted, otherwise from the answers saved for this page."""
    form_class = _form_class(survey, page_index, language)
    data = {name: _form_value(survey.questions[name], value)
            for name, value in (saved or {}).items() if name in survey.questions}
    form = form_class(formdata=formdata, data=data) if formdata is not None else form_class(data=data)
    form.survey = survey
    form.page = survey.pages[page_index]
    form.language = language
    form.earlier_answers = dict(earlier_answers)
    return form
