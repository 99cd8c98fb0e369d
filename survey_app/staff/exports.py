"""Staff downloads: the summary tables (suppressed as on the pages, fit to share with
partners), the full response export and its codebook.

CSV files start with a UTF-8 byte order mark so that Excel opens Arabic or Chinese answers
correctly. Every text cell goes through `exports.neutralise()`, so a spreadsheet never runs an
answer as a formula. The full export streams from the database: CSV row by row, XLSX through
a temporary file written by XlsxWriter in constant-memory mode. Each download is audited.
"""
from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import IO, Any, TypedDict

import xlsxwriter
from flask import Response, abort, flash, redirect, request, stream_with_context, url_for
from flask_babel import pgettext
from sqlalchemy import select

from forms.definition import Survey as SurveyDefinition

from .. import audit, exports, locale, stat_files, surveys
from ..reporting import figures, snapshots
from ..reporting import rows as report_rows
from ..auth import roles_required
from ..extensions import db
from ..models import Survey, SurveyVersion
from . import blueprint
from .reports import chosen_grouping, min_n, parse_dates, question_views, state_or_404, survey_or_404

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
CHUNK = 64 * 1024
EXCEL_MAX_ROWS = 1_048_576
SUMMARY_COLUMNS = ["state", "state_name", "issue", "issue_name", "respondents", "count", "share", "ci_low",
                   "ci_high", "rank", "share_other_states", "difference", "p_adjusted_holm", "significant"]
BREAKDOWN_COLUMNS = ["state", "breakdown", "group", "group_name", "respondents", "issue", "issue_name", "count",
                     "share", "ci_low", "ci_high", "rank"]
QUESTION_COLUMNS = ["question", "question_label", "group", "group_name", "respondents", "choice", "choice_name",
                    "count", "share", "ci_low", "ci_high"]
CODEBOOK_COLUMNS = ["column", "question", "type", "code", "label_en"]
# The codebook describes codes in English, the language of the survey's source text.
META_DESCRIPTIONS = {
    "response_id": "Random identifier of the response",
    "submitted_at": "When the response was submitted (UTC, ISO 8601)",
    "survey_version": "Version of the survey definition the response answered",
    "language": "Language the respondent answered in (language code)",
    "partner": "Code of the partner organisation whose link, kiosk or paper form it came through (empty: none)",
    "channel": "web (online link), kiosk, or paper (entered from a paper form)",
}


def _cell(value: Any) -> Any:
    return exports.neutralise(value) if isinstance(value, str) else value


def _csv_text(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _xlsx_bytes(sheets: dict[str, tuple[list[str], list[list[Any]]]]) -> bytes:
    """A small workbook held in memory: text is always written as text."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True})
    for name, (header, rows) in sheets.items():
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, header, bold)
        for number, row in enumerate(rows, start=1):
            _write_row(sheet, number, row)
    workbook.close()
    return buffer.getvalue()


def _write_row(sheet: Any, number: int, row: Iterable[Any]) -> None:
    for column, value in enumerate(row):
        if isinstance(value, str):
            sheet.write_string(number, column, exports.neutralise(value))
        elif isinstance(value, bool):
            sheet.write_boolean(number, column, value)
        elif value is not None:
            sheet.write_number(number, column, value)


def _published(value: Any, digits: int | None = None) -> Any:
    """A published number, or the word "suppressed" in its place."""
    if value is None:
        return pgettext("staff", "suppressed")
    return round(value, digits) if digits is not None else value


def _rounded(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


def summary_rows(tables: figures.Tables, names: figures.Labels) -> list[list[Any]]:
    """Every state's issues (ALL first) with the comparison, as published on the pages."""
    compared = {(row.code, group): row for group in dict.fromkeys(tables.compare["group"])
                for row in report_rows.comparison_rows(tables.compare, group, names)}
    rows = []
    for group in dict.fromkeys(tables.top["group"]):
        for issue in report_rows.issue_rows(tables.top, group, names):
            versus = compared.get((issue.code, group))
            if versus is None or not versus.tested:
                versus_cells: list[Any] = ["", "", "", ""]
            else:
                versus_cells = [_rounded(versus.rest_share), _rounded(versus.difference), _rounded(versus.p_adjusted),
                                "yes" if versus.significant else "no"]
            rows.append([
                group, names.state(group), issue.code, issue.label,
                _published(report_rows.respondents(tables.top, group)), _published(issue.count),
                _published(issue.share, 4), _published(issue.ci_low, 4), _published(issue.ci_high, 4),
                _published(issue.rank), *versus_cells,
            ])
    return rows


def question_rows(views: list[report_rows.FrequencyView]) -> list[list[Any]]:
    """Every select question's frequency table, long: one row per group and choice."""
    return [
        [view.question, view.label, column.code, column.label, _published(column.respondents), code, label,
         _published(cell.count), _published(cell.share, 4), _published(cell.ci_low, 4), _published(cell.ci_high, 4)]
        for view in views for code, label, cells in view.rows
        for column, cell in zip(view.columns, cells, strict=True)
    ]


def _about_rows(slug: str, dates: Any, limit: int) -> list[list[Any]]:
    return [
        [pgettext("staff", "Survey"), slug],
        [pgettext("staff", "From"), dates.start.isoformat() if dates.start else pgettext("staff", "first response")],
        [pgettext("staff", "To"), dates.end.isoformat() if dates.end else pgettext("staff", "latest response")],
        [pgettext("staff", "Made"), datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")],
        [pgettext("staff", "Suppression"), pgettext(
            "staff", "A group with fewer than %(number)d respondents, and an issue chosen by fewer than %(number)d of "
                     "them, shows “suppressed”, as does the next smallest figure where a suppressed one could be "
                     "worked out by subtraction.", number=limit)],
        [pgettext("staff", "Shares"), pgettext(
            "staff", "share, ci_low and ci_high are fractions (0.25 is a quarter of the respondents): the share who "
                     "chose the issue and its %(level)s Wilson interval. Respondents could choose up to three "
                     "issues.", level="95%")],
        [pgettext("staff", "Comparison"), pgettext(
            "staff", "Each state against all respondents outside it (two-proportion z test), p-values adjusted with "
                     "the Holm correction over the issues of the state; significant when below 0.05.")],
    ]


def _filename_dates(dates: Any) -> str:
    return "".join(f"-{name}-{day.isoformat()}" for name, day in (("from", dates.start), ("to", dates.end)) if day)


@blueprint.get("/exports/<slug>/summary.<any(csv, xlsx):fmt>")
@roles_required("admin", "staff")
def export_summary(slug: str, fmt: str):
    survey = survey_or_404(slug)
    dates = parse_dates(request.args)
    if dates.errors:
        abort(400)
    snap = snapshots.snapshot(survey)
    names = figures.labels(snap, locale.current().code)
    if snap.rank is None:
        # A survey that ranks nothing: the frequency table of every question, as on its report page.
        header, rows, what = QUESTION_COLUMNS, question_rows(
            question_views(snap, chosen_grouping(snap, request.args), dates.start, dates.end, names)), "questions"
    else:
        header, rows, what = SUMMARY_COLUMNS, summary_rows(
            figures.tables(snap, dates.start, dates.end, min_n()), names), "top-issues"
    audit.record("staff_download", what="summary", survey=slug, format=fmt, **dates.query)
    filename = f"{slug}-{what}{_filename_dates(dates)}.{fmt}"
    if fmt == "csv":
        return Response(_csv_text(header, rows), mimetype="text/csv", headers=_attachment(filename))
    workbook = _xlsx_bytes({what.replace("-", " "): (header, rows),
                            "about": ([pgettext("staff", "About"), ""], _about_rows(slug, dates, min_n()))})
    return Response(workbook, mimetype=XLSX_TYPE, headers=_attachment(filename))


@blueprint.get("/exports/<slug>/<state>/breakdown.csv")
@roles_required("admin", "staff")
def export_breakdown(slug: str, state: str):
    survey = survey_or_404(slug)
    snap = snapshots.snapshot(survey)
    state = state_or_404(snap, state)
    dates = parse_dates(request.args)
    across = request.args.get("breakdown", "")
    if dates.errors or across not in snap.breakdowns:
        abort(400)
    names = figures.labels(snap, locale.current().code)
    table = figures.breakdown_table(snap, state, across, dates.start, dates.end, min_n())
    rows = [
        [state, across, group, names.group(across, group), _published(report_rows.respondents(table, group)),
         issue.code, issue.label, _published(issue.count), _published(issue.share, 4), _published(issue.ci_low, 4),
         _published(issue.ci_high, 4), _published(issue.rank)]
        for group in dict.fromkeys(table["group"]) for issue in report_rows.issue_rows(table, group, names)
    ]
    audit.record("staff_download", what="breakdown", survey=slug, state=state, breakdown=across, format="csv",
                 **dates.query)
    return Response(_csv_text(BREAKDOWN_COLUMNS, rows), mimetype="text/csv",
                    headers=_attachment(f"{slug}-{state}-by-{across}{_filename_dates(dates)}.csv"))


def _versions(survey: Survey) -> list[SurveyDefinition]:
    """Every version of the survey, newest first."""
    versions = db.session.scalars(select(SurveyVersion).where(SurveyVersion.survey_id == survey.id)
                                  .order_by(SurveyVersion.version.desc()))
    return [surveys.parsed(version) for version in versions]


def codebook_rows(definitions: list[SurveyDefinition]) -> list[list[str]]:
    """Every column of the export, question and answer code, with its English text. Questions
    of older versions keep their rows, as they keep their columns in the export."""
    rows = [[name, "", "response", "", text] for name, text in META_DESCRIPTIONS.items()]
    seen: set[str] = set()
    for definition in definitions:
        for page in definition.pages:
            for question in page.questions:
                if question.type == "note" or question.name in seen:
                    continue
                seen.add(question.name)
                label = definition.text(question.label, "en")
                rows.append(["" if question.multiple else question.name, question.name, question.type, "", label])
                for choice in question.choices:
                    column = f"{question.name}/{choice.name}" if question.multiple else ""
                    rows.append([column, question.name, "choice", choice.name, definition.text(choice.label, "en")])
    return rows


@blueprint.get("/exports/<slug>/codebook.csv")
@roles_required("admin", "staff")
def export_codebook(slug: str):
    survey = survey_or_404(slug)
    audit.record("staff_download", what="codebook", survey=slug, format="csv")
    return Response(_csv_text(CODEBOOK_COLUMNS, codebook_rows(_versions(survey))), mimetype="text/csv",
                    headers=_attachment(f"{slug}-codebook.csv"))


def export_stream(survey: Survey) -> Iterator[dict[str, Any]]:
    """The response rows asked for: codes, or with `?values=labels` labels in `?language=`
    (the page's language by default). A request for anything else is refused."""
    wanted = request.args.get("values", "codes")
    if wanted not in ("codes", "labels"):
        abort(400)
    stream = exports.rows(survey.slug)
    if wanted == "codes":
        return stream
    definitions = _versions(survey)
    language = request.args.get("language") or locale.current().code
    if language not in definitions[0].languages:
        abort(400)
    return exports.labelled(stream, exports.labels(definitions, language))


def response_csv_chunks(stream: Iterator[dict[str, Any]]) -> Iterator[str]:
    """The export as CSV text, a chunk at a time, so memory stays flat however many rows."""
    names = next(stream)["columns"]
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.DictWriter(buffer, fieldnames=names, extrasaction="ignore", restval="")
    writer.writeheader()
    for row in stream:
        writer.writerow({key: _cell(value) for key, value in row.items()})
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@blueprint.get("/exports/<slug>/responses.csv")
@roles_required("admin", "staff")
def export_responses_csv(slug: str):
    survey = survey_or_404(slug)
    stream = export_stream(survey)
    audit.record("staff_download", what="responses", survey=slug, format="csv", **_values_asked())
    return Response(stream_with_context(response_csv_chunks(stream)), mimetype="text/csv",
                    headers=_attachment(f"{slug}-responses{_values_suffix()}.csv"))


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


def write_responses_xlsx(survey: Survey, stream: Iterator[dict[str, Any]], handle: IO[bytes]) -> int:
    """The export and its codebook as a workbook. Constant-memory mode writes each row out
    as soon as the next starts, so a large export never sits in memory."""
    workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet("responses")
    names: list[str] = next(stream)["columns"]
    sheet.write_row(0, 0, names, bold)
    count = 0
    for count, row in enumerate(stream, start=1):
        _write_row(sheet, count, (row.get(name) for name in names))
    codebook = workbook.add_worksheet("codebook")
    codebook.write_row(0, 0, CODEBOOK_COLUMNS, bold)
    for number, cells in enumerate(codebook_rows(_versions(survey)), start=1):
        _write_row(codebook, number, cells)
    workbook.close()
    return count


def _file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()


@blueprint.get("/exports/<slug>/responses.xlsx")
@roles_required("admin", "staff")
def export_responses_xlsx(slug: str):
    survey = survey_or_404(slug)
    if snapshots.freshness(survey)[1] >= EXCEL_MAX_ROWS:
        flash(pgettext("staff", "There are more responses than an Excel worksheet can hold. Download the CSV "
                                "export instead."), "error")
        return redirect(url_for("staff.report_overview", slug=slug))
    stream = export_stream(survey)
    # On disk rather than in memory: a large campaign's workbook runs to tens of megabytes.
    handle = tempfile.TemporaryFile()
    try:
        count = write_responses_xlsx(survey, stream, handle)
    except BaseException:
        handle.close()
        raise
    audit.record("staff_download", what="responses", survey=slug, format="xlsx", responses=count, **_values_asked())
    return Response(_file_chunks(handle), mimetype=XLSX_TYPE,
                    headers=_attachment(f"{slug}-responses{_values_suffix()}.xlsx"))


STAT_TYPES = {"sav": "application/x-spss-sav", "dta": "application/x-stata-dta"}


@blueprint.get("/exports/<slug>/responses.<any(sav, dta):fmt>")
@roles_required("admin", "staff")
def export_responses_stat(slug: str, fmt: str):
    """SPSS or Stata: codes as numbers with their labels attached (in `?language=`)."""
    survey = survey_or_404(slug)
    definitions = _versions(survey)
    language = request.args.get("language") or locale.current().code
    if language not in definitions[0].languages:
        language = definitions[0].default_language
    handle = tempfile.NamedTemporaryFile(suffix=f".{fmt}")
    try:
        count = stat_files.write(exports.rows(slug), definitions, language, fmt, handle.name)
    except BaseException:
        handle.close()
        raise
    audit.record("staff_download", what="responses", survey=slug, format=fmt, responses=count, language=language)
    return Response(_file_chunks(handle), mimetype=STAT_TYPES[fmt], headers=_attachment(f"{slug}-responses.{fmt}"))
