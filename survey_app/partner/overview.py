"""The partner's view of a published survey's overview: the staff report's figures, aggregates
only, with date ranges widened so that two nearby ranges give nothing away."""
from __future__ import annotations

from flask import render_template

from ..security.auth import roles_required
from ..staff.reports import overview_context
from . import blueprint


@blueprint.get("/overview/<slug>")
@roles_required("partner")
def partner_overview(slug: str):
    return render_template("staff/overview.html", audience="partner", form=None,
                           **overview_context(slug, "partner"))
