"""A one-page printable fact sheet per state: the state's English Learner figures beside the
issues its families raised, a chart, and a few comments staff starred as quotable.

Print-ready HTML (the browser's "Print" or "Save as PDF"); the figures follow the same
suppression as the reports, and a suppressed state shows neither figures nor quotes.
"""
from __future__ import annotations

from flask import abort, render_template
from flask_babel import format_decimal, pgettext

from .. import locale, report_data, report_rows, state_facts
from ..auth import roles_required
from . import blueprint
from .comments import starred_quotes
from .reports import FORMATS, min_n, survey_or_404

TOP_ISSUES = 5
QUOTES = 3


def el_students_text(facts: state_facts.StateFacts) -> str:
    """The count as published: a lower bound is only ever "more than N"."""
    count = format_decimal(facts.el_students)
    if facts.el_students_is_lower_bound:
        return pgettext("staff", "more than %(count)s", count=count)
    return count


@blueprint.get("/factsheets/<slug>/<state>")
@roles_required("admin", "staff")
def factsheet(slug: str, state: str):
    survey = survey_or_404(slug)
    facts = state_facts.for_state(state)
    snap = report_data.snapshot(survey)
    # Fact sheets are per US state: only for a survey that ranks a question and groups by states.
    if facts is None or snap.rank is None or state not in report_data.state_codes(snap):
        abort(404)
    language = locale.current().code
    names = report_data.labels(snap, language)
    tables = report_data.tables(snap, None, None, min_n())
    respondents = report_rows.respondents(tables.top, state)
    issues = [row for row in report_rows.issue_rows(tables.top, state, names) if not row.suppressed]
    quotes = starred_quotes(snap, state, snap.survey, QUOTES) if respondents is not None else []
    return render_template(
        "staff/factsheet.html", survey=survey, state=state, state_name=names.state(state), facts=facts,
        el_students=el_students_text(facts), respondents=respondents, period=tables.dates.get(state),
        issues=issues[:TOP_ISSUES],
        quotes=quotes, languages=locale.BY_CODE, min_n=min_n(), top=TOP_ISSUES, pending=report_data.pending(snap),
        title=snap.survey.text(snap.survey.title, language), **FORMATS)
