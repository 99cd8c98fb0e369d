"""Partners working on the same issue in other states can find each other."""
from __future__ import annotations

from flask import abort, current_app, render_template
from flask_login import current_user
from sqlalchemy import select

from .. import locale, policy, report_data, report_rows
from ..auth import roles_required
from ..extensions import db
from ..models import Partner
from ..state_facts import all_states
from . import blueprint

TOP = 3


@blueprint.get("/connections/<slug>")
@roles_required("partner")
def connections(slug: str):
    survey = report_data.find_survey(slug)
    if survey is None or survey.status == "draft":
        abort(404)
    snap = report_data.snapshot(survey)
    states = report_data.state_codes(snap)
    if snap.rank is None or not set(states) & set(all_states()):
        abort(404)  # the survey does not rank issues by state
    tables = report_data.tables(snap, None, None, int(current_app.config["MIN_GROUP_SIZE"]))
    names = report_data.labels(snap, locale.current().code)
    top_by_state = {state: [row.code for row in report_rows.issue_rows(tables.top, state, names)
                            if not row.suppressed][:TOP] for state in states}
    own = current_user.partner.state_code
    shared = policy.shared_issues(top_by_state, own)
    partners: dict[str, list[Partner]] = {}
    for partner in db.session.scalars(select(Partner).where(Partner.active.is_(True)).order_by(Partner.name)):
        partners.setdefault(partner.state_code, []).append(partner)
    return render_template("partner/connections.html", survey=survey, shared=shared, partners=partners, names=names,
                           own_name=names.state(own), own_published=bool(top_by_state.get(own)),
                           state_names={code: facts.name for code, facts in all_states().items()}, top=TOP)
