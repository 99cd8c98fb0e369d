"""A partner's own responses: exact counts (see `reporting.partner` for why), weekly progress
towards the organisation's target, and downloads.

Every query here is filtered by the logged-in user's partner; nothing in the URL names
a partner, so no address can reach another organisation's responses. Downloads have
the columns of the staff export (no contact details, which are kept apart from the
answers), cells that a spreadsheet would run as formulas are neutralised, and each
download is written to the audit log.
"""
from __future__ import annotations

import pandas as pd
from flask import abort, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_babel import format_percent, pgettext
from flask_login import current_user

from forms.survey import Survey as SurveyDefinition

from .. import audit, storage, surveys
from ..exports import downloads
from ..exports import responses as export_rows
from ..i18n import labels, locale
from ..reporting import partner as partner_reports
from ..security.auth import roles_required
from . import blueprint

FRAME_COLUMNS = ["submitted_at", "language", "channel"]


def partner_frame(slug: str, partner_id: int, group: str | None) -> pd.DataFrame:
    """One row per response of this partner, with the columns the counts need."""
    columns = FRAME_COLUMNS + ([group] if group else [])
    stream = export_rows.rows(slug, partner_id=partner_id)
    next(stream)
    return pd.DataFrame.from_records(({name: row.get(name) for name in columns} for row in stream), columns=columns)


def value_labels(definition: SurveyDefinition, language: str) -> dict[str, dict[str, str]]:
    """How each breakdown's codes read in the portal's language."""
    group = definition.questions.get(definition.report_group or "")
    return {
        "language": labels.language_labels(),
        "group": {c.name: definition.text(c.label, language) for c in group.choices} if group else {},
        "channel": labels.channel_labels(),
    }


TARGET_LIMIT = 10_000_000


def _responses_page(slug: str | None, typed_target: str | None = None, target_error: str | None = None,
                    status: int = 200):
    slug = slug or current_app.config["DEFAULT_SURVEY"]
    survey, version = surveys.get_or_404(slug, published=True)
    definition = surveys.parsed(version)
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
    surveys.get_or_404(slug, published=True)
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
    surveys.get_or_404(slug, published=True)
    partner = current_user.partner
    count = export_rows.count(slug, partner.id)
    audit.record("partner_download", survey=slug, partner=partner.code, format="csv", responses=count)
    return downloads.csv_download(f"{slug}-{partner.code}-responses.csv",
                                  *export_rows.table(export_rows.rows(slug, partner_id=partner.id)))


@blueprint.get("/responses/<slug>/download.xlsx")
@roles_required("partner")
def download_xlsx(slug: str):
    surveys.get_or_404(slug, published=True)
    partner = current_user.partner
    reply, count = downloads.xlsx_download(f"{slug}-{partner.code}-responses.xlsx",
                                           {"responses": export_rows.table(export_rows.rows(slug, partner_id=partner.id))})
    audit.record("partner_download", survey=slug, partner=partner.code, format="xlsx", responses=count)
    return reply
