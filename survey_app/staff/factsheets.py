"""A one-page printable fact sheet per state: the state's English Learner figures beside the
issues its families raised, a chart, and a few comments staff starred as quotable, each with
staff's translation when there is one.

Print-ready HTML, and the same page as a PDF built on the server by WeasyPrint (which shapes
every script with the Noto fonts the stylesheet names); the figures follow the same
suppression as the reports, and a suppressed state shows neither figures nor quotes. Issue
names and the chart are in the sheet's language (`?language=`, any language of the survey).
"""
from __future__ import annotations

import base64
from itertools import chain
from pathlib import Path
from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import format_decimal, pgettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from analysis.charts import figure_to_bytes

from .. import audit, policy, policy_texts, state_facts, storage, surveys
from ..extensions import db
from ..i18n import locale
from ..models import AdvocacyDate, CommentNote, Partner
from ..reporting import figures, snapshots
from ..reporting import rows as report_rows
from ..security.auth import roles_required
from . import blueprint
from .comment_queries import starred_quotes
from .reports import FORMATS, DateRange, chart_figure, min_n

TOP_ISSUES = 5
QUOTES = 3
# Issues whose policy levers a sheet lists: the top three, as everywhere else.
LEVER_ISSUES = 3
TRANSLATION_LENGTH = 2000


def el_students_text(facts: state_facts.StateFacts) -> str:
    """The count as published: a lower bound is only ever "more than N"."""
    count = format_decimal(facts.el_students)
    if facts.el_students_is_lower_bound:
        return pgettext("staff", "more than %(count)s", count=count)
    return count


def status_marks() -> dict[str, tuple[str, str, str]]:
    """Each verification status: its mark, its short name and what it means, for the key."""
    return {
        "verified": ("✓", pgettext("staff", "verified"),
                     pgettext("staff", "checked against the publisher's own figures")),
        "lower_bound": ("≥", pgettext("staff", "at least"),
                        pgettext("staff", "the source gives a minimum: the true number is this or more")),
        "secondary": ("↪", pgettext("staff", "secondary source"),
                      pgettext("staff", "reported by others, not taken from the publisher")),
        "dated": ("⌛", pgettext("staff", "dated"), pgettext("staff", "the newest figure found, but several years old")),
    }


def _sheet_language(definition: Any) -> locale.Language:
    code = request.args.get("language", "")
    if code in definition.languages and code in locale.BY_CODE:
        return locale.BY_CODE[code]
    return locale.current()


def _sheet_context(slug: str, state: str) -> dict[str, Any]:
    survey, _version = surveys.get_or_404(slug)
    facts = state_facts.for_state(state)
    snap = snapshots.snapshot(survey)
    # Fact sheets are per US state: only for a survey that ranks a question and groups by states.
    if facts is None or snap.rank is None or state not in figures.state_codes(snap):
        abort(404)
    sheet_language = _sheet_language(snap.survey)
    names = figures.labels(snap, sheet_language.code)
    tables = figures.tables(snap, None, None, min_n())
    respondents = report_rows.respondents(tables.top, state)
    issues = [row for row in report_rows.issue_rows(tables.top, state, names) if not row.suppressed]
    quotes = starred_quotes(snap, state, snap.survey, QUOTES) if respondents is not None else []
    translations = dict(db.session.execute(
        select(CommentNote.answer_id, CommentNote.translation)
        .where(CommentNote.answer_id.in_([quote.answer_id for quote in quotes]))).all()) if quotes else {}
    own_names = figures.labels(snap, locale.current().code)
    levers = policy.levers_for([row.code for row in issues[:LEVER_ISSUES]], state)
    return dict(
        survey=survey, snap=snap, state=state, state_name=own_names.state(state), facts=facts,
        citation=state_facts.citations().get(state), marks=status_marks(),
        el_students=el_students_text(facts), respondents=respondents, period=tables.dates.get(state),
        issues=issues[:TOP_ISSUES], sheet_language=sheet_language, quotes=quotes, translations=translations,
        levers=levers, lever_texts=policy_texts.lever_texts(chain.from_iterable(levers.values()), sheet_language.code),
        lever_issues=LEVER_ISSUES,
        opportunity=None, partner=None, date_kinds=policy.date_kind_labels(),
        languages=locale.BY_CODE, min_n=min_n(), top=TOP_ISSUES, pending=snapshots.pending(snap),
        title=snap.survey.text(snap.survey.title, sheet_language.code), form=FlaskForm(), **FORMATS)


@blueprint.get("/factsheets/<slug>/<state>")
@roles_required("admin", "staff")
def factsheet(slug: str, state: str):
    return render_template("staff/factsheet.html", pdf=False, chart_src=None, **_sheet_context(slug, state))


@blueprint.get("/factsheets/<slug>/<state>.pdf")
@roles_required("admin", "staff")
def factsheet_pdf(slug: str, state: str):
    context = _sheet_context(slug, state)
    code = context["sheet_language"].code
    audit.record("staff_download", what="factsheet", survey=slug, state=state, format="pdf", language=code)
    return pdf_reply(context, f"{slug}-{state}-{code}.pdf")


def pdf_reply(context: dict[str, Any], filename: str) -> Response:
    """The sheet as a PDF. The chart is put into the page, so WeasyPrint fetches nothing but
    the stylesheets, which it reads from disk."""
    import weasyprint.urls  # loaded on first use: it pulls in Pango, which only this page needs

    html = render_template("staff/factsheet.html", pdf=True, chart_src=chart_data(context), **context)
    static = Path(blueprint.root_path).parent / "static"

    class StylesheetsOnly(weasyprint.urls.URLFetcher):
        """Reads the sheet's stylesheets from disk and fetches nothing else from anywhere."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            name = url.split("/static/", 1)[-1].split("?", 1)[0]
            if "/static/" not in url or "/" in name or not name.endswith(".css"):
                raise ValueError(f"a fact sheet loads only its stylesheets, not {url}")
            return weasyprint.urls.URLFetcherResponse(url, body=(static / name).read_bytes(),
                                                      headers={"Content-Type": "text/css; charset=utf-8"})

    pdf = weasyprint.HTML(string=html, base_url=request.url_root, url_fetcher=StylesheetsOnly()).write_pdf()
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def chart_data(context: dict[str, Any]) -> str | None:
    """The sheet's chart as a `data:` address, for pages that cannot link to the staff chart."""
    if not context["issues"]:
        return None
    svg = figure_to_bytes(chart_figure(context["snap"], context["state"], DateRange(),
                                       context["sheet_language"].code, TOP_ISSUES), "svg")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def brief_context(slug: str, state: str, date_id: int, partner: Partner | None) -> dict[str, Any]:
    """A fact sheet for testimony at one dated opportunity in the state, signed by a partner."""
    opportunity = db.session.get(AdvocacyDate, date_id)
    if opportunity is None or opportunity.state_code != state:
        abort(404)
    return {**_sheet_context(slug, state), "opportunity": opportunity, "partner": partner}


def _state_partner(state: str) -> Partner | None:
    """The partner staff chose to sign a brief (`?partner=`), one of the state's."""
    code = request.args.get("partner", "")
    return db.session.scalar(select(Partner).where(Partner.code == code, Partner.state_code == state)) if code else None


@blueprint.get("/briefs/<slug>/<state>/<int:date_id>")
@roles_required("admin", "staff")
def brief(slug: str, state: str, date_id: int):
    context = brief_context(slug, state, date_id, _state_partner(state))
    partners = db.session.scalars(select(Partner).where(Partner.state_code == state).order_by(Partner.name)).all()
    return render_template("staff/factsheet.html", pdf=False, chart_src=None, state_partners=partners, **context)


@blueprint.get("/briefs/<slug>/<state>/<int:date_id>.pdf")
@roles_required("admin", "staff")
def brief_pdf(slug: str, state: str, date_id: int):
    context = brief_context(slug, state, date_id, _state_partner(state))
    code = context["sheet_language"].code
    audit.record("staff_download", what="brief", survey=slug, state=state, date_id=date_id, language=code)
    return pdf_reply(context, f"{slug}-{state}-brief-{date_id}-{code}.pdf")


@blueprint.post("/factsheets/<slug>/<state>/quotes/<int:answer_id>")
@roles_required("admin", "staff")
def quote_translation(slug: str, state: str, answer_id: int):
    """Staff's translation of one starred quote of this sheet."""
    context = _sheet_context(slug, state)
    if not FlaskForm().validate_on_submit() or answer_id not in {quote.answer_id for quote in context["quotes"]}:
        abort(400)
    storage.set_comment_translation(answer_id, request.form.get("translation", "")[:TRANSLATION_LENGTH],
                                    current_user)
    # url_for leaves out a value that is None, so the language is kept only when one was asked for.
    return redirect(url_for("staff.factsheet", slug=slug, state=state, _anchor=f"quote-{answer_id}",
                            language=request.args.get("language")))
