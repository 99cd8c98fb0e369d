"""The respondent's pages: start, one page of questions at a time, thank you."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError

from forms.builder import build_page_form
from forms.navigation import next_page, previous_page, shown_pages, shown_questions, step

from .. import locale, storage, surveys
from ..extensions import db
from ..models import Draft, Response

blueprint = Blueprint("public", __name__)


def _survey_or_404(slug: str):
    survey = surveys.find_survey(slug)
    version = surveys.newest_version(slug) if survey else None
    if version is None:
        abort(404)
    definition = surveys.parsed(version)
    offered = surveys.offered_languages(survey, version)
    locale.set_current(locale.choose(offered))
    return survey, version, definition, offered


def _draft(slug: str) -> Draft | None:
    draft_id = session.get("drafts", {}).get(slug)
    return db.session.get(Draft, draft_id) if draft_id else None


def _remember(key: str, slug: str, value: str | None) -> None:
    kept = dict(session.get(key, {}))
    if value is None:
        kept.pop(slug, None)
    else:
        kept[slug] = value
    session[key] = kept


@blueprint.get("/")
def home():
    return redirect(url_for("public.start", slug=current_app.config["DEFAULT_SURVEY"]))


@blueprint.get("/s/<slug>")
def start(slug: str):
    survey, version, definition, offered = _survey_or_404(slug)
    if "ref" in request.args:
        partner = surveys.partner_by_code(request.args["ref"])
        _remember("refs", slug, partner.code if partner else None)
    return render_template("public/start.html", survey=survey, definition=definition, offered=offered,
                           slug=slug, draft=_draft(slug), form=FlaskForm())


@blueprint.post("/s/<slug>/start")
def begin(slug: str):
    survey, version, definition, offered = _survey_or_404(slug)
    if survey.status != "open" or not FlaskForm().validate_on_submit():
        return redirect(url_for("public.start", slug=slug))
    draft = _draft(slug)
    if draft is None or draft.survey_version_id != version.id:
        partner = surveys.partner_by_code(session.get("refs", {}).get(slug))
        draft = storage.start_draft(version, partner, locale.current().code)
        _remember("drafts", slug, draft.id)
        _remember("done", slug, None)
        session.permanent = True
    first = shown_pages(definition, draft.answers or {})[0]
    return redirect(url_for("public.page", slug=slug, number=first + 1))


@blueprint.route("/s/<slug>/<int:number>", methods=["GET", "POST"])
def page(slug: str, number: int):
    survey, version, definition, offered = _survey_or_404(slug)
    draft = _draft(slug)
    if draft is None or draft.survey_version_id != version.id:
        if request.method == "POST" and session.get("done", {}).get(slug):
            return redirect(url_for("public.thanks", slug=slug))
        return redirect(url_for("public.start", slug=slug))
    index = number - 1
    if not 0 <= index < len(definition.pages):
        abort(404)
    answers = draft.answers or {}
    language = locale.current().code
    earlier = {k: v for k, v in answers.items() if k not in {q.name for q in definition.pages[index].questions}}
    unavailable = False
    if request.method == "GET":
        form = build_page_form(definition, index, language, earlier, saved=answers)
    else:
        form = build_page_form(definition, index, language, earlier, formdata=request.form)
        try:
            if request.form.get("action") == "back" and form.csrf_token.validate(form):
                storage.save_answers(draft, form.answers(), language)
                back = previous_page(definition, draft.answers, index)
                return redirect(url_for("public.page", slug=slug, number=back + 1) if back is not None
                                else url_for("public.start", slug=slug))
            if form.validate():
                storage.save_answers(draft, form.answers(), language)
                following = next_page(definition, draft.answers, index)
                if following is not None:
                    return redirect(url_for("public.page", slug=slug, number=following + 1))
                storage.submit_draft(draft, definition)
                _remember("drafts", slug, None)
                _remember("done", slug, draft.id)
                return redirect(url_for("public.thanks", slug=slug))
        except SQLAlchemyError:
            # The page comes back with what the person typed, so nothing is lost.
            db.session.rollback()
            unavailable = True
    if index not in shown_pages(definition, answers) and request.method == "GET":
        following = next_page(definition, answers, index)
        return redirect(url_for("public.page", slug=slug, number=following + 1) if following is not None
                        else url_for("public.start", slug=slug))
    position, total = step(definition, {**answers, **form.answers()}, index)
    is_last = next_page(definition, {**answers, **form.answers()}, index) is None
    questions = shown_questions(definition.pages[index], earlier)
    return render_template("public/page.html", survey=survey, definition=definition, offered=offered, slug=slug,
                           form=form, questions=questions, page=definition.pages[index], number=number,
                           position=position, total=total, is_last=is_last,
                           unavailable=unavailable), 503 if unavailable else 200


@blueprint.get("/s/<slug>/thanks")
def thanks(slug: str):
    survey, version, definition, offered = _survey_or_404(slug)
    response_id = session.get("done", {}).get(slug)
    if not response_id or db.session.get(Response, response_id) is None:
        return redirect(url_for("public.start", slug=slug))
    return render_template("public/thanks.html", survey=survey, definition=definition, offered=offered, slug=slug,
                           form=FlaskForm())


@blueprint.post("/s/<slug>/again")
def again(slug: str):
    _survey_or_404(slug)
    if FlaskForm().validate_on_submit():
        _remember("done", slug, None)
    return redirect(url_for("public.start", slug=slug))


@blueprint.get("/privacy")
def privacy():
    locale.set_current(locale.choose(locale.available_codes()))
    return render_template("public/privacy.html", offered=locale.available_codes())
