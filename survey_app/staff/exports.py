"""Staff downloads: the summary tables (suppressed as on the pages, fit to share with partners),
the full response export (CSV, XLSX with its codebook, SPSS, Stata) and the codebook. The files are
made and streamed by `survey_app.exports`; each download is audited."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypedDict

from flask import abort, flash, redirect, request, url_for
from flask_babel import pgettext

from .. import audit, surveys
from ..exports import downloads, responses, stat_files, summary
from ..i18n import locale
from ..models import Survey
from ..reporting import figures, snapshots
from ..security.auth import roles_required
from . import blueprint
from .reports import chosen_grouping, min_n, parse_dates, question_views, state_or_404

EXCEL_MAX_ROWS = 1_048_576


def _filename_dates(dates: Any) -> str:
    return "".join(f"-{name}-{day.isoformat()}" for name, day in (("from", dates.start), ("to", dates.end)) if day)


@blueprint.get("/exports/<slug>/summary.<any(csv, xlsx):fmt>")
@roles_required("admin", "staff")
def export_summary(slug: str, fmt: str):
    survey, _version = surveys.get_or_404(slug)
    dates = parse_dates(request.args)
    if dates.errors:
        abort(400)
    snap = snapshots.snapshot(survey)
    names = figures.labels(snap, locale.current().code)
    if snap.rank is None:
        # A survey that ranks nothing: the frequency table of every question, as on its report page.
        header, rows, what = summary.QUESTION_COLUMNS, summary.question_rows(
            question_views(snap, chosen_grouping(snap, request.args), dates.start, dates.end, names)), "questions"
    else:
        header, rows, what = summary.SUMMARY_COLUMNS, summary.summary_rows(
            figures.tables(snap, dates.start, dates.end, min_n()), names), "top-issues"
    audit.record("staff_download", what="summary", survey=slug, format=fmt, **dates.query)
    filename = f"{slug}-{what}{_filename_dates(dates)}.{fmt}"
    if fmt == "csv":
        return downloads.csv_download(filename, header, rows)
    reply, _count = downloads.xlsx_download(filename, {
        what.replace("-", " "): (header, rows),
        "about": ([pgettext("staff", "About"), ""], summary.about_rows(slug, dates, min_n()))})
    return reply


@blueprint.get("/exports/<slug>/<state>/breakdown.csv")
@roles_required("admin", "staff")
def export_breakdown(slug: str, state: str):
    survey, _version = surveys.get_or_404(slug)
    snap = snapshots.snapshot(survey)
    state = state_or_404(snap, state)
    dates = parse_dates(request.args)
    across = request.args.get("breakdown", "")
    if dates.errors or across not in snap.breakdowns:
        abort(400)
    names = figures.labels(snap, locale.current().code)
    table = figures.breakdown_table(snap, state, across, dates.start, dates.end, min_n())
    audit.record("staff_download", what="breakdown", survey=slug, state=state, breakdown=across, format="csv",
                 **dates.query)
    return downloads.csv_download(f"{slug}-{state}-by-{across}{_filename_dates(dates)}.csv",
                                  summary.BREAKDOWN_COLUMNS, summary.breakdown_rows(table, state, across, names))


@blueprint.get("/exports/<slug>/codebook.csv")
@roles_required("admin", "staff")
def export_codebook(slug: str):
    surveys.get_or_404(slug)
    audit.record("staff_download", what="codebook", survey=slug, format="csv")
    return downloads.csv_download(f"{slug}-codebook.csv", responses.CODEBOOK_COLUMNS,
                                  responses.codebook_rows(responses.versions(slug)))


def export_stream(survey: Survey) -> Iterator[dict[str, Any]]:
    """The response rows asked for: codes, or with `?values=labels` labels in `?language=`
    (the page's language by default). A request for anything else is refused."""
    wanted = request.args.get("values", "codes")
    if wanted not in ("codes", "labels"):
        abort(400)
    stream = responses.rows(survey.slug)
    if wanted == "codes":
        return stream
    definitions = responses.versions(survey.slug)
    language = request.args.get("language") or locale.current().code
    if language not in definitions[0].languages:
        abort(400)
    return responses.labelled(stream, responses.labels(definitions, language))


class _ValuesAsked(TypedDict, total=False):
    """Labels in place of codes, and their language, when asked for: the details of the export's audit event."""
    values: str
    language: str


def _values_asked() -> _ValuesAsked:
    return {"values": "labels", "language": request.args.get("language") or locale.current().code} \
        if request.args.get("values") == "labels" else {}


def _values_suffix() -> str:
    asked = _values_asked()
    return f"-labels-{asked['language']}" if asked else ""


@blueprint.get("/exports/<slug>/responses.csv")
@roles_required("admin", "staff")
def export_responses_csv(slug: str):
    survey, _version = surveys.get_or_404(slug)
    stream = export_stream(survey)
    audit.record("staff_download", what="responses", survey=slug, format="csv", **_values_asked())
    return downloads.csv_download(f"{slug}-responses{_values_suffix()}.csv", *responses.table(stream))


@blueprint.get("/exports/<slug>/responses.xlsx")
@roles_required("admin", "staff")
def export_responses_xlsx(slug: str):
    """The export and its codebook as a workbook."""
    survey, _version = surveys.get_or_404(slug)
    if snapshots.freshness(survey)[1] >= EXCEL_MAX_ROWS:
        flash(pgettext("staff", "There are more responses than an Excel worksheet can hold. Download the CSV "
                                "export instead."), "error")
        return redirect(url_for("staff.report_overview", slug=slug))
    stream = export_stream(survey)
    reply, count = downloads.xlsx_download(f"{slug}-responses{_values_suffix()}.xlsx", {
        "responses": responses.table(stream),
        "codebook": (responses.CODEBOOK_COLUMNS, responses.codebook_rows(responses.versions(slug)))})
    audit.record("staff_download", what="responses", survey=slug, format="xlsx", responses=count, **_values_asked())
    return reply


@blueprint.get("/exports/<slug>/responses.<any(sav, dta):fmt>")
@roles_required("admin", "staff")
def export_responses_stat(slug: str, fmt: str):
    """SPSS or Stata: codes as numbers with their labels attached (in `?language=`)."""
    surveys.get_or_404(slug)
    definitions = responses.versions(slug)
    language = request.args.get("language") or locale.current().code
    if language not in definitions[0].languages:
        language = definitions[0].default_language
    reply, count = downloads.file_download(
        f"{slug}-responses.{fmt}", fmt,
        lambda handle: stat_files.write(responses.rows(slug), definitions, language, fmt, handle.name))
    audit.record("staff_download", what="responses", survey=slug, format=fmt, responses=count, language=language)
    return reply
