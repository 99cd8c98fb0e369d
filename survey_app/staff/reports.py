"""Staff reports: every state side by side, one state in depth, and its chart.

Every figure comes from `analysis` through `reporting`, with the small-group rule applied
there; the pages only label and format what is published. Partner users get the side-by-side
overview too (aggregates only), on the partner portal.
"""
from __future__ import annotations

import re
from itertools import chain
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent, pgettext
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from matplotlib.figure import Figure

from analysis.charts import figure_to_bytes, top_issues_chart, wrap
from analysis.suppression import ALL

from .. import audit, policy, policy_texts, state_facts, storage, surveys
from ..i18n import locale
from ..reporting import figures, filters, snapshots
from ..reporting import rows as report_rows
from ..security.auth import roles_required
from . import blueprint

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OVERVIEW_TOP = 3
CHART_LABEL_WIDTH = 42


def min_n() -> int:
    return int(current_app.config["MIN_GROUP_SIZE"])


def number(value: int | None) -> str:
    return "" if value is None else format_decimal(value)


def percent(value: float | None) -> str:
    return "" if value is None else format_percent(value, "#,##0.0%")


def points(value: float | None) -> str:
    """A difference of two shares, in percentage points, with its sign."""
    if value is None:
        return ""
    return pgettext("staff", "%(sign)s%(points)s points", sign="+" if value > 0 else "",
                    points=format_decimal(round(value * 100, 1), "#,##0.0"))


def p_value(value: float | None) -> str:
    if value is None:
        return ""
    return "< 0.001" if value < 0.001 else format_decimal(value, "0.000")


FORMATS = {"number": number, "percent": percent, "points": points, "p_value": p_value}


@dataclass
class DateRange:
    """The report's date filter as typed, with what was wrong with it."""

    start: date | None = None
    end: date | None = None
    typed: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def query(self) -> dict[str, Any]:
        """The filter for links: only valid dates are carried on."""
        return {name: day.isoformat() for name, day in (("start", self.start), ("end", self.end)) if day}


def parse_dates(args: Mapping[str, str]) -> DateRange:
    """Read `start` and `end` (YYYY-MM-DD, both days included). Invalid input is kept as
    typed, with a message, and the report is shown without that filter."""
    found = DateRange(typed={name: args.get(name, "").strip()[:40] for name in ("start", "end")})
    messages = {
        "start": pgettext("staff", "Enter the start date as a real date, for example 2026-10-01."),
        "end": pgettext("staff", "Enter the end date as a real date, for example 2026-10-31."),
    }
    for name in ("start", "end"):
        value = found.typed[name]
        if not value:
            continue
        try:
            day = date.fromisoformat(value) if ISO_DATE.match(value) else None
        except ValueError:
            day = None
        if day is None:
            found.errors.append((name, messages[name]))
        else:
            setattr(found, name, day)
    if found.start and found.end and found.start > found.end:
        found.errors.append(("end", pgettext("staff", "The end date must be the same as or after the start date.")))
        found.start = found.end = None
    return found


def overview_rows(tables: figures.Tables, names: figures.Labels) -> list[dict[str, Any]]:
    """Every state (ALL first): respondents, dates and the three most chosen issues."""
    rows = []
    for group in dict.fromkeys(tables.top["group"]):
        issues = report_rows.issue_rows(tables.top, group, names)
        rows.append({
            "code": group, "label": names.state(group),
            "respondents": report_rows.respondents(tables.top, group),
            "dates": tables.dates.get(group),
            "top": [row for row in issues if not row.suppressed][:OVERVIEW_TOP],
        })
    return rows


def widened_text(start: date | None, end: date | None) -> Markup:
    """The dates a partner's figures are for, after widening."""
    # The sentence is escaped and the dates put in as markup, so each reads left to right in any language.
    if start and end:
        return escape(pgettext("staff", "from %(start)s to %(end)s")) % {"start": locale.day_html(start),
                                                                      "end": locale.day_html(end)}
    if start:
        return escape(pgettext("staff", "from %(start)s to today")) % {"start": locale.day_html(start)}
    if end:
        return escape(pgettext("staff", "from the first response to %(end)s")) % {"end": locale.day_html(end)}
    return escape(pgettext("staff", "all dates"))


def chosen_grouping(snap: snapshots.Snapshot, args: Mapping[str, str]) -> str | None:
    """The select_one question staff chose to group the question tables by (`by`), or the
    survey's declared grouping; an unknown or empty choice means no grouping."""
    if "by" not in args:
        return snap.group
    chosen = args.get("by", "")
    return chosen if chosen in snap.group_questions else None


def question_views(snap: snapshots.Snapshot, by: str | None, start: date | None, end: date | None,
                   names: figures.Labels) -> list[report_rows.FrequencyView]:
    found = figures.question_tables(snap, by, start, end, min_n())
    return [report_rows.frequency_view(table, question, None if question == by else by, names)
            for question, table in found.items()]


def filter_context(snap: snapshots.Snapshot, names: figures.Labels, dates: DateRange,
                   args: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The answers staff narrowed the report to (docs/analysis.md, "Filters"), what the form
    offers, and the query that carries dates and filter on to the report's other pages."""
    answer_filter = filters.parse(request.args if args is None else args, snap, names)
    options = filters.options(snap, names) if args is None else []
    return {"answer_filter": answer_filter, "filter_options": options,
            "filter_summary": filters.summary(answer_filter, options),
            "query": {**dates.query, **answer_filter.query}}


def withheld_labels(snap: snapshots.Snapshot, answer_filter: filters.AnswerFilter, split: str | None,
                    start: date | None, end: date | None, names: figures.Labels,
                    within: tuple[str, ...] = ()) -> list[str]:
    """The groups a filter leaves out, by name ("everyone" when the table has no groups)."""
    found = filters.narrowed(snap, answer_filter, split, start, end, min_n(), within)
    named = {ALL: pgettext("staff", "Everyone"), "": pgettext("staff", "No answer to the grouping question")}
    return [named.get(code) or names.choice(split or "", code) for code in found.withheld]


def overview_context(slug: str, audience: str, with_questions: bool = False) -> dict[str, Any]:
    """The overview's figures: the ranked question per group when the survey declares one,
    and every select question's frequency table when it does not (or when asked)."""
    survey, _version = surveys.get_or_404(slug, published=audience == "partner")
    dates = parse_dates(request.args)
    snap = snapshots.snapshot(survey)
    start, end = dates.start, dates.end
    widened = None
    if audience == "partner" and (start or end):
        # Staff read every response in the exports; partners see aggregates only, which two
        # nearby date ranges must not give away (docs/analysis.md, "Date ranges").
        start, end = figures.partner_dates(snap, start, end, min_n())
        widened = widened_text(start, end)
    names = figures.labels(snap, locale.current().code)
    # Partners see the whole survey's aggregates only; staff may narrow them to chosen answers.
    chosen = filter_context(snap, names, dates) if audience == "staff" else filter_context(snap, names, dates, {})
    answer_filter = chosen["answer_filter"]
    whole, snap = snap, filters.narrowed(snap, answer_filter, snap.group, start, end, min_n()).snap
    context: dict[str, Any] = {
        "survey": survey, "snap": snap, "pending": snapshots.pending(whole), "dates": dates, "min_n": min_n(),
        "widened": widened, "title": snap.survey.text(snap.survey.title, names.language),
        "fact_states": set(state_facts.all_states()),
        "names": names, "tables": None, "rows": [], "questions": None, "ranked": False, "states": names.by_states,
        **chosen, **FORMATS}
    context["withheld"] = withheld_labels(whole, answer_filter, snap.group, start, end, names)
    if snap.rank is not None:
        tables = figures.tables(snap, start, end, min_n())
        rows = overview_rows(tables, names)
        top_issues = {issue.code: issue.label for row in rows for issue in row["top"]}
        context.update(tables=tables, rows=rows, responses=tables.responses, ranked=not with_questions,
                       top_issues=top_issues, levers=(levers := policy.levers_anywhere(top_issues)),
                       lever_texts=policy_texts.lever_texts(chain.from_iterable(levers.values()), names.language),
                       state_names={code: facts.name for code, facts in state_facts.all_states().items()})
    if snap.rank is None or with_questions:
        by = chosen_grouping(whole, request.args)
        grouped = filters.narrowed(whole, answer_filter, by, start, end, min_n()).snap
        context.update(by=by, questions=question_views(grouped, by, start, end, names),
                       responses=len(figures.filtered(grouped, start, end)),
                       withheld=withheld_labels(whole, answer_filter, by, start, end, names),
                       groupings=[(name, names.questions.get(name, name)) for name in snap.group_questions])
    return context


@blueprint.get("/reports/<slug>")
@roles_required("admin", "staff")
def report_overview(slug: str):
    return render_template("staff/overview.html", audience="staff", form=FlaskForm(),
                           **overview_context(slug, "staff"))


@blueprint.get("/question-tables/<slug>")
@roles_required("admin", "staff")
def report_questions(slug: str):
    return render_template("staff/overview.html", audience="staff", form=FlaskForm(), only_questions=True,
                           **overview_context(slug, "staff", with_questions=True))


@blueprint.post("/reports/<slug>/public-results")
@roles_required("admin", "staff")
def public_results_switch(slug: str):
    survey, _version = surveys.get_or_404(slug)
    if FlaskForm().validate_on_submit():
        publish = request.form.get("public_results") == "on"
        storage.set_public_results(survey, publish)
        audit.record("public_results", survey=slug, published=publish)
        flash(pgettext("staff", "The families' results pages are now published.") if publish
              else pgettext("staff", "The families' results pages are no longer published."), "success")
    return redirect(url_for("staff.report_overview", slug=slug))


def state_or_404(snap: snapshots.Snapshot, state: str) -> str:
    """A group of the ranked report; 404 for anything else, and for a survey that ranks nothing."""
    if snap.rank is None or (state != ALL and state not in figures.state_codes(snap)):
        abort(404)
    return state


@blueprint.get("/reports/<slug>/<state>")
@roles_required("admin", "staff")
def report_state(slug: str, state: str):
    survey, _version = surveys.get_or_404(slug)
    snap = snapshots.snapshot(survey)
    state = state_or_404(snap, state)
    dates = parse_dates(request.args)
    asked = request.args.get("breakdown", "")
    across = asked if asked in snap.breakdowns else (snap.breakdowns[0] if snap.breakdowns else None)
    names = figures.labels(snap, locale.current().code)
    chosen = filter_context(snap, names, dates)
    answer_filter = chosen["answer_filter"]
    whole, snap = snap, filters.narrowed(snap, answer_filter, snap.group, dates.start, dates.end, min_n()).snap
    tables = figures.tables(snap, dates.start, dates.end, min_n())
    # A breakdown splits the state once more: the filter is checked against that split too.
    broken_down = (filters.narrowed(whole, answer_filter, whole.group, dates.start, dates.end, min_n(),
                                          within=(across,)) if across else None)
    # The grid as labelled rows, kept with the tables: building it was a third of a warm page.
    breakdown = (snapshots.derived(
        broken_down.snap, "breakdown_view", (state, across, dates.start, dates.end, min_n(), names.language),
        lambda: report_rows.breakdown_view(figures.breakdown_table(broken_down.snap, state, across, dates.start,
                                                                   dates.end, min_n()), across, names))
        if across and broken_down else None)
    issues = report_rows.issue_rows(tables.top, state, names)
    top = [row for row in issues if not row.suppressed][:OVERVIEW_TOP]
    order = {row.code: position for position, row in enumerate(issues)}
    comparison = sorted(report_rows.comparison_rows(tables.compare, state, names), key=lambda row: order[row.code])
    return render_template(
        "staff/report.html", survey=survey, snap=snap, pending=snapshots.pending(whole), state=state,
        state_name=names.state(state), dates=dates,
        min_n=min_n(), respondents=report_rows.respondents(tables.top, state), period=tables.dates.get(state),
        issues=issues, comparison=comparison, across=across, states=names.by_states,
        factsheet=names.by_states and state in state_facts.all_states(),
        breakdowns=[(name, names.breakdown_name(name)) for name in snap.breakdowns],
        breakdown=breakdown, form=FlaskForm(), top=top,
        withheld=withheld_labels(whole, answer_filter, whole.group, dates.start, dates.end, names),
        breakdown_withheld=broken_down is not None and state in broken_down.withheld,
        levers=(levers := policy.levers_for([row.code for row in top],
                                            state if state in state_facts.all_states() else None)),
        lever_texts=policy_texts.lever_texts(chain.from_iterable(levers.values()), names.language),
        **chosen,
        state_names={code: facts.name for code, facts in state_facts.all_states().items()}, **FORMATS)


def chart_figure(snap: snapshots.Snapshot, state: str, dates: DateRange, language: str,
                 top: int | None = None) -> Figure:
    """The state's issues as bars with 95% intervals, labelled in `language`: the SVG keeps
    its words as text, so the browser draws every script. With `top`, only that many of the
    most chosen published issues."""
    names = figures.labels(snap, language)
    tables = figures.tables(snap, dates.start, dates.end, min_n())
    rows = tables.top[tables.top["group"] == state]
    if top is not None:
        shown = [row.code for row in report_rows.issue_rows(tables.top, state, names) if not row.suppressed][:top]
        if shown:
            rows = rows[rows["choice"].isin(shown)]
    n = report_rows.respondents(tables.top, state)
    if n is None:
        title = pgettext("staff", "%(state)s: suppressed (fewer than %(min_n)d respondents)", state=names.state(state),
                         min_n=min_n())
    else:
        title = pgettext("staff", "%(state)s: %(count)s respondents", state=names.state(state), count=number(n))
    wrapped = {code: wrap(label, CHART_LABEL_WIDTH) for code, label in names.choices[snap.rank or ""].items()}
    return top_issues_chart(
        rows, wrapped, wrap(title, CHART_LABEL_WIDTH), suppressed_text=pgettext("staff", "suppressed"),
        axis_label=wrap(pgettext("staff", "Share of respondents who chose the issue (%(level)s interval)",
                                 level="95%"), CHART_LABEL_WIDTH + 8))


@blueprint.get("/reports/<slug>/<state>/chart.svg")
@roles_required("admin", "staff")
def report_chart(slug: str, state: str):
    """The chart for the page, or with `download=1` as a file for slides and documents. SVG
    either way: its words stay text, which the program that shows it shapes in every script
    (a picture drawn on the server could not join Arabic letters or order Bengali and Karen ones)."""
    survey, _version = surveys.get_or_404(slug)
    snap = snapshots.snapshot(survey)
    state = state_or_404(snap, state)
    dates = parse_dates(request.args)
    top = request.args.get("top", type=int)
    if dates.errors or (top is not None and not 1 <= top <= 50):
        abort(400)
    answer_filter = filters.parse(request.args, snap, figures.labels(snap, locale.current().code))
    whole, snap = snap, filters.narrowed(snap, answer_filter, snap.group, dates.start, dates.end, min_n()).snap
    # A fact sheet's chart is in the sheet's language; a report's, in the page's.
    language = request.args.get("language", "")
    if language not in snap.survey.languages or language not in locale.BY_CODE:
        language = locale.current().code
    locale.set_current(language)
    image = snapshots.derived(whole, "chart", (state, dates.start, dates.end, min_n(), language, top,
                                                 answer_filter.chosen),
                                lambda: figure_to_bytes(chart_figure(snap, state, dates, language, top), "svg"))
    headers = {}
    if request.args.get("download") == "1":
        audit.record("staff_download", what="chart", survey=slug, state=state, format="svg")
        headers["Content-Disposition"] = f'attachment; filename="{slug}-{state}-top-issues-{language}.svg"'
    return Response(image, mimetype="image/svg+xml", headers=headers)
