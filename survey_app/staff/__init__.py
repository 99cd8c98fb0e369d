"""The staff area: reports, exports and the partnership's settings."""
from flask import Blueprint, render_template
from sqlalchemy import select

from .. import surveys
from ..auth import roles_required
from ..extensions import db
from ..models import Partner

blueprint = Blueprint("staff", __name__)


@blueprint.get("/")
@roles_required("admin", "staff")
def home():
    partners = db.session.scalars(select(Partner).order_by(Partner.state_code, Partner.name)).all()
    return render_template("staff/home.html", surveys=surveys.response_counts(), partners=partners)
