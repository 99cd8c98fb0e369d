"""The respondent's pages: start, one page of questions at a time, thank you."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from flask_wtf.csrf import validate_csrf
from sqlalchemy.exc import SQLAlchemyError
from wtforms.validators import ValidationError

from forms.builder import build_page_form, page_form_to_fix, saved_formdata
from forms.navigation import (first_unfinished_page, next_page, other_pages_answers, pending_follow_ups, place,
                              previous_page, revealing_choices, shown_pages, shown_questions, step)
from forms.relevance import CountedAnswers, counted_answers

from .. import contacts, drafts, storage, surveys
from ..extensions import db
from ..i18n import locale
from ..models import Draft, Response
from ..security.kiosk_sessions import IDLE_SECONDS, THANKS_SECONDS, kiosk_mode, refresh_header
from . import blueprint, page_cache, survey_or_404

HONEYPOT = "website"  # a field hidden from people; see templates/public/page.html


def _draft(slug: str, to_update: bool = True) -> drafts.SavedDraft | None:
    """The visitor's unfinished answers to this survey, if any. Showing a page only reads,
    on a connection of its own; answering a page reads in the transaction that then writes."""
    draft_id = session.get("drafts", {}).get(slug)
    if not draft_id:
        return None
    return drafts.to_update(draft_id) if to_update and request.method == "POST" else drafts.shown(draft_id)


def _token_is_valid() -> bool:
    """Whether the CSRF token posted with a form of the survey's own (Start, Start again) is this
    session's. Checked without building a form, which would sign a token for a page never shown;
    like a form, it lets anything through when the setting that switches tokens off is set."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _already_submitted(slug: str) -> bool:
    """A repeated final POST: either this browser saw the thank-you page, or the
    answer to its first try was lost (a crash after the commit) and the draft it
    names is now a stored response."""
    if session.get("done", {}).get(slug):
        return True
    draft_id = session.get("drafts", {}).get(slug)
    if draft_id and db.session.get(Response, draft_id) is not None:
        _remember("drafts", slug, None)
        _remember("done", slug, draft_id)
        return True
    return False


CONTACT_TICKETS = "contact_tickets"


def _issue_contact_ticket(slug: str) -> None:
    """After a completed response: the one contact it may leave (see `models.ContactTicket`)."""
    if contacts.enabled():
        _remember(CONTACT_TICKETS, slug, storage.issue_contact_ticket())


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
    survey = survey_or_404(slug)
    if kiosk_mode(slug):
        _kiosk_forget(slug)
    elif "ref" in request.args:
        partner = surveys.partner_by_code(request.args["ref"])
        _remember("refs", slug, partner.code if partner else None)
    return _show_start(survey, has_draft=_draft(slug) is not None)


def _show_start(survey: surveys.PublicSurvey, has_draft: bool) -> str:
    """The welcome page, rendered once per worker like question pages (see page_cache): it
    changes only with the survey's version and languages, the language, and whether the visitor
    has answers to come back to. Nothing from the query is in the key (or on the page: the
    partner a link names is remembered in the session), so no address can fill the cache."""
    key = ("start", survey.version_id, survey.offered, locale.current().code, has_draft)
    return page_cache.rendered(key, lambda: render_template(
        "public/start.html", survey=survey, definition=survey.definition, offered=survey.offered,
        slug=survey.slug, has_draft=has_draft, form=FlaskForm()))


@blueprint.post("/s/<slug>/start")
def begin(slug: str):
    survey = survey_or_404(slug)
    if not _token_is_valid():
        return redirect(url_for("public.start", slug=slug))
    # Pressing Start writes nothing when there are answers to come back to.
    draft: drafts.SavedDraft | Draft | None = _draft(slug, to_update=False)
    if draft is None or draft.survey_version_id != survey.version_id:
        kiosk = kiosk_mode(slug)
        partner = surveys.partner_by_code(kiosk["partner"] if kiosk else session.get("refs", {}).get(slug))
        draft = storage.start_draft(survey.version_id, partner, locale.current().code, "kiosk" if kiosk else "web",
                                    survey.definition)
        _remember("drafts", slug, draft.id)
        _remember("done", slug, None)
        # A kiosk's session ends when the browser is closed, so nothing outlives the meeting.
        session.permanent = kiosk is None
    carry_on = first_unfinished_page(survey.definition, draft.answers or {})
    return redirect(url_for("public.page", slug=slug, number=carry_on + 1))


@blueprint.route("/s/<slug>/<int:number>", methods=["GET", "POST"])
def page(slug: str, number: int):
    survey = survey_or_404(slug)
    definition = survey.definition
    draft = _draft(slug)
    if draft is None or draft.survey_version_id != survey.version_id:
        # The browser's Back after the thank-you page, or a repeated final POST.
        if _already_submitted(slug):
            return redirect(url_for("public.thanks", slug=slug))
        return redirect(url_for("public.start", slug=slug))
    index = number - 1
    if not 0 <= index < len(definition.pages):
        abort(404)
    answers = draft.answers or {}
    if request.method == "GET":
        counted = counted_answers(definition, answers)  # worked out once for everything below
        pages = shown_pages(definition, counted)
        if index not in pages:
            following = next_page(definition, counted, index)
            return redirect(url_for("public.page", slug=slug, number=following + 1) if following is not None
                            else url_for("public.start", slug=slug))
        if request.args.get("check"):
            # Sent here by a submission that found this page unfinished: show why.
            form = build_page_form(definition, index, locale.current().code,
                                   other_pages_answers(definition, index, counted),
                                   formdata=saved_formdata(definition.pages[index], answers))
            form.validate()
            form.csrf_token.errors = []  # nothing was posted; the token is for the next post
            return _render_page(survey, index, answers, form)
        return _show_page(survey, index, answers, counted, pages)
    if request.form.get(HONEYPOT):
        # Only a program fills the field people cannot see: keep nothing, say nothing.
        return redirect(url_for("public.start", slug=slug))
    language = locale.current().code
    earlier = other_pages_answers(definition, index, answers)
    form = build_page_form(definition, index, language, earlier, formdata=request.form,
                           asked=request.form.getlist("asked"))
    switch_to = locale.normalise_code(request.form.get("switch_language"))
    try:
        if switch_to in survey.offered and form.csrf_token.validate(form):
            # The language menu of a question page sends the page: its answers are kept unchecked.
            storage.save_answers(draft, form.answers(), language)
            return redirect(url_for("public.page", slug=slug, number=number, lang=switch_to))
        if request.form.get("action") == "back" and form.csrf_token.validate(form):
            saved = storage.save_answers(draft, form.answers(), language)
            back = previous_page(definition, saved, index)
            return redirect(url_for("public.page", slug=slug, number=back + 1) if back is not None
                            else url_for("public.start", slug=slug))
        if index not in shown_pages(definition, answers):
            # Posted to a page these answers do not lead to: nothing on it can count.
            return redirect(url_for("public.page", slug=slug, number=number))
        if form.validate():
            if form.unasked():
                # Revealed by an answer on this page without JavaScript: asked on the page that follows.
                storage.save_answers(draft, form.answers(), language)
                return redirect(url_for("public.page", slug=slug, number=number))
            merged = {**answers, **form.answers()}
            following = next_page(definition, merged, index)
            if following is not None:
                storage.save_answers(draft, form.answers(), language)
                return redirect(url_for("public.page", slug=slug, number=following + 1))
            to_fix = page_form_to_fix(definition, merged, language)
            if to_fix is not None:
                # Pages skipped or left unfinished: keep this page, show the first to fix.
                storage.save_answers(draft, form.answers(), language)
                return redirect(url_for("public.page", slug=slug, number=to_fix.index + 1, check=1))
            storage.submit_draft(draft, definition, merged, language)
            _remember("drafts", slug, None)
            _remember("done", slug, draft.id)
            _issue_contact_ticket(slug)
            return redirect(url_for("public.thanks", slug=slug))
    except SQLAlchemyError:
        # The page comes back with what the person typed, so nothing is lost.
        db.session.rollback()
        return _render_page(survey, index, answers, form, unavailable=True), 503
    return _render_page(survey, index, answers, form)


def _show_page(survey: surveys.PublicSurvey, index: int, answers: dict, counted: CountedAnswers,
               pages: list[int]) -> str:
    """A page as it is first shown, filled with the `answers` saved for it; see page_cache.
    `counted` are those that count, and `pages` the pages they show."""
    definition = survey.definition
    language = locale.current().code
    earlier = other_pages_answers(definition, index, counted)
    # Calculations and recorded times change nothing the page shows by themselves.
    saved = page_cache.saved_answers_key(tuple(question for question in definition.pages[index].questions
                                               if question.has_field), answers)
    shown = tuple(question.name for question in shown_questions(definition.pages[index], earlier))
    position, total, is_last = place(pages, index)
    # Answers written into the page's text (`${name}`) change the page too; typed ones make it theirs alone.
    # Calculated values are worked out, so they are read from the answers that count.
    piped = page_cache.saved_answers_key(
        tuple(definition.questions[name] for name in surveys.page_references(survey)[index]
              if name in definition.questions), counted)
    # A default worked out from an expression may change with the day (`today()`): not kept.
    dynamic = any(question.default_expression is not None for question in definition.pages[index].questions)
    key = None if saved is None or piped is None or dynamic else (survey.version_id, survey.offered, language, index, shown,
                                                       saved, position, total, is_last, piped)
    return page_cache.rendered(key, lambda: _render_page(
        survey, index, answers, build_page_form(definition, index, language, earlier, saved=answers, defaults=True)))


def _render_page(survey: surveys.PublicSurvey, index: int, answers: dict, form, unavailable: bool = False) -> str:
    definition = survey.definition
    filled = {**answers, **form.answers()}
    position, total = step(definition, filled, index)
    return render_template("public/page.html", survey=survey, definition=definition, offered=survey.offered,
                           slug=survey.slug, form=form, page=definition.pages[index], number=index + 1,
                           questions=shown_questions(definition.pages[index],
                                                     other_pages_answers(definition, index, answers)),
                           position=position, total=total, is_last=next_page(definition, filled, index) is None,
                           unavailable=unavailable, reveals=revealing_choices(definition.pages[index], filled),
                           pending=[] if form.errors else pending_follow_ups(definition.pages[index], answers, filled))


@blueprint.get("/s/<slug>/thanks")
def thanks(slug: str):
    survey = survey_or_404(slug)
    response_id = session.get("done", {}).get(slug)
    if not response_id or not drafts.submitted(response_id):
        return redirect(url_for("public.start", slug=slug))
    kiosk = kiosk_mode(slug) is not None
    # Nothing on the page is the respondent's own but the form's token: it is kept like the welcome
    # page, per version and languages, language, and what it links to. A kiosk's is not kept: it has no form.
    key = None if kiosk else ("thanks", survey.version_id, survey.offered, locale.current().code,
                              survey.public_results, contacts.enabled())
    return page_cache.rendered(key, lambda: render_template(
        "public/thanks.html", survey=survey, definition=survey.definition, offered=survey.offered, slug=slug,
        form=FlaskForm(), kiosk=kiosk))


@blueprint.post("/s/<slug>/again")
def again(slug: str):
    survey_or_404(slug)
    if _token_is_valid():
        _remember("done", slug, None)
    return redirect(url_for("public.start", slug=slug))


def _kiosk_forget(slug: str) -> None:
    """At a kiosk, the next person must find nothing of the previous one: the
    unfinished draft is deleted and the thank-you page can no longer be opened."""
    draft_id = session.get("drafts", {}).get(slug)
    if draft_id:
        storage.discard_draft(draft_id)
    _remember("drafts", slug, None)
    _remember("done", slug, None)


@blueprint.get("/s/<slug>/kiosk-reset")
def kiosk_reset(slug: str):
    """Where a kiosk's pages go by themselves after a submission or after a while
    without activity: back to the start, in the language the last person used (or the
    partner chose), which the next family at that meeting most likely reads too."""
    survey_or_404(slug)
    if kiosk_mode(slug):
        _kiosk_forget(slug)
    return redirect(url_for("public.start", slug=slug))


@blueprint.after_request
def kiosk_refresh(response):
    """A kiosk's question pages go back to the start after a few minutes without activity,
    and its thank-you page after a few seconds (a `Refresh` header works like a meta
    refresh, without JavaScript and within the content security policy)."""
    slug = (request.view_args or {}).get("slug")
    if slug and response.status_code in (200, 503) and kiosk_mode(slug):
        if request.endpoint == "public.page":
            response.headers["Refresh"] = refresh_header(IDLE_SECONDS, slug)
        elif request.endpoint == "public.thanks":
            response.headers["Refresh"] = refresh_header(THANKS_SECONDS, slug)
    return response


@blueprint.get("/privacy")
def privacy():
    locale.set_current(locale.choose(locale.available_codes()))
    return render_template("public/privacy.html", offered=locale.available_codes())
