"""A partner's brief: the fact sheet of its own state for one dated advocacy opportunity, signed
with the partner's name, as a page and as a PDF (made as staff's are, in `staff/factsheets.py`)."""
from __future__ import annotations

from typing import Any

from flask import render_template
from flask_login import current_user

from .. import audit, surveys
from ..security.auth import roles_required
from ..staff.factsheets import brief_context, chart_data, pdf_reply
from . import blueprint


@blueprint.get("/briefs/<slug>/<int:date_id>")
@roles_required("partner")
def partner_brief(slug: str, date_id: int):
    """A partner's brief for a date in its own state, signed with its name."""
    context = _partnerbrief_context(slug, date_id)
    return render_template("staff/factsheet.html", pdf=False, chart_src=chart_data(context), state_partners=[],
                           **context)


@blueprint.get("/briefs/<slug>/<int:date_id>.pdf")
@roles_required("partner")
def partner_brief_pdf(slug: str, date_id: int):
    context = _partnerbrief_context(slug, date_id)
    code = context["sheet_language"].code
    audit.record("partner_download", what="brief", survey=slug, date_id=date_id, language=code)
    return pdf_reply(context, f"{slug}-{context['state']}-brief-{date_id}-{code}.pdf")


def _partnerbrief_context(slug: str, date_id: int) -> dict[str, Any]:
    """The logged-in partner's brief: its own state's date, of a published survey only."""
    surveys.get_or_404(slug, published=True)
    partner = current_user.partner
    return brief_context(slug, partner.state_code, date_id, partner)
