"""Native speakers record the survey's texts in the browser, for families who read little.

The page lists each text a family hears (the welcome text, each question, each answer, the
thank-you text) beside the English, with the recording families hear now, if any. A reviewer
records with the microphone (record.js, with MediaRecorder) or, without JavaScript, chooses an
audio file; either way the same form sends it. It is converted and kept as a proposal; staff
listen and accept it, and the survey becomes a new version with the recording in its cell, as an
accepted translation does.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import pgettext
from flask_login import current_user
from sqlalchemy import select

from forms.survey import GROUP_TYPES
from forms.xlsform import stored_to_raw

from .. import audio, audit, form_media, storage
from ..extensions import db
from ..i18n.locale import BY_CODE
from ..models import RecordingProposal, Survey, SurveyVersion
from ..security.auth import roles_required
from . import ACCEPTERS, REVIEWERS, blueprint, form_text, open_review


@dataclass(frozen=True)
class RecordingItem:
    target: str  # where the recording goes: "survey:<question>", "choices:<list>/<choice>", "settings:<column>"
    english: str
    text: str  # the wording in the language being recorded
    current: str | None  # the recording families hear now
    proposal: RecordingProposal | None

    @property
    def anchor(self) -> str:
        return "rec-" + "".join(c if c.isalnum() else "-" for c in self.target)


def _texts(definition: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, str], dict[str, str]]]:
    """(target, texts by language, recordings by language) of each text a family can hear."""
    settings = definition["settings"]
    welcome = {code: " ".join(filter(None, (settings.get("title", {}).get(code),
                                            settings.get("description", {}).get(code))))
               for code in {*settings.get("title", {}), *settings.get("description", {})}}
    yield "settings:description_audio", welcome, settings.get("description_audio", {})
    if settings.get("thanks"):
        yield "settings:thanks_audio", settings["thanks"], settings.get("thanks_audio", {})
    for row in definition["survey"]:
        if row["type"] in GROUP_TYPES or not row.get("name"):
            continue
        spoken = {code: " ".join(filter(None, (text, row.get("hint", {}).get(code))))
                  for code, text in row.get("label", {}).items()}
        yield f"survey:{row['name']}", spoken, row.get("audio", {})
    for list_name, items in definition["choices"].items():
        for choice in items:
            yield f"choices:{list_name}/{choice['name']}", choice["label"], choice.get("audio", {})


def voice_count(definition: Mapping[str, Any], language: str) -> tuple[int, int]:
    """(texts with a recording in `language`, texts a family can hear)."""
    source = definition["settings"]["default_language"]
    found = [bool(recordings.get(language)) for _target, texts, recordings in _texts(definition)
             if texts.get(source)]
    return sum(found), len(found)


def recording_items(survey: Survey, version: SurveyVersion, language: str) -> list[RecordingItem]:
    definition = version.definition
    source = definition["settings"]["default_language"]
    proposals = {proposal.target: proposal for proposal in db.session.scalars(select(RecordingProposal).where(
        RecordingProposal.survey_id == survey.id, RecordingProposal.language == language,
        RecordingProposal.status == "proposed"))}
    return [RecordingItem(target, texts.get(source, ""), texts.get(language) or texts.get(source, ""),
                          recordings.get(language), proposals.get(target))
            for target, texts, recordings in _texts(definition) if texts.get(source)]


def with_recording(raw: dict[str, Any], target: str, language: str, name: str) -> dict[str, Any]:
    """The flat definition with `name` in the cell `target` names, for `language`."""
    sheet, _, where = target.partition(":")
    if sheet == "settings":
        raw["settings"][f"{where}::{language}"] = name
        return raw
    list_name, _, row_name = where.rpartition("/")
    for row in raw[sheet]:
        if row.get("name") == row_name and (sheet == "survey" or row.get("list_name") == list_name):
            row[f"audio::{language}"] = name
            return raw
    raise KeyError(target)


@blueprint.route("/<slug>/<language_code>/recordings", methods=["GET", "POST"])
@roles_required(*REVIEWERS)
def recordings(slug: str, language_code: str):
    survey, version, form, sent = open_review(slug, language_code)
    if sent:
        return _submitted(survey, version, language_code)
    items = recording_items(survey, version, language_code)
    return render_template("review/recordings.html", survey=survey, reviewing=BY_CODE[language_code], form=form,
                           items=items, voiced=sum(1 for item in items if item.current))


def _submitted(survey: Survey, version: SurveyVersion, language_code: str):
    target, text = request.form.get("target", ""), form_text(request.form.get("text", ""))
    back = redirect(url_for("review.recordings", slug=survey.slug, language_code=language_code))
    item = next((item for item in recording_items(survey, version, language_code) if item.target == target), None)
    if item is None or item.text != text:
        flash(pgettext("staff", "That text is no longer in the survey or its wording has changed. Please look "
                                "again."), "error")
        return back
    if request.form.get("action") == "accept":
        return _accept(survey, version, language_code, item, back)
    upload = request.files.get("recording")
    data = upload.read(current_app.config["MAX_UPLOAD_BYTES"] + 1) if upload is not None else b""
    if upload is None or not data:
        flash(pgettext("staff", "Record the text, or choose a recording, before sending it."), "error")
        return back
    try:
        name = form_media.store_recording(data, upload.filename or "recording.webm")
    except audio.AudioError as error:
        db.session.rollback()
        flash(str(error), "error")
        return back
    storage.propose_recording(current_user, survey, language_code, target, text, name)
    audit.record("recording_proposed", language=language_code, slug=survey.slug, target=target)
    flash(pgettext("staff", "Your recording was saved. Staff will listen to it and add it to the survey."), "success")
    return redirect(url_for("review.recordings", slug=survey.slug, language_code=language_code,
                            _anchor=item.anchor))


def _accept(survey: Survey, version: SurveyVersion, language_code: str, item: RecordingItem, back):
    if current_user.role not in ACCEPTERS:
        abort(403)
    if item.proposal is None:
        flash(pgettext("staff", "There is no recording to accept for that text."), "error")
        return back
    raw = with_recording(stored_to_raw(version.definition), item.target, language_code, item.proposal.media_name)
    new_version = storage.accept_recording(item.proposal, current_user, raw)
    audit.record("recording_accepted", language=language_code, slug=survey.slug, target=item.target,
                 version=new_version.version)
    flash(pgettext("staff", "Accepted: the survey is now version %(version)d.", version=new_version.version),
          "success")
    return back
