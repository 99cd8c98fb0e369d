"""The respondent's pages: the survey itself (`views`), its published results (`results`) and the
optional follow-up (`contact`). Every one of them finds its survey with `survey_or_404`."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from .. import surveys
from ..i18n import locale

blueprint = Blueprint("public", __name__)


def survey_or_404(slug: str) -> surveys.PublicSurvey:
    """The survey a respondent's page is for, from the worker's short-lived copy, with the page in a
    language the survey offers; a draft or closed survey shows its polite message instead."""
    survey = surveys.public_survey(slug)
    if survey is None:
        abort(404)
    locale.set_current(locale.choose(survey.offered))
    if survey.status != "open":
        _not_open(survey)
    return survey


def _not_open(survey: surveys.PublicSurvey) -> None:
    """Every page of a draft or closed survey shows a polite message instead, so
    nothing can be answered, whichever link or bookmark brought the visitor here."""
    abort(current_app.make_response(render_template("public/closed.html", survey=survey,
                                                    definition=survey.definition, offered=survey.offered)))


from . import views  # noqa: E402,F401  (registers its routes on the blueprint)
from . import results  # noqa: E402,F401  (registers its routes on the blueprint)
from . import contact  # noqa: E402,F401  (registers its routes on the blueprint)
