"""Partners working on the same issue in other states can find each other."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, render_template
from flask_login import current_user
from sqlalchemy import select

from .. import policy
from ..extensions import db
from ..i18n import locale
from ..models import Partner
from ..reporting import figures, snapshots
from ..reporting import rows as report_rows
from ..security.auth import roles_required
from ..state_facts import all_states
from . import blueprint

TOP = 3


@dataclass(frozen=True)
class StateIssues:
    """The published top issues of every state in a survey that ranks issues by state."""

    top_by_state: dict[str, list[str]]  # state -> issue codes, most chosen first
    names: figures.Labels


def state_issues(slug: str) -> StateIssues | None:
    """None when the survey is missing, a draft, or does not rank issues by US state."""
    survey = snapshots.find_survey(slug)
    if survey is None or survey.status == "draft":
        return None
    snap = snapshots.snapshot(survey)
    states = figures.state_codes(snap)
    if snap.rank is None or not set(states) & set(all_states()):
        return None
    tables = figures.tables(snap, None, None, int(current_app.config["MIN_GROUP_SIZE"]))
    names = figures.labels(snap, locale.current().code)
    return StateIssues({state: [row.code for row in report_rows.issue_rows(tables.top, state, names)
                                if not row.suppressed][:TOP] for state in states}, names)


@blueprint.get("/connections/<slug>")
@roles_required("partner")
def connections(slug: str):
    found = state_issues(slug)
    if found is None:
        abort(404)
    own = current_user.partner.state_code
    shared = policy.shared_issues(found.top_by_state, own)
    partners: dict[str, list[Partner]] = {}
    for partner in db.session.scalars(select(Partner).where(Partner.active.is_(True)).order_by(Partner.name)):
        partners.setdefault(partner.state_code, []).append(partner)
    return render_template("partner/connections.html", survey=snapshots.find_survey(slug), shared=shared,
                           partners=partners, names=found.names, own_name=found.names.state(own),
                           own_published=bool(found.top_by_state.get(own)),
                           state_names={code: facts.name for code, facts in all_states().items()}, top=TOP)
