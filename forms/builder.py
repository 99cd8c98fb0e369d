"""Builds the WTForms form for one page of a survey, in one language.

Labels, hints and messages come from the definition in the respondent's language;
field names are the question names and submitted values are choice codes, so
what is stored does not depend on the language it was answered in.
"""
from __future__ import annotations

from datetime import date, time
from typing import Any, Callable, Iterable, Mapping

from flask_babel import gettext, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Field, validators
from wtforms.fields import (DateField, DecimalField, IntegerField, RadioField, SelectMultipleField,
                            TextAreaField, TimeField)
from wtforms.fields.choices import SelectChoice

from .answer_checks import TEXT_LIMIT, answer_error, form_value, page_passes, stored_value
from .survey import Choice, Page, Question, Survey
from .expressions import ExpressionError
from .navigation import follow_ups, other_pages_answers, shown_pages
from .piping import piped
from .relevance import applies, counted_answers, is_required, offered_choices


class CatalogTranslations:
    """Sends WTForms' own messages through the app's catalogs, so a coercion
    error ("Not a valid integer value.") is shown in the respondent's language."""

    def gettext(self, string: str) -> str:
        return str(gettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(ngettext(singular, plural, n))


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


class PageForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type information
    class Meta:
        def get_translations(self, form: Any) -> CatalogTranslations:
            return CatalogTranslations()

    # Set by the factory: the survey, the page and the answers given on earlier pages.
    survey: Survey
    page: Page
    index: int  # of the page in the survey
    language: str
    earlier_answers: Mapping[str, Any]
    # Follow-up questions the posted page showed: those it did not show (hidden until an answer
    # on the page reveals them, without JavaScript to do it) are asked on the following page.
    asked: frozenset[str] | None = None
    # While `validate` runs the answers stay as posted, yet every question's check asks for the
    # answers that count and the follow-ups not asked: each is worked out once per validation.
    # (Worked out for each check, they were most of a submission's checks of the whole response.)
    _checking: dict[str, Any] | None = None

    def __getitem__(self, name: str) -> Field:
        """The field of the question `name`."""
        return super().__getitem__(field_name(name))

    def __contains__(self, name: str) -> bool:
        return bool(super().__contains__(field_name(name)))

    def answers(self) -> dict[str, Any]:
        """This page's answers as stored values (codes, numbers, text), without the follow-ups
        still to ask. Also what an unfinished page leaves in the draft ("Back"), so unknown codes
        are dropped and text is cut at TEXT_LIMIT: a draft never holds more than the page could
        take. Whether the answers are acceptable is for `validate` and, at the end,
        `page_form_to_fix`."""
        unasked = self.unasked()
        return {name: value for name, value in self._all_answers().items() if name not in unasked}

    def _all_answers(self) -> dict[str, Any]:
        return {question.name: stored_value(question, self[question.name].data)
                for question in self.page.questions if question.has_field}

    def _during_checks(self, name: str, work: Callable[[], Any]) -> Any:
        if self._checking is None:
            return work()
        if name not in self._checking:
            self._checking[name] = work()
        return self._checking[name]

    def unasked(self) -> set[str]:
        """Follow-ups that apply after this page's answers but were not on the page as sent."""
        if self.asked is None:
            return set()
        return set(self._during_checks("unasked", self._unasked))

    def _unasked(self) -> frozenset[str]:
        asked = self.asked or frozenset()
        context = counted_answers(self.survey, {**self.earlier_answers, **self._all_answers()})
        return frozenset(name for name in follow_ups(self.page)
                         if name not in asked and _is_blank(self[name])
                         and applies(self.survey.questions[name], context))

    def context(self) -> dict[str, Any]:
        """The answers that count, this page's included: what its conditions and checks see."""
        return dict(self._during_checks("context", lambda: counted_answers(
            self.survey, {**self.earlier_answers, **self.answers()})))

    def piped(self, text: str) -> str:
        """A label or hint with the answers it refers to (`${name}`) written in."""
        return piped(text, self.context(), self.survey, self.language)

    def requires(self, question: Question) -> bool:
        """Whether the question must be answered, given the answers so far: what its label says."""
        return is_required(question, self.context())

    def offer_choices(self) -> None:
        """Show, and accept, only the choices each question's `choice_filter` keeps given the
        answers of earlier pages (a filter never depends on its own page: see `loading`)."""
        filtered = [question for question in self.page.questions if question.choice_filter is not None]
        if not filtered:
            return  # most pages: nothing to work out
        counted = counted_answers(self.survey, self.earlier_answers)
        for question in filtered:
            self[question.name].choices = select_choices(offered_choices(question, counted), self.survey,
                                                         self.language)

    def validate(self, extra_validators: Any = None) -> bool:
        self.offer_choices()
        self._checking = {}
        try:
            return bool(super().validate(extra_validators))
        finally:
            self._checking = None


def page_heading(survey: Survey, page: Page, language: str) -> str:
    """A page's heading; a page of a repeat says which instance it asks about ("Child, number 2"),
    without a total, which may still change with the count."""
    label = survey.text(page.label, language)
    if page.instance is None:
        return label
    if not label:
        return str(gettext("Number %(number)d", number=page.instance))
    # Translators: the heading of a page asked once for each child (or person, or school); label is the
    # survey's name for the part ("Child"), number says which one ("Child, number 2").
    return str(gettext("%(label)s, number %(number)d", label=label, number=page.instance))


def field_name(question_name: str) -> str:
    """The form field of a question. WTForms leaves out class attributes that start with `_`, and
    XLSForm names may (`_consent`), so those get a prefix no question name can have."""
    return f"q:{question_name}" if question_name.startswith("_") else question_name


class QuestionRules:
    """Relevance, then the rules of `answer_checks`, checked on the server with the answers
    given so far including this page's: a question that is not relevant is not
    checked, and its answer is not kept."""

    def __init__(self, question: Question) -> None:
        self.question = question

    def __call__(self, form: PageForm, field: Field) -> None:
        question = self.question
        context = form.context()
        if not applies(question, context) or question.name in form.unasked():
            field.errors = []
            raise validators.StopValidation()
        blank = _is_blank(field)
        if blank:
            # An empty optional number is not "not a valid number": drop coercion errors.
            field.errors = []
        elif field.errors:
            raise validators.StopValidation()
        error = answer_error(form.survey, question, None if blank else field.data, context, form.language)
        if error is not None:
            raise validators.StopValidation(error)


def _is_blank(field: Field) -> bool:
    raw = [value for value in (field.raw_data or []) if str(value).strip()]
    return not raw and field.data in (None, "", [])


def select_choices(choices: Iterable[Choice], survey: Survey, language: str) -> list[SelectChoice]:
    """The (code, words in `language`) pairs a select field offers."""
    return [SelectChoice(choice.name, survey.text(choice.label, language)) for choice in choices]


def _field(question: Question, survey: Survey, language: str) -> Field | None:
    label = survey.text(question.label, language)
    hint = survey.text(question.hint, language)
    rules = [QuestionRules(question)]
    kwargs: dict[str, Any] = {"label": label, "description": hint, "validators": rules}
    if question.is_select:
        kwargs["choices"] = select_choices(question.choices, survey, language)
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
        return TextAreaField(render_kw={"maxlength": TEXT_LIMIT}, **kwargs)
    return None  # a note, a calculation and what the server records have no field


def _form_class(survey: Survey, page_index: int, language: str) -> type[PageForm]:
    page = survey.pages[page_index]
    attributes: dict[str, Any] = {}
    for question in page.questions:
        field = _field(question, survey, language)
        if field is not None:
            attributes[field_name(question.name)] = field
    return type(f"Page{page_index}Form", (PageForm,), attributes)


def build_page_form(survey: Survey, page_index: int, language: str, earlier_answers: Mapping[str, Any],
                    formdata: Any = None, saved: Mapping[str, Any] | None = None,
                    asked: Iterable[str] | None = None, csrf: bool = True, defaults: bool = False,
                    filtered: bool = True) -> PageForm:
    """The form for page `page_index`: filled from `formdata` when the page was
    posted, otherwise from the answers saved for this page. `asked`, for a page a
    respondent sent, names the follow-up questions it showed (see `PageForm.asked`).
    With `defaults`, a question never answered starts with its `default`. Unless `filtered` is
    false (the paper entry screen, where the answers above are not known yet), choice questions
    offer only the choices their `choice_filter` keeps."""
    form_class = _form_class(survey, page_index, language)
    saved = {**(default_answers(survey, page_index, earlier_answers, saved or {}) if defaults else {}),
             **(saved or {})}
    data = {name: form_value(survey.questions[name], value)
            for name, value in saved.items() if name in survey.questions and survey.questions[name].has_field}
    meta = {} if csrf else {"csrf": False}
    form = (form_class(formdata=formdata, data=data, meta=meta) if formdata is not None
            else form_class(data=data, meta=meta))
    form.survey = survey
    form.page = survey.pages[page_index]
    form.index = page_index
    form.language = language
    form.earlier_answers = dict(earlier_answers)
    form.asked = frozenset(asked) if asked is not None else None
    if filtered:
        form.offer_choices()
    return form


def default_answers(survey: Survey, page_index: int, earlier_answers: Mapping[str, Any],
                    saved: Mapping[str, Any]) -> dict[str, Any]:
    """The answers page `page_index` starts with for questions never answered (not even left
    empty): each question's `default`, an expression worked out with the answers of earlier pages.
    A default that is not an answer the question takes (a choice it does not offer, a number for a
    date) is left out, so the question starts empty."""
    counted = counted_answers(survey, earlier_answers)
    found: dict[str, Any] = {}
    for question in survey.pages[page_index].questions:
        if question.default is None or question.name in saved or not question.has_field:
            continue
        text = question.default
        if question.default_expression is not None:
            try:
                text = question.default_expression.text(counted)
            except ExpressionError:
                continue
        value = _default_value(question, text, counted)
        if value not in (None, "", []):
            found[question.name] = value
    return found


def _default_value(question: Question, text: str, counted: Mapping[str, Any]) -> Any:
    if question.is_select:
        offered = {choice.name for choice in offered_choices(question, counted)}
        codes = [code for code in text.split() if code in offered]
        return codes if question.multiple else (text if text in offered else None)
    try:
        if question.type == "integer":
            return int(float(text)) if float(text).is_integer() else None
        if question.type == "decimal":
            return float(text)
        if question.type == "date":
            return date.fromisoformat(text[:10]).isoformat()
        if question.type == "time":
            return time.fromisoformat(text).isoformat(timespec="minutes")
    except ValueError:
        return None
    return text[:TEXT_LIMIT]


def saved_formdata(page: Page, answers: Mapping[str, Any]) -> MultiDict[str, str]:
    """A page's saved answers as the browser would post them, to check them again."""
    posted: MultiDict[str, str] = MultiDict()
    for question in page.questions:
        value = answers.get(question.name)
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            posted.add(field_name(question.name), str(item))
    return posted


def page_form_to_fix(survey: Survey, answers: Mapping[str, Any], language: str) -> PageForm | None:
    """The first page whose saved answers its own form would not accept, with its errors,
    or None when the whole response is acceptable: required questions answered, answers
    that are choices of their question, constraints and lengths met, for every page the
    answers lead to. A response is stored only after this says None, whatever pages were
    posted in whatever order. A form is built only for a page that `answer_checks.page_passes`
    cannot vouch for."""
    counted = counted_answers(survey, answers)
    for index in shown_pages(survey, counted):
        if page_passes(survey, index, counted, language):
            continue
        form = build_page_form(survey, index, language, other_pages_answers(survey, index, counted),
                               formdata=saved_formdata(survey.pages[index], counted), csrf=False)
        if not form.validate():
            return form
    return None
