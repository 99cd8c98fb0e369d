"""Native speakers review translations in the browser: each survey text and interface
string beside its English and the glossary; they approve it or propose a change, and
staff accept changes. A translator reviews only their own language."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import pgettext
from flask_login import current_user
from flask_wtf import FlaskForm

from .. import audit, storage, surveys
from ..i18n.locale import BY_CODE, DEFAULT, LANGUAGES
from ..i18n.translation_texts import INTERFACE, POLICY, SURVEY
from ..models import Survey, SurveyVersion
from ..security.auth import roles_required
from . import progress

blueprint = Blueprint("review", __name__)
REVIEWERS = ("admin", "staff", "translator")
# Who may accept a proposed translation or recording into the survey.
ACCEPTERS = ("admin", "staff")


def _languages_for_user() -> list[str]:
    if current_user.role == "translator":
        return [current_user.language]
    return [language.code for language in LANGUAGES if language.code != DEFAULT]


def _check_language(code: str) -> None:
    if code not in BY_CODE or code == DEFAULT:
        abort(404)
    if code not in _languages_for_user():
        abort(403)


def open_review(slug: str, language_code: str) -> tuple[Survey, SurveyVersion, FlaskForm, bool]:
    """What a review page of one survey and language starts with, for texts and recordings alike:
    the survey and its version (404 or 403 otherwise), the page's form, and whether a valid post
    was sent. A post whose form expired is said so, and nothing is saved."""
    _check_language(language_code)
    survey, version = surveys.get_or_404(slug)
    form = FlaskForm()
    sent = form.validate_on_submit()
    if request.method == "POST" and not sent:
        flash(pgettext("staff", "This page had expired. Nothing was saved; please try again."), "error")
    return survey, version, form, sent


@blueprint.get("/")
@roles_required(*REVIEWERS)
def index():
    versions = sorted(surveys.newest_versions(definitions=True), key=lambda version: version.survey.slug)
    codes = _languages_for_user()
    counts = progress.progress(versions, codes)
    rows = []
    for version in versions:
        for code in codes:
            reviewed, total = counts[(version.id, code)]
            voiced, texts = recordings.voice_count(version.definition, code)
            rows.append({"survey": version.survey, "language": BY_CODE[code], "reviewed": reviewed, "total": total,
                         "voiced": voiced, "texts": texts})
    return render_template("review/index.html", rows=rows)


@blueprint.route("/<slug>/<language_code>", methods=["GET", "POST"])
@roles_required(*REVIEWERS)
def language(slug: str, language_code: str):
    survey, version, form, sent = open_review(slug, language_code)
    if sent:
        return _verdict(survey, version, language_code)
    return _page(survey, version, language_code, form)


def _page(survey, version, language_code: str, form: FlaskForm, typed: dict[str, list[str]] | None = None):
    """The language's texts; `typed` keeps what a reviewer wrote when it could not be saved."""
    found = progress.items(version, language_code)
    show = request.args.get("show", "pending")
    shown = found if show == "all" else [item for item in found if not item.reviewed or item.anchor in (typed or {})]
    return render_template("review/language.html", survey=survey, reviewing=BY_CODE[language_code], form=form,
                           items=shown, show=show, reviewed=sum(1 for item in found if item.reviewed),
                           total=len(found), glossary=progress.glossary().for_language(language_code),
                           typed=typed or {}), 400 if typed else 200


def form_text(value: str) -> str:
    # Browsers send line breaks in form fields as CRLF; the catalogs hold LF.
    return value.replace("\r\n", "\n")


def _verdict(survey, version, language_code: str):
    """Approve, propose or accept one text, named by its kind, context and English."""
    kind, context, english = (form_text(request.form.get(name, "")) for name in ("kind", "context", "english"))
    action = request.form.get("action")
    item = progress.find_item(version, language_code, kind, context, english)
    back = redirect(url_for("review.language", slug=survey.slug, language_code=language_code,
                            show=request.args.get("show", "pending")))
    if item is None or action not in ("approve", "propose", "accept"):
        flash(pgettext("staff", "That text is no longer in the survey or its English has changed. Please look again."),
              "error")
        return back
    target = survey if kind == SURVEY else None
    if action == "approve" and not item.text.translated:
        flash(pgettext("staff", "This text has no translation yet. Write one and propose it."), "error")
    elif action == "approve":
        storage.review_translation(current_user, language_code, kind, context, english, item.text.translation,
                                   survey=target)
        flash(pgettext("staff", "Approved."), "success")
    elif action == "propose":
        proposal = [form_text(value).strip() for value in request.form.getlist("proposal")]
        if len(proposal) != len(item.text.translation) or not all(proposal):
            flash(pgettext("staff", "Write the proposed translation in every box."), "error")
            return _page(survey, version, language_code, FlaskForm(), typed={item.anchor: proposal})
        if tuple(proposal) == item.text.translation:
            storage.review_translation(current_user, language_code, kind, context, english, proposal, survey=target)
            flash(pgettext("staff", "The proposal is the same as the translation, so it was approved."), "success")
        else:
            storage.review_translation(current_user, language_code, kind, context, english, item.text.translation,
                                       proposal=proposal, survey=target)
            audit.record("translation_proposed", language=language_code, kind=kind, context=context)
            flash(pgettext("staff", "Your proposal was saved. Staff will look at it."), "success")
    else:
        return _accept(survey, version, language_code, item, back)
    return back


def _accept(survey, version, language_code: str, item: progress.ReviewItem, back):
    if current_user.role not in ACCEPTERS:
        abort(403)
    proposed = item.review
    if proposed is None or proposed.status != "proposed":
        flash(pgettext("staff", "There is no proposed change to accept for that text."), "error")
        return back
    if item.text.kind == SURVEY:
        raw, po_file = progress.survey_change_po(version, proposed)
        new_version = storage.accept_translation(proposed, current_user, po_file, raw)
        audit.record("translation_accepted", language=language_code, kind=SURVEY, context=item.text.context,
                     slug=survey.slug, version=new_version.version if new_version else None)
        flash(pgettext("staff", "Accepted: the survey is now version %(version)d.",
                       version=new_version.version if new_version else version.version), "success")
    elif item.text.kind == POLICY:
        storage.accept_translation(proposed, current_user)
        storage.save_policy_text(item.text.context, language_code, proposed.translation[0], item.text.english[0],
                                 current_user)
        audit.record("translation_accepted", language=language_code, kind=POLICY, context=item.text.context)
        flash(pgettext("staff", "Accepted: families and partners now read this translation."), "success")
    else:
        storage.accept_translation(proposed, current_user)
        audit.record("translation_accepted", language=language_code, kind=INTERFACE, context=item.text.context)
        flash(pgettext("staff", "Accepted. Download the language's catalog to bring the change into the service."),
              "success")
    return back


@blueprint.get("/catalogs/<language_code>/messages.po")
@roles_required(*ACCEPTERS)
def interface_po(language_code: str):
    if language_code not in BY_CODE or language_code == DEFAULT:
        abort(404)
    folder = BY_CODE[language_code].folder
    return Response(progress.interface_po(language_code), mimetype="text/x-gettext-translation",
                    headers={"Content-Disposition": f"attachment; filename=messages-{folder}.po"})


from . import recordings  # noqa: E402,F401  (registers its routes on the blueprint)
