"""The families' results page: the top issues of each state so far, in every survey language.

Published only while staff have switched it on for the survey (otherwise 404). Aggregates
only, under the same small-group rule as the staff reports. What a page shows is cached per
survey, state and language under the survey's response count and newest submission: a new
response changes that key, so the page is recomputed at the next visit after the count is
checked again (at most `PUBLIC_RESULTS_MAX_AGE` seconds, 30 by default, later).
"""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template
from flask_babel import format_date, format_percent

from analysis.suppression import ALL

from .. import policy_texts, surveys
from ..i18n import locale
from ..reporting import figures, snapshots
from ..reporting import rows as report_rows
from . import blueprint, survey_or_404



def _published_survey(slug: str) -> tuple[surveys.PublicSurvey, snapshots.Snapshot]:
    survey = survey_or_404(slug)
    if not survey.public_results:
        abort(404)
    max_age = current_app.config["PUBLIC_RESULTS_MAX_AGE"]
    snap = snapshots.snapshot(survey, max_age=max_age)
    # What families see is the ranked question; a survey that declares none has no results page.
    if snap.rank is None:
        abort(404)
    return survey, snap


def result_groups(snap: snapshots.Snapshot) -> list[str]:
    """The groups a results page exists for: the survey's groups, or everyone when it has none."""
    return figures.state_codes(snap) or [ALL]


def state_results(snap: snapshots.Snapshot, state: str, language: str, min_n: int) -> dict[str, Any]:
    """What the page shows for one state, formatted for `language`: published figures only."""
    names = figures.labels(snap, language)
    tables = figures.tables(snap, None, None, min_n)
    respondents = report_rows.respondents(tables.top, state)
    if respondents is None:
        return {"respondents": None}
    issues = report_rows.issue_rows(tables.top, state, names)
    first, last = tables.dates[state]
    return {
        "respondents": respondents,
        "first": format_date(first, "long"),
        "last": format_date(last, "long"),
        "issues": [(row.code, row.label, format_percent(row.share)) for row in issues if not row.suppressed],
        "some_hidden": any(row.suppressed for row in issues),
    }


@blueprint.get("/s/<slug>/results")
def results_index(slug: str):
    survey, snap = _published_survey(slug)
    language = locale.current().code
    names = figures.labels(snap, language)
    states = [(code, names.state(code)) for code in result_groups(snap)]
    return render_template("public/results.html", survey=survey, definition=survey.definition, offered=survey.offered,
                           slug=slug, states=states, state=None)


@blueprint.get("/s/<slug>/results/<state>")
def results(slug: str, state: str):
    survey, snap = _published_survey(slug)
    if state not in result_groups(snap):
        abort(404)
    language = locale.current().code
    min_n = int(current_app.config["MIN_GROUP_SIZE"])
    shown = snapshots.derived(snap, "public", (state, language, min_n),
                                lambda: state_results(snap, state, language, min_n))
    # Staff edit the lines at any time, so they are read at each visit, not cached with the figures.
    lines = policy_texts.issue_lines([code for code, _label, _share in shown.get("issues", [])], language)
    return render_template("public/results.html", survey=survey, definition=survey.definition, offered=survey.offered,
                           slug=slug, state=state, state_name=figures.labels(snap, language).state(state),
                           results=shown, min_n=min_n, lines=lines, languages=locale.BY_CODE)
