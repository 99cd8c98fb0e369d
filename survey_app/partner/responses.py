"""A partner's own responses: exact counts (see `partner_reports` for why), weekly progress
towards the organisation's target, and downloads.

Every query here is filtered by the logged-in user's partner; nothing in the URL names
a partner, so no address can reach another organisation's responses. Downloads have
the columns of the staff export (no contact details, which are kept apart from the
answers), cells that a spreadsheet would run as formulas are neutralised, and each
download is written to the audit log.
"""
from __future__ import annotations

import io

import pandas as pd
import xlsxwriter
from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_babel import format_percent, pgettext
from flask_login import current_user

from forms.definition import Survey as SurveyDefinition

from .. import audit, exports, locale, storage, surveys
from ..reporting import partner as partner_reports
from ..auth import roles_required
from ..models import Survey
from . import blueprint

FRAME_COLUMNS = ["submitted_at", "language", "channel"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _survey_or_404(slug: str) -> tuple[Survey, SurveyDefinition]:
    """A published survey (open or closed); one still in draft is not the partners' to see."""
    survey, version = surveys.survey_and_newest_version_or_404(slug)
    if survey.status == "draft":
        abort(404)
    return survey, surveys.parsed(version)


def partner_frame(slug: str, partner_id: int, group: str | None) -> pd.DataFrame:
    """One row per response of this partner, with the columns the counts need."""
    columns = FRAME_COLUMNS + ([group] if group else [])
    stream = exports.rows(slug, partner_id=partner_id)
    next(stream)
    return pd.DataFrame.from_records(({name: row.get(name) for name in columns} for row in stream), columns=columns)


def value_labels(definition: SurveyDefinition, language: str) -> dict[str, dict[str, str]]:
    """How each breakdown's codes read in the portal's language."""
    group = definition.questions.get(definition.report_group or "")
    return {
        "language": {code: f"{lang.native_name} ({lang.english_name})" for code, lang in locale.BY_CODE.items()},
        "group": {c.name: definition.text(c.label, language) for c in group.choices} if group else {},
        "channel": {
            "web": pgettext("staff", "Online link"),
            "kiosk": pgettext("staff", "Kiosk"),
            "paper": pgettext("staff", "Paper form"),
        },
    }


TARGET_LIMIT = 10_000_000


def _responses_page(slug: str | None, typed_target: str | None = None, target_error: str | None = None,
                    status: int = 200):
    slug = slug or current_app.config["DEFAULT_SURVEY"]
    survey, definition = _survey_or_404(slug)
    partner = current_user.partner
    group = definition.report_group
    frame = partner_frame(slug, partner.id, group)
    language = locale.current().code
    page = render_template(
        "partner/responses.html", survey=survey, definition=definition, partner=partner,
        group_label=definition.text(definition.questions[group].label, language) if group else "",
        tables=partner_reports.partner_counts(frame, group),
        weeks=partner_reports.weekly_progress(frame["submitted_at"], partner.response_target),
        total=len(frame), labels=value_labels(definition, language),
        min_n=current_app.config["MIN_GROUP_SIZE"], total_key=partner_reports.TOTAL, form=FlaskForm(),
        typed_target=typed_target, target_error=target_error, percent=lambda share: format_percent(share, "#,##0%"),
        other_surveys=[other for other, _status, _count in surveys.response_counts(partner.id) if other != slug])
    return page, status


@blueprint.get("/responses")
@blueprint.get("/responses/<slug>")
@roles_required("partner")
def responses(slug: str | None = None):
    return _responses_page(slug)


@blueprint.post("/responses/<slug>/target")
@roles_required("partner")
def set_target(slug: str):
    """The organisation's own target; an empty box removes it."""
    _survey_or_404(slug)
    typed = request.form.get("target", "").strip()[:20]
    if not FlaskForm().validate_on_submit():
        abort(400)
    if typed and not (typed.isdigit() and 0 < int(typed) <= TARGET_LIMIT):
        return _responses_page(slug, typed, pgettext(
            "staff", "Enter the number of responses you aim for, as a whole number such as 200, or leave the box "
            "empty for no target."), 400)
    storage.set_response_target(current_user.partner, int(typed) if typed else None)
    audit.record("partner_target", partner=current_user.partner.code, target=int(typed) if typed else None)
    return redirect(url_for("partner.responses", slug=slug, _anchor="progress"))


@blueprint.get("/responses/<slug>/download.csv")
@roles_required("partner")
def download_csv(slug: str):
    _survey_or_404(slug)
    partner = current_user.partner
    # The byte order mark tells Excel the file is UTF-8, so Arabic or Chinese answers open correctly.
    buffer = io.StringIO()
    buffer.write("\ufeff")
    count = exports.write_csv(slug, buffer, partner_id=partner.id)
    audit.record("partner_download", survey=slug, partner=partner.code, format="csv", responses=count)
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-{partner.code}-responses.csv"'})


def write_xlsx(slug: str, partner_id: int, handle: io.BytesIO) -> int:
    """The export's rows as a worksheet. Text is written as text, never as a formula or
    a link, and is neutralised as in the CSV for programs that re-read it as CSV."""
    workbook = xlsxwriter.Workbook(handle, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("responses")
    stream = exports.rows(slug, partner_id=partner_id)
    names = next(stream)["columns"]
    sheet.write_row(0, 0, names)
    count = 0
    for count, row in enumerate(stream, start=1):
        for column, name in enumerate(names):
            value = row.get(name)
            if isinstance(value, str):
                sheet.write_string(count, column, exports.neutralise(value))
            elif value is not None:
                sheet.write_number(count, column, value)
    workbook.close()
    return count


@blueprint.get("/responses/<slug>/download.xlsx")
@roles_required("partner")
def download_xlsx(slug: str):
    _survey_or_404(slug)
    partner = current_user.partner
    buffer = io.BytesIO()
    count = write_xlsx(slug, partner.id, buffer)
    audit.record("partner_download", survey=slug, partner=partner.code, format="xlsx", responses=count)
    return Response(buffer.getvalue(), mimetype=XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{slug}-{partner.code}-responses.xlsx"'})
