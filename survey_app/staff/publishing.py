"""Staff run surveys without a developer: upload an XLSForm, preview it in each language,
publish, close and reopen it, and download any version as an XLSForm again.

Admin and staff users may upload, preview and download. Only admin users may publish,
close or reopen a survey, and only they may change an open survey, because a new version
of an open survey is what families answer from then on.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import partial

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import lazy_pgettext as _p
from flask_babel import gettext, pgettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import func, select
from wtforms import ValidationError

from forms.attachments import AttachmentError, is_zip, read_upload
from forms.builder import PageForm, build_page_form
from forms.loading import load_survey
from forms.survey import Survey as SurveyDefinition
from forms.normalising import definition_hash, normalise
from forms.workbook_limits import WorkbookTooLarge
from forms.xlsform import XLSFormError, stored_to_raw, write_xlsform

from .. import audit, form_media, storage, surveys
from ..extensions import db
from ..i18n import locale, translation_status
from ..models import Response, Survey, SurveyVersion
from ..security.auth import roles_required
from . import blueprint

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(FlaskForm):
    workbook = FileField(
        _p("staff", "XLSForm file"),
        description=_p("staff", "An XLSForm of at most 2 MB: an Excel workbook (.xlsx or .xls), or pyxform's "
                                ".csv or .md form, with a survey sheet and, if needed, choices and settings. A "
                                "form with recordings or pictures (audio or image columns) comes as a .zip holding "
                                "the form and its files."),
        validators=[FileRequired(_p("staff", "Choose an XLSForm file to upload.")),
                    FileAllowed(["xlsx", "xlsm", "xls", "csv", "md", "zip"],
                                _p("staff", "The file must be an XLSForm: an Excel workbook (.xlsx or .xls), or a "
                                            ".csv or .md XLSForm. Save it as .xlsx in Excel, LibreOffice or Google "
                                            "Sheets and try again."))])

    content: bytes = b""
    filename: str = ""

    def validate_workbook(self, field: FileField) -> None:
        # Read one byte past the limit rather than the whole upload, however large it is.
        zip_limit = current_app.config["MAX_FORM_ZIP_BYTES"]
        content = field.data.stream.read(max(zip_limit, MAX_UPLOAD_BYTES) + 1)
        if len(content) > MAX_UPLOAD_BYTES and not is_zip(content[:zip_limit + 1]):
            raise ValidationError(pgettext("staff", "The file is larger than 2 MB. An XLSForm is usually much "
                                                    "smaller: check that it holds only the three sheets."))
        if len(content) > zip_limit:
            raise ValidationError(pgettext("staff", "The .zip is larger than %(megabytes)d MB. Keep only the form "
                                                    "and the recordings it names, each a few seconds long.",
                                           megabytes=zip_limit // (1024 * 1024)))
        self.content = content
        self.filename = field.data.filename or ""


class UploadRefused(Exception):
    """An upload this user may not make; the message says why and what to do."""


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    newest: SurveyVersion
    title: str
    responses: int


def _title(version: SurveyVersion) -> str:
    definition = surveys.parsed(version)
    return definition.text(definition.title, definition.default_language) or version.survey.slug


def _survey_rows() -> list[SurveyRow]:
    counts = {slug: count for slug, _status, count in surveys.response_counts()}
    return [SurveyRow(survey, survey.versions[-1], _title(survey.versions[-1]), counts.get(survey.slug, 0))
            for survey in db.session.scalars(select(Survey).order_by(Survey.slug)) if survey.versions]


def _responses_by_version(survey: Survey) -> dict[int, int]:
    return dict(db.session.execute(
        select(Response.survey_version_id, func.count(Response.id))
        .join(SurveyVersion, Response.survey_version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == survey.id)
        .group_by(Response.survey_version_id)).all())


def _language_rows(version: SurveyVersion) -> list[translation_status.LanguageStatus]:
    """Each language of the survey, including codes the service has no interface for."""
    return translation_status.survey_language_status(version.definition, surveys.parsed(version).languages,
                                                     current_app.extensions["catalog_status"])


def _load_upload(content: bytes, filename: str) -> tuple[SurveyVersion, str, list[str]]:
    """Store an uploaded form, alone or in a .zip with its recordings: a new survey (as a draft) or a
    new version. Returns the version, what happened ("new survey", "new version" or "unchanged") and
    what in the form was ignored. A workbook is checked for size before any parser reads it, a .zip
    before it is unpacked."""
    reading = form_media.read_form(read_upload(content, filename))
    raw = reading.raw
    definition = normalise(raw)
    for code in load_survey(definition).languages:
        if code not in locale.BY_CODE:
            reading.notices.append(pgettext(
                "staff", "The buttons and messages around the survey in %(language)s are shown in %(interface)s, "
                         "which this service has a translation for.", language=f"{locale.name_for_reader(locale.language_for(code))} "
                f"({code})", interface=locale.name_for_reader(locale.BY_CODE[locale.interface_code(code)])))
    survey = surveys.find_survey(definition["settings"]["form_id"])
    newest = survey.versions[-1] if survey is not None and survey.versions else None
    changes = newest is None or newest.definition_hash != definition_hash(definition)
    if survey is not None and survey.status == "open" and changes and current_user.role != "admin":
        db.session.rollback()
        raise UploadRefused(pgettext(
            "staff", "%(slug)s is open, so a new version would reach families at once. Ask an admin to upload "
                     "it, or to close the survey first.", slug=survey.slug))
    version, created = storage.load_survey(raw, status="draft")
    if not created:
        return version, "unchanged", reading.notices
    outcome = "new survey" if newest is None else "new version"
    audit.record("survey_uploaded", slug=version.survey.slug, version=version.version, outcome=outcome)
    return version, outcome, reading.notices


# Flashed messages travel in the session cookie, which must stay small.
_NOTICES_SHOWN = 6


def _notices_message(notices: list[str]) -> str:
    shown = " ".join(notices[:_NOTICES_SHOWN])
    if len(notices) > _NOTICES_SHOWN:
        return pgettext("staff", "Accepted but ignored: %(notices)s And %(count)d more; load-survey on the command "
                                 "line lists them all.", notices=shown, count=len(notices) - _NOTICES_SHOWN)
    return pgettext("staff", "Accepted but ignored: %(notices)s", notices=shown)


def _upload_message(version: SurveyVersion, outcome: str) -> str:
    slug, number = version.survey.slug, version.version
    if outcome == "new survey":
        return pgettext("staff", "%(slug)s was loaded as a draft (version %(version)d). Preview it in each "
                                 "language; an admin publishes it when it is ready.", slug=slug, version=number)
    if outcome == "unchanged":
        return pgettext("staff", "This file is the same as version %(version)d of %(slug)s, so nothing changed.",
                        slug=slug, version=number)
    if version.survey.status == "open":
        return pgettext("staff", "Version %(version)d of %(slug)s was loaded. The survey is open, so families "
                                 "answer this version from now on.", slug=slug, version=number)
    return pgettext("staff", "Version %(version)d of %(slug)s was loaded.", slug=slug, version=number)


@blueprint.route("/surveys", methods=["GET", "POST"])
@roles_required("admin", "staff")
def surveys_index():
    form = UploadForm()
    if form.validate_on_submit():
        try:
            version, outcome, notices = _load_upload(form.content, form.filename)
        except (WorkbookTooLarge, AttachmentError) as error:
            db.session.rollback()
            audit.record("survey_upload_refused", reason=str(error))
            form.workbook.errors.append(str(error))
        except (XLSFormError, form_media.MediaError, UploadRefused) as error:
            db.session.rollback()
            # Shown at the file field and in the error summary, like any other problem with the file.
            form.workbook.errors.append(str(error))
        else:
            flash(_upload_message(version, outcome), "success")
            if notices:
                flash(_notices_message(notices), "info")
            return redirect(url_for("staff.survey_detail", slug=version.survey.slug))
    return render_template("staff/surveys.html", form=form, rows=_survey_rows())


@blueprint.get("/surveys/<slug>")
@roles_required("admin", "staff")
def survey_detail(slug: str):
    survey, _newest = surveys.get_or_404(slug)
    newest = survey.versions[-1]
    return render_template("staff/surveys_detail.html", survey=survey, newest=newest, title=_title(newest),
                           languages=_language_rows(newest), responses=_responses_by_version(survey))


@blueprint.post("/surveys/<slug>/<any(publish, close):action>")
@roles_required("admin")
def survey_status(slug: str, action: str):
    survey, _newest = surveys.get_or_404(slug)
    wanted = "open" if action == "publish" else "closed"
    if wanted == "closed" and survey.status == "draft":
        flash(pgettext("staff", "A draft has not been published, so there is nothing to close."), "error")
        return redirect(url_for("staff.survey_detail", slug=slug))
    before = storage.set_survey_status(survey, wanted)
    if before != wanted and wanted == "open":
        audit.record("survey_published", slug=slug, version=survey.versions[-1].version, previous=before)
        flash(pgettext("staff", "%(slug)s is open: families can answer it now.", slug=slug), "success")
    elif before != wanted:
        audit.record("survey_closed", slug=slug, version=survey.versions[-1].version)
        flash(pgettext("staff", "%(slug)s is closed: its link now shows a message that the survey is closed.",
                       slug=slug), "success")
    return redirect(url_for("staff.survey_detail", slug=slug))


@blueprint.get("/surveys/<slug>/xlsform")
@roles_required("admin", "staff")
def survey_xlsform(slug: str):
    survey, _newest = surveys.get_or_404(slug)
    number = request.args.get("version", type=int)
    version = next((v for v in survey.versions if v.version == number), None) if number else survey.versions[-1]
    if version is None:
        abort(404)
    content = write_xlsform(stored_to_raw(version.definition))
    audit.record("survey_downloaded", slug=slug, version=version.version)
    return send_file(io.BytesIO(content), mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=f"{slug}-v{version.version}.xlsx")


@blueprint.get("/surveys/<slug>/preview")
@roles_required("admin", "staff")
def survey_preview(slug: str):
    survey, _newest = surveys.get_or_404(slug)
    version = survey.versions[-1]
    definition = surveys.parsed(version)
    previewable = definition.languages
    asked = request.args.get("lang")
    code = asked if asked in previewable else previewable[0]
    # The page stays in the staff member's language; the survey's own parts are shown in the previewed one.
    forms = locale.call_in(code, _preview_forms, definition, code)
    return render_template("staff/preview.html", survey=survey, version=version, definition=definition,
                           forms=forms, offered=previewable or (locale.DEFAULT,), languages=_language_rows(version),
                           previewed=locale.language_for(code), in_previewed=partial(locale.call_in, code),
                           buttons=locale.call_in(code, lambda: (gettext("Next"), gettext("Send my answers"))))


def _preview_forms(definition: SurveyDefinition, code: str) -> list[PageForm]:
    """Every page's form, empty, in one language, as a respondent would first see it."""
    # Every choice is shown: which ones a choice filter keeps depends on answers a preview has not got.
    return [build_page_form(definition, index, code, {}, filtered=False) for index in range(len(definition.pages))]
