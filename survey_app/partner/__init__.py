"""The partner portal: each partner organisation sees its own work only."""
from flask import Blueprint, render_template
from flask_login import current_user

from .. import surveys
from ..security.auth import roles_required

blueprint = Blueprint("partner", __name__)


@blueprint.get("/")
@roles_required("partner")
def home():
    partner = current_user.partner
    return render_template("partner/home.html", partner=partner,
                           surveys=surveys.response_counts(partner_id=partner.id))


from . import distribute  # noqa: E402,F401  (registers its routes on the blueprint)
from . import briefs, calendar, connections, kiosk, overview, paper, responses  # noqa: E402,F401  (register their routes on the blueprint)
