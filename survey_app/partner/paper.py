"""Paper mode: a printable form in each language the survey offers families, and a
screen where partner staff key in the completed forms.

The printed form and the entry screen number the questions the same way and show the
same question and choice codes, so a form is keyed in by reading down the page. The
entry screen checks a form with the survey's own page forms (required answers,
constraints, relevance), one page after another, as if a family had answered online.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import pgettext
from flask_login import current_user

from forms.builder import PageForm, build_page_form, page_heading
from forms.survey import Question
from forms.survey import Survey as SurveyDefinition
from forms.expressions import Call, Chain, Constant, Expression, Node, Reference
from forms.navigation import page_is_shown
from forms.relevance import counted_answers

from .. import storage, surveys
from ..i18n import locale
from ..models import Survey, SurveyVersion
from ..security.auth import roles_required
from . import blueprint

LANGUAGE_FIELD = "form_language"
ENTERED_KEY = "paper_entered"


@dataclass(frozen=True)
class SkipRule:
    """When a question or part applies: if the answer to question `number` was one of
    `answers` (labels). `number` is None when the rule is not that simple; the form
    then says to skip it if it does not apply."""

    number: int | None
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class PaperQuestion:
    question: Question
    number: int | None  # None for a note
    label: str
    hint: str
    choices: tuple[tuple[str, str], ...]  # (code, label)
    skip: SkipRule | None


@dataclass(frozen=True)
class PaperPart:
    label: str
    skip: SkipRule | None
    questions: tuple[PaperQuestion, ...]


def question_numbers(definition: SurveyDefinition) -> dict[str, int]:
    """1, 2, 3 ... down the whole survey; notes take no number."""
    names = [q.name for page in definition.pages for q in page.questions if q.has_field]
    return {name: number for number, name in enumerate(names, start=1)}


def _alternatives(node: Node) -> list[Node]:
    if isinstance(node, Chain) and node.rest and all(op == "or" for op, _ in node.rest):
        return [term for part in (node.first, *(n for _, n in node.rest)) for term in _alternatives(part)]
    return [node]


def _code(constant: Constant) -> str:
    value = constant.value
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _choice_test(node: Node) -> tuple[str, str] | None:
    """(question, code) for `${q} = 'code'` and `selected(${q}, 'code')`."""
    if isinstance(node, Chain) and len(node.rest) == 1 and node.rest[0][0] == "=":
        left, right = node.first, node.rest[0][1]
        if isinstance(left, Constant):
            left, right = right, left
        if isinstance(left, Reference) and isinstance(right, Constant):
            return left.name, _code(right)
    if (isinstance(node, Call) and node.name == "selected" and len(node.args) == 2
            and isinstance(node.args[0], Reference) and isinstance(node.args[1], Constant)):
        return node.args[0].name, _code(node.args[1])
    return None


def skip_rule(expression: Expression, definition: SurveyDefinition, numbers: Mapping[str, int],
              language: str) -> SkipRule:
    """A `relevant` expression in words a family can follow on paper, when it only asks
    which answers were chosen to one earlier question."""
    found = [_choice_test(term) for term in _alternatives(expression.tree)]
    tests = [test for test in found if test is not None]
    if not tests or len(tests) < len(found) or len({name for name, _ in tests}) != 1:
        return SkipRule(None)
    name = tests[0][0]
    question = definition.questions.get(name)
    labels = {c.name: definition.text(c.label, language) for c in question.choices} if question else {}
    codes = list(dict.fromkeys(code for _, code in tests))
    if name not in numbers or any(code not in labels for code in codes):
        return SkipRule(None)
    return SkipRule(numbers[name], tuple(labels[code] for code in codes))


def paper_parts(definition: SurveyDefinition, language: str) -> list[PaperPart]:
    """The survey laid out for paper in `language`. A question that applies only after
    some answers says so in its hint; one without a hint gets the rule in words."""
    numbers = question_numbers(definition)
    parts = []
    for page in definition.pages:
        items = []
        for question in page.questions:
            if question.type != "note" and not question.has_field:
                continue  # worked out or recorded, never asked
            hint = definition.text(question.hint, language)
            skip = (skip_rule(question.relevant, definition, numbers, language)
                    if question.relevant is not None and not hint else None)
            choices = tuple((c.name, definition.text(c.label, language)) for c in question.choices)
            items.append(PaperQuestion(question, numbers.get(question.name), definition.text(question.label, language),
                                       hint, choices, skip))
        skip = skip_rule(page.relevant, definition, numbers, language) if page.relevant is not None else None
        parts.append(PaperPart(page_heading(definition, page, language), skip, tuple(items)))
    return parts


def entry_forms(definition: SurveyDefinition, language: str, formdata: Any = None) -> list[PageForm]:
    """Every page's form, for the one-screen entry of a whole paper form. A printed form lists every
    choice, so the screen does too; checking a page keeps only those its choice filter allows."""
    return [build_page_form(definition, index, language, {}, formdata=formdata, filtered=False)
            for index in range(len(definition.pages))]


def checked_answers(definition: SurveyDefinition, forms: list[PageForm]) -> dict[str, Any] | None:
    """Check the pages in order, each with the answers of the pages before it, as the
    online survey does; a part the answers skip is not checked. The answers, or None
    when a form has errors (they are then on the fields)."""
    answers: dict[str, Any] = {}
    valid = True
    for page, form in zip(definition.pages, forms):
        form.earlier_answers = counted_answers(definition, answers)
        if not page_is_shown(page, form.earlier_answers):
            continue
        valid = form.validate() and valid
        answers.update(form.answers())
    return answers if valid else None


def _open_survey(slug: str) -> tuple[Survey, SurveyVersion, SurveyDefinition, tuple[str, ...]]:
    """An open survey, with the languages families are offered; 404 otherwise."""
    survey, version = surveys.get_or_404(slug)
    if survey.status != "open":
        abort(404)
    return survey, version, surveys.parsed(version), surveys.offered_languages(survey, version)


@blueprint.get("/surveys/<slug>/paper")
@roles_required("partner")
def paper(slug: str):
    survey, version, definition, offered = _open_survey(slug)
    return render_template("partner/paper_index.html", survey=survey, definition=definition,
                           languages=[locale.language_for(code) for code in offered])


# Not named `lang`: the language menu of every page, error pages included, adds `?lang=`.
@blueprint.get("/surveys/<slug>/paper/<language_code>")
@roles_required("partner")
def paper_form(slug: str, language_code: str):
    survey, version, definition, offered = _open_survey(slug)
    if language_code not in offered:
        abort(404)
    # The whole printed page, its instructions included, is in the form's language.
    locale.set_current(language_code)
    return render_template("partner/paper_form.html", survey=survey, version=version, definition=definition,
                           parts=paper_parts(definition, language_code), partner_code=current_user.partner.code)


@blueprint.route("/surveys/<slug>/enter", methods=["GET", "POST"])
@roles_required("partner")
def enter(slug: str):
    survey, version, definition, offered = _open_survey(slug)
    shown_in = locale.current().code
    language_error = None
    if request.method == "POST":
        forms = entry_forms(definition, shown_in, request.form)
        form_language = request.form.get(LANGUAGE_FIELD, "")
        answers = checked_answers(definition, forms)
        if form_language not in offered:
            language_error = pgettext("staff", "Choose the language the paper form is in.")
        elif answers is not None:
            storage.store_entered_response(version, definition, current_user.partner, form_language, answers,
                                           current_user)
            entered = dict(session.get(ENTERED_KEY, {}))
            entered[slug] = entered.get(slug, 0) + 1
            session[ENTERED_KEY] = entered
            flash(pgettext("staff", "Saved. Enter the next form."), "saved")
            kept: dict[str, Any] = {LANGUAGE_FIELD: form_language}
            return redirect(url_for("partner.enter", slug=slug, **kept))
    else:
        forms = entry_forms(definition, shown_in)
        form_language = request.args.get(LANGUAGE_FIELD, "")
        if form_language not in offered:
            form_language = definition.default_language
    return render_template("partner/paper_enter.html", survey=survey, definition=definition,
                           parts=paper_parts(definition, shown_in), forms=forms,
                           languages=[locale.language_for(code) for code in offered], form_language=form_language,
                           language_error=language_error, language_field=LANGUAGE_FIELD,
                           entered=session.get(ENTERED_KEY, {}).get(slug, 0))
