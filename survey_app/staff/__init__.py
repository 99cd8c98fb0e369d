"""The staff area: reports, exports and the partnership's settings."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import pgettext
from flask_wtf import FlaskForm
from sqlalchemy import select

from .. import storage, surveys
from ..extensions import db
from ..i18n import locale, translation_status
from ..models import Partner
from ..review.progress import progress as review_progress
from ..security.auth import roles_required

blueprint = Blueprint("staff", __name__)


@blueprint.get("/")
@roles_required("admin", "staff")
def home():
    organisations = db.session.scalars(select(Partner).order_by(Partner.state_code, Partner.name)).all()
    return render_template("staff/home.html", surveys=surveys.response_counts(), partners=organisations)


def _language_rows(survey, version) -> list[dict]:
    offered = surveys.offered_languages(survey, version)
    statuses = translation_status.survey_language_status(
        version.definition, [language.code for language in locale.LANGUAGES], current_app.extensions["catalog_status"])
    reviewed = review_progress([version], [status.code for status in statuses if status.code != locale.DEFAULT])
    return [{"status": status, "offered": status.code in offered,
             "switched_on": survey.languages is None or status.code in survey.languages,
             "native_review": reviewed.get((version.id, status.code))}
            for status in statuses]


@blueprint.route("/surveys/<slug>/languages", methods=["GET", "POST"])
@roles_required("admin", "staff")
def survey_languages(slug: str):
    survey, version = surveys.get_or_404(slug)
    form = FlaskForm()
    rows = _language_rows(survey, version)
    if form.validate_on_submit():
        wanted = set(request.form.getlist("languages"))
        incomplete = [locale.name_for_reader(row["status"].language) for row in rows
                      if row["status"].code in wanted and not row["status"].complete]
        if incomplete:
            flash(pgettext("staff", "These languages are not fully translated yet, so they cannot be switched on: %(names)s.",
                          names=", ".join(incomplete)), "error")
        else:
            codes = [row["status"].code for row in rows if row["status"].code in wanted]
            storage.set_survey_languages(survey, codes)
            flash(pgettext("staff", "Languages saved."), "success")
            return redirect(url_for("staff.survey_languages", slug=slug))
    return render_template("staff/languages.html", survey=survey, version=version, rows=rows, form=form)


from . import partners  # noqa: E402,F401  (registers its routes on the blueprint)
from . import audit  # noqa: E402,F401  (registers its routes on the blueprint)
from . import publishing  # noqa: E402,F401  (registers its routes on the blueprint)
from . import reports  # noqa: E402,F401  (registers its routes on the blueprint)
from . import exports  # noqa: E402,F401  (registers its routes on the blueprint)
from . import comments  # noqa: E402,F401  (registers its routes on the blueprint)
from . import factsheets  # noqa: E402,F401  (registers its routes on the blueprint)
from . import contacts  # noqa: E402,F401  (registers its routes on the blueprint)
from . import policy  # noqa: E402,F401  (registers its routes on the blueprint)
