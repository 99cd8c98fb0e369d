"""Distribution in the partner portal: each open survey's tracked link per language,
its QR code and a printable flyer.

The partner code always comes from the logged-in user, never from the URL, so a
partner can only ever produce links that credit its own organisation."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, render_template
from flask_babel import pgettext
from flask_login import current_user
from sqlalchemy import select

from forms.survey import Survey as SurveyDefinition

from .. import qr, surveys
from ..extensions import db
from ..i18n import locale
from ..models import Survey, SurveyVersion
from ..page_context import public_url_for
from ..security.auth import roles_required
from . import blueprint

PNG_SCALE = 10  # pixels per module: about 400 pixels square, sharp in a message or on a slide


@dataclass(frozen=True)
class LanguageLink:
    language: locale.Language
    url: str


@dataclass(frozen=True)
class SurveyLinks:
    slug: str
    definition: SurveyDefinition
    links: tuple[LanguageLink, ...]


def tracked_link(slug: str, partner_code: str, language: str) -> str:
    """The absolute link a family opens: the partner's code and the language, nothing else."""
    return public_url_for("public.start", slug=slug, ref=partner_code, lang=language)


def open_survey_links(partner_code: str) -> list[SurveyLinks]:
    """For every open survey, one tracked link per language offered to families."""
    result = []
    for survey in db.session.scalars(select(Survey).where(Survey.status == "open").order_by(Survey.slug)):
        version = surveys.newest_version(survey.slug)
        if version is None:
            continue
        links = tuple(LanguageLink(locale.language_for(code), tracked_link(survey.slug, partner_code, code))
                      for code in surveys.offered_languages(survey, version))
        result.append(SurveyLinks(survey.slug, surveys.parsed(version), links))
    return result


def _open_survey_in(slug: str, language: str) -> tuple[Survey, SurveyVersion]:
    """The open survey `slug` when `language` is offered; 404 otherwise, so nothing is
    printed for a survey families cannot answer."""
    survey, version = surveys.get_or_404(slug)
    if survey.status != "open" or language not in surveys.offered_languages(survey, version):
        abort(404)
    return survey, version


@blueprint.context_processor
def distribution_context() -> dict:
    # A callable, so pages that do not list links do not pay for the queries.
    return {"partner_survey_links": lambda: open_survey_links(current_user.partner.code)}


# The language is `language_code`, not `lang`: `?lang=` is the language of the portal's own pages.
@blueprint.get("/surveys/<slug>/qr/<language_code>.svg")
@roles_required("partner")
def qr_svg(slug: str, language_code: str):
    _open_survey_in(slug, language_code)
    link = tracked_link(slug, current_user.partner.code, language_code)
    return Response(qr.qr_svg(link), mimetype="image/svg+xml")


@blueprint.get("/surveys/<slug>/qr/<language_code>.png")
@roles_required("partner")
def qr_png(slug: str, language_code: str):
    _open_survey_in(slug, language_code)
    link = tracked_link(slug, current_user.partner.code, language_code)
    return Response(qr.qr_png(link, PNG_SCALE), mimetype="image/png")


@blueprint.get("/surveys/<slug>/flyer/<language_code>")
@roles_required("partner")
def flyer(slug: str, language_code: str):
    _survey, version = _open_survey_in(slug, language_code)
    partner = current_user.partner
    # The controls around the flyer are for the partner user, in the partner user's language;
    # they are translated before the page switches to the flyer's language.
    own_language = locale.current()
    controls = {
        "print": pgettext("staff", "Print this page with your browser's print command. Only the flyer is printed."),
        "back": pgettext("staff", "Back to your survey links"),
    }
    locale.set_current(language_code)
    return render_template("partner/flyer.html", slug=slug, definition=surveys.parsed(version), partner=partner,
                           link=tracked_link(slug, partner.code, language_code), own_language=own_language,
                           controls=controls)
