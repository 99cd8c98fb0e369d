"""Every write to the database goes through this module: small functions, each
one transaction, so a reader can see all the ways data is created or changed."""
from __future__ import annotations

import csv
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, Mapping, cast

from argon2 import PasswordHasher
from flask import current_app
from sqlalchemy import CursorResult, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from forms import metadata, translation_files
from forms.survey import Survey as SurveyDefinition
from forms.normalising import definition_hash, normalise
from forms.relevance import counted_answers

from .contacts import ContactDetails, seal
from .drafts import SavedDraft
from .extensions import db
from .i18n.locale import BY_CODE
from .i18n.locale import DEFAULT as DEFAULT_LANGUAGE
from .models import (AdvocacyDate, Answer, AuditEvent, CommentNote, Contact, ContactTicket, Draft, MediaFile, Partner,
                     PolicyLever, PolicyText, RecordingProposal, ReportPart, Response, Survey, SurveyVersion,
                     TranslationReview, User, new_uuid, utcnow)
from .surveys import PublicSurvey, forget_public_surveys



def password_hasher() -> PasswordHasher:
    """argon2id with the app's cost settings (lower only under SURVEY_ENV=testing)."""
    return current_app.extensions["password_hasher"]


def upsert_partners(rows: Iterable[Mapping[str, str]]) -> int:
    """Add partners that are not there yet; existing ones keep any edits staff made."""
    existing = set(db.session.scalars(select(Partner.code)))
    added = 0
    for row in rows:
        if row["code"] in existing:
            continue
        db.session.add(Partner(code=row["code"], name=row["name"], state_code=row["state_code"],
                               website=row.get("website", ""), focus=row.get("focus", "")))
        added += 1
    db.session.commit()
    return added


def read_partners_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_survey(raw_definition: Mapping[str, Any], status: str = "open") -> tuple[SurveyVersion, bool]:
    """Store a definition as a survey's newest version. Returns the version and
    whether it is new: loading the same content again changes nothing. `status`
    applies to a survey seen for the first time; an existing one keeps its own."""
    definition = normalise(raw_definition)
    fingerprint = definition_hash(definition)
    slug = definition["settings"]["form_id"]
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        survey = Survey(slug=slug, status=status)
        db.session.add(survey)
        db.session.flush()
    newest = db.session.scalar(
        select(SurveyVersion).where(SurveyVersion.survey_id == survey.id).order_by(SurveyVersion.version.desc())
    )
    if newest is not None and newest.definition_hash == fingerprint:
        db.session.commit()
        return newest, False
    version = SurveyVersion(survey_id=survey.id, version=(newest.version + 1) if newest else 1,
                            definition=definition, definition_hash=fingerprint)
    db.session.add(version)
    db.session.commit()
    forget_public_surveys()
    return version, True


def has_media(name: str) -> bool:
    """Whether a recording or picture is stored under `name` (or waits, flushed, to be committed with
    its version), asked without loading its bytes."""
    return db.session.scalar(select(MediaFile.name).where(MediaFile.name == name)) is not None


def store_media(name: str, content_type: str, data: bytes) -> None:
    """Keep a recording under its content-derived `name`, once. Committed with the survey version
    that names it (`load_survey`), so a form refused later leaves nothing behind."""
    if not has_media(name):
        db.session.add(MediaFile(name=name, content_type=content_type, size=len(data), data=data))
        db.session.flush()


def start_draft(version_id: int, partner: Partner | None, language: str, channel: str = "web",
                survey: SurveyDefinition | None = None) -> Draft:
    """A new draft; the `start` rows of the `survey` get the minute it begins (`forms.metadata`)."""
    draft = Draft(survey_version_id=version_id, partner_id=partner.id if partner else None,
                  language=language, channel=channel, answers=metadata.started(survey, utcnow()) if survey else {})
    db.session.add(draft)
    db.session.commit()
    return draft


# The respondent's writes, built once: a submission is the busiest write there is.
_DRAFTS, _RESPONSES, _ANSWERS = Draft.__table__, Response.__table__, Answer.__table__
_SAVE_DRAFT = update(_DRAFTS).where(_DRAFTS.c.id == bindparam("draft_id"))
_DELETE_DRAFT = delete(_DRAFTS).where(_DRAFTS.c.id == bindparam("draft_id"))
_INSERT_RESPONSE = insert(_RESPONSES)
_INSERT_ANSWERS = insert(_ANSWERS)


def save_answers(draft: SavedDraft, answers: Mapping[str, Any], language: str) -> dict[str, Any]:
    """Merge one page's answers into the draft; returns all its answers."""
    merged = {**(draft.answers or {}), **answers}
    db.session.connection().execute(_SAVE_DRAFT, {"draft_id": draft.id, "answers": merged, "language": language})
    db.session.commit()
    return merged


def submit_draft(draft: SavedDraft, survey: SurveyDefinition, answers: Mapping[str, Any], language: str) -> str:
    """Store a draft's `answers` (the whole response, checked by `forms.builder.page_form_to_fix`
    in this transaction) as a response, exactly once: the response takes the draft's id, so a
    second submission of the same draft finds the first and stores nothing. Only answers that
    count (`forms.relevance`) are kept."""
    response_id = draft.id
    answers = counted_answers(survey, {**answers, **metadata.sent(survey, utcnow())})
    rows = [{"response_id": response_id, "question": name, "value": value} for name, value in answer_rows(answers)]
    # The statements go straight to the session's connection: the ORM's bookkeeping
    # for them cost as much as the writes.
    connection = db.session.connection()
    try:
        connection.execute(_INSERT_RESPONSE, {
            "id": response_id, "survey_version_id": draft.survey_version_id, "partner_id": draft.partner_id,
            "language": language, "channel": draft.channel, "submitted_at": utcnow(), "entered_by_id": None})
        if rows:
            connection.execute(_INSERT_ANSWERS, rows)
        connection.execute(_DELETE_DRAFT, {"draft_id": response_id})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if db.session.get(Response, response_id) is None:
            raise
    return response_id


def answer_rows(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for name, value in answers.items():
        if isinstance(value, list):
            rows.extend((name, str(code)) for code in value)
        else:
            rows.append((name, str(value)))
    return rows


def delete_old_drafts(days: int) -> int:
    cutoff = utcnow() - timedelta(days=days)
    result = cast(CursorResult[Any], db.session.execute(delete(Draft).where(Draft.updated_at < cutoff)))
    db.session.commit()
    return result.rowcount or 0


class UserExists(ValueError):
    """Another user already has this email address."""


def create_user(email: str, password: str, role: str, partner: Partner | None = None,
                language: str | None = None) -> User:
    """A translator reviews one language and may belong to the partner that found them."""
    if role not in User.ROLES:
        raise ValueError(f"role must be one of {', '.join(User.ROLES)}")
    if role == "partner" and partner is None or role in ("admin", "staff") and partner is not None:
        raise ValueError("a partner user needs --partner; admin and staff users take none")
    if (role == "translator") != (language is not None):
        raise ValueError("a translator needs --language; other users take none")
    if language is not None and (language not in BY_CODE or language == DEFAULT_LANGUAGE):
        raise ValueError(f"--language must be one of {', '.join(code for code in BY_CODE if code != DEFAULT_LANGUAGE)}")
    user = User(email=email.strip().lower(), password_hash=password_hasher().hash(password), role=role,
                partner_id=partner.id if partner else None, language=language)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # The same address added twice at once (two staff, or a double click): the first one stands.
        db.session.rollback()
        raise UserExists(user.email) from None
    return user


def set_password(user: User, password: str) -> None:
    """A new password ends every session the user had (their session version changes)."""
    user.password_hash = password_hasher().hash(password)
    user.session_version += 1
    db.session.commit()


def end_sessions(user: User) -> None:
    """Log-out: every session of the user ends, on every device, including copies of its cookie."""
    user.session_version += 1
    db.session.commit()


def set_user_active(user: User, active: bool) -> None:
    """Disable or enable a user's log-in; either way their open sessions end."""
    user.active = active
    user.session_version += 1
    db.session.commit()


def set_response_target(partner: Partner, target: int | None) -> None:
    """The number of responses a partner aims for; None removes the target."""
    partner.response_target = target
    db.session.commit()


def set_user_language(user: User, code: str) -> None:
    """The language of the user's own staff or partner pages."""
    user.page_language = code
    db.session.commit()


def rehash_password_if_needed(user: User, password: str) -> None:
    if password_hasher().check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher().hash(password)
        db.session.commit()


def set_survey_languages(survey: Survey, codes: list[str]) -> None:
    """Switch a survey's languages; the default language is always on."""
    default = survey.versions[-1].definition["settings"]["default_language"] if survey.versions else "en"
    survey.languages = sorted(set(codes) | {default})
    db.session.commit()
    forget_public_surveys()


PARTNER_FIELDS = ("code", "name", "state_code", "website", "focus", "active", "response_target")


def create_partner(code: str, name: str, state_code: str, website: str = "", focus: str = "",
                   active: bool = True, response_target: int | None = None) -> Partner:
    """Add a partner organisation. The caller has checked that the code is free."""
    partner = Partner(code=code, name=name, state_code=state_code, website=website, focus=focus, active=active,
                      response_target=response_target)
    db.session.add(partner)
    db.session.commit()
    return partner


def update_partner(partner: Partner, changes: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Apply staff's edits to a partner. Returns what changed, `{field: [before, after]}`,
    so the audit log can say exactly what was edited."""
    changed: dict[str, list[Any]] = {}
    for field in PARTNER_FIELDS:
        if field in changes and getattr(partner, field) != changes[field]:
            changed[field] = [getattr(partner, field), changes[field]]
            setattr(partner, field, changes[field])
    if changed.get("active") == [True, False]:
        # Their sessions and kiosks end now, and do not come back if the partner is reactivated.
        db.session.execute(update(User).where(User.partner_id == partner.id)
                           .values(session_version=User.session_version + 1))
    db.session.commit()
    return changed


def discard_draft(draft_id: str) -> None:
    """Delete an unfinished draft, so the next person at a shared kiosk cannot open it."""
    db.session.execute(delete(Draft).where(Draft.id == draft_id))
    db.session.commit()


def store_entered_response(version: SurveyVersion, survey: SurveyDefinition, partner: Partner, language: str,
                           answers: Mapping[str, Any], entered_by: User) -> str:
    """Store a paper form keyed in by a partner user as a complete response (checked page by
    page by the caller). Like a submitted draft, only answers that count are kept."""
    response = Response(id=new_uuid(), survey_version_id=version.id, partner_id=partner.id, language=language,
                        channel="paper", submitted_at=utcnow(), entered_by_id=entered_by.id)
    response.answers = [Answer(question=name, value=value)
                        for name, value in answer_rows(counted_answers(survey, answers))]
    db.session.add(response)
    db.session.commit()
    return response.id


SURVEY_STATUSES = ("draft", "open", "closed")


def set_survey_status(survey: Survey, status: str) -> str:
    """Publish ("open"), close or reopen a survey; returns the status it had. Only an
    open survey can be answered: the link of a draft or closed one shows a message."""
    if status not in SURVEY_STATUSES:
        raise ValueError(f"status must be one of {', '.join(SURVEY_STATUSES)}")
    before = survey.status
    survey.status = status
    db.session.commit()
    forget_public_surveys()
    return before


def set_comment_note(answer_id: int, tags: Iterable[str], starred: bool, user: User) -> CommentNote:
    """Save staff's issue tags and star on one free-text answer (replacing earlier ones).
    The caller has checked that the answer is a comment and that the tags are issue codes."""
    note = db.session.get(CommentNote, answer_id)
    if note is None:
        note = CommentNote(answer_id=answer_id)
        db.session.add(note)
    note.tags = sorted(set(tags))
    note.starred = starred
    note.updated_by_id = user.id
    note.updated_at = utcnow()
    db.session.commit()
    return note


def set_comment_translation(answer_id: int, translation: str, user: User) -> CommentNote:
    """Staff's translation of a quote for fact sheets; empty text removes it. The caller has
    checked that the answer is a comment."""
    note = db.session.get(CommentNote, answer_id)
    if note is None:
        note = CommentNote(answer_id=answer_id, tags=[], starred=False)
        db.session.add(note)
    note.translation = translation.strip() or None
    note.updated_by_id = user.id
    note.updated_at = utcnow()
    db.session.commit()
    return note


def set_public_results(survey: Survey, published: bool) -> None:
    """Publish or withdraw the families' results pages of a survey (aggregates only)."""
    survey.public_results = published
    db.session.commit()
    forget_public_surveys()


def issue_contact_ticket() -> str:
    """A ticket for one contact, handed to a person who just completed a survey. It lapses
    with the day after their session could last."""
    token = secrets.token_urlsafe(32)
    lasts = current_app.config["PERMANENT_SESSION_LIFETIME"] + timedelta(days=1)
    db.session.add(ContactTicket(token=token, expires_on=(utcnow() + lasts).date()))
    db.session.commit()
    return token


def store_contact(survey: Survey | PublicSurvey, partner: Partner | None, details: ContactDetails, language: str,
                  ticket: str) -> bool:
    """Keep opted-in contact details, sealed, with no link to the person's answers, using
    up `ticket`. False, and nothing stored, when the ticket was used before or lapsed."""
    used = cast(CursorResult[Any], db.session.execute(delete(ContactTicket).where(
        ContactTicket.token == ticket, ContactTicket.expires_on >= utcnow().date())))
    if used.rowcount != 1:
        db.session.rollback()
        return False
    retention = current_app.config["CONTACT_RETENTION_DAYS"]
    db.session.add(Contact(survey_id=survey.id, partner_id=partner.id if partner else None, language=language,
                           sealed=seal(details), delete_on=(utcnow() + timedelta(days=retention)).date()))
    db.session.commit()
    return True


def purge_contacts(survey: Survey | None = None, expired_only: bool = False) -> int:
    """Delete contact details: all of a survey's, or every one past its retention date."""
    query = delete(Contact)
    if survey is not None:
        query = query.where(Contact.survey_id == survey.id)
    if expired_only:
        query = query.where(Contact.delete_on < utcnow().date())
    result = cast(CursorResult[Any], db.session.execute(query))
    db.session.commit()
    return result.rowcount or 0


def purge_expired() -> dict[str, int]:
    """What the daily clean-up deletes: drafts untouched for `DRAFT_RETENTION_DAYS`,
    contact details past their retention date, and contact tickets that lapsed."""
    drafts = delete_old_drafts(current_app.config["DRAFT_RETENTION_DAYS"])
    contacts = purge_contacts(expired_only=True)
    tickets = cast(CursorResult[Any],
                   db.session.execute(delete(ContactTicket).where(ContactTicket.expires_on < utcnow().date())))
    db.session.commit()
    return {"drafts": drafts, "contacts": contacts, "contact_tickets": tickets.rowcount or 0}


def review_translation(user: User, language: str, kind: str, context: str, english: str,
                       translation: Iterable[str], proposal: Iterable[str] | None = None,
                       survey: Survey | None = None) -> TranslationReview:
    """Record a reviewer's verdict on one text: approved as `translation` reads now, or,
    with `proposal`, a change for staff to accept. A later verdict replaces an earlier one."""
    reviewer_id, survey_id = user.id, survey.id if survey else None   # read before anything is pending
    review = db.session.scalar(select(TranslationReview).where(
        TranslationReview.language == language, TranslationReview.kind == kind,
        TranslationReview.survey_id == survey_id,
        TranslationReview.context == context, TranslationReview.english == english))
    if review is None:
        review = TranslationReview(language=language, kind=kind, survey_id=survey_id, context=context,
                                   english=english)
        db.session.add(review)
    review.translation = list(translation)
    review.proposal = list(proposal) if proposal is not None else None
    review.status = "proposed" if proposal is not None else "approved"
    review.reviewed_by_id = reviewer_id
    review.reviewed_at = utcnow()
    review.accepted_by_id = None
    review.accepted_at = None
    db.session.commit()
    return review


def accept_translation(review: TranslationReview, user: User, po_file: bytes | None = None,
                       raw_definition: dict[str, Any] | None = None) -> SurveyVersion | None:
    """Staff accept a proposed change. For a survey text the caller passes the newest
    definition and a `.po` file holding the change (as `survey-po-export` writes them):
    it is imported, and the changed survey becomes a new version, which is returned.
    An interface string's change is kept here, for export as the language's catalog."""
    staff_id = user.id
    review.translation = list(review.proposal or [])
    review.status = "accepted"
    review.accepted_by_id = staff_id
    review.accepted_at = utcnow()
    if raw_definition is None or po_file is None:
        db.session.commit()
        return None
    if translation_files.import_po(raw_definition, review.language, po_file) != 1:
        db.session.rollback()
        raise ValueError("the English of this text has changed since it was reviewed")
    version, _created = load_survey(raw_definition)   # commits the review with the new version
    return version


def propose_recording(user: User, survey: Survey, language: str, target: str, text: str,
                      media_name: str) -> RecordingProposal:
    """Keep a native speaker's recording of one text (already stored with `store_media`) for staff
    to accept. A new recording of the same text replaces a proposal not yet accepted."""
    recorder_id, survey_id = user.id, survey.id
    proposal = db.session.scalar(select(RecordingProposal).where(
        RecordingProposal.survey_id == survey_id, RecordingProposal.language == language,
        RecordingProposal.target == target, RecordingProposal.status == "proposed"))
    if proposal is None:
        proposal = RecordingProposal(survey_id=survey_id, language=language, target=target, status="proposed")
        db.session.add(proposal)
    proposal.text = text
    proposal.media_name = media_name
    proposal.recorded_by_id = recorder_id
    proposal.recorded_at = utcnow()
    db.session.commit()
    return proposal


def accept_recording(proposal: RecordingProposal, user: User, raw_definition: dict[str, Any]) -> SurveyVersion:
    """Staff accept a recording: `raw_definition` (the newest version, flat, with the recording
    already in its cell) becomes the survey's new version, committed with the acceptance."""
    proposal.status = "accepted"
    proposal.accepted_by_id = user.id
    proposal.accepted_at = utcnow()
    version, _created = load_survey(raw_definition)
    return version


def load_policy_levers(rows: Iterable[Mapping[str, str]]) -> int:
    """The federal levers of the reference file, loaded once: after that they are staff's to edit."""
    if db.session.scalar(select(PolicyLever.id).where(PolicyLever.state_code.is_(None)).limit(1)) is not None:
        return 0
    # The file's verification says what was re-read; a lever counts as "read" only when all of it was.
    levers = [PolicyLever(issue=row["issue_code"], state_code=None, kind="federal", lever=row["lever"],
                          provides=row["what_it_provides"], source=row["source"],
                          verification="read" if (row.get("verification") or "").strip() == "read" else "not re-read",
                          verification_note=(row.get("verification") or "").strip()) for row in rows]
    db.session.add_all(levers)
    db.session.commit()
    return len(levers)


def load_issue_lines(rows: Iterable[Mapping[str, str]]) -> int:
    """The plain-language lines of the reference file (English, and draft translations made
    from that English), loaded once: after that they are staff's and translators' to edit."""
    if db.session.scalar(select(PolicyText.id).where(PolicyText.subject.like("issue:%")).limit(1)) is not None:
        return 0
    rows = list(rows)
    english = {row["issue_code"]: row["line"].strip() for row in rows if row["language"] == DEFAULT_LANGUAGE}
    texts = [PolicyText(subject=f"issue:{row['issue_code']}", language=row["language"], text=row["line"].strip(),
                        english=english[row["issue_code"]])
             for row in rows if row["issue_code"] in english and row["line"].strip()]
    db.session.add_all(texts)
    db.session.commit()
    return len(texts)


def save_policy_text(subject: str, language: str, text: str, english: str, user: User | None) -> PolicyText:
    """Set the text of `subject` in `language`, made from `english` (for English itself, the text)."""
    user_id = user.id if user is not None else None
    row = db.session.scalar(select(PolicyText).where(PolicyText.subject == subject, PolicyText.language == language))
    if row is None:
        row = PolicyText(subject=subject, language=language)
        db.session.add(row)
    row.text, row.english, row.updated_by_id = text, english, user_id
    db.session.commit()
    return row


LEVER_FIELDS = ("issue", "state_code", "kind", "lever", "provides", "source", "source_url", "verification", "as_of")


def save_lever(lever: PolicyLever | None, values: Mapping[str, Any], user: User) -> PolicyLever:
    """Add a lever (`lever` None) or change one; returns it."""
    if lever is None:
        lever = PolicyLever()
        db.session.add(lever)
    for name in LEVER_FIELDS:
        if name in values:
            setattr(lever, name, values[name])
    lever.updated_by_id = user.id
    db.session.commit()
    return lever


def delete_lever(lever: PolicyLever) -> None:
    db.session.delete(lever)
    db.session.commit()


def add_advocacy_date(values: Mapping[str, Any], user: User) -> AdvocacyDate:
    entry = AdvocacyDate(state_code=values["state_code"], starts_on=values["starts_on"],
                         ends_on=values.get("ends_on"), kind=values["kind"], title=values["title"],
                         link=values.get("link") or "", issues=sorted(set(values.get("issues") or [])),
                         created_by_id=user.id)
    db.session.add(entry)
    db.session.commit()
    return entry


def delete_advocacy_date(entry: AdvocacyDate) -> None:
    db.session.delete(entry)
    db.session.commit()


def store_report_part(survey_id: int, definition_hash: str, submitted_from: datetime, submitted_before: datetime,
                      responses: int, data: bytes, texts: bytes) -> bool:
    """Keep some of a survey's responses as its reports read them, for every server
    (`reporting.parts`): their numbers and, apart, their text. False when another process
    stored the part starting there first: theirs is kept, and this process stores no more
    parts in this read."""
    db.session.add(ReportPart(survey_id=survey_id, definition_hash=definition_hash, submitted_from=submitted_from,
                              submitted_before=submitted_before, responses=responses, data=data, texts=texts))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def forget_report_parts(survey_id: int) -> int:
    """Delete a survey's stored report parts, which no longer match its responses; the next
    report reads the responses again. Returns how many were deleted."""
    deleted = cast(CursorResult[Any], db.session.execute(delete(ReportPart).where(ReportPart.survey_id == survey_id)))
    db.session.commit()
    return int(deleted.rowcount)


def add_audit_event(action: str, user_id: int | None, detail: Mapping[str, Any]) -> None:
    """One event of the audit log (`audit.record` says what goes in it)."""
    db.session.add(AuditEvent(action=action, user_id=user_id, detail=dict(detail)))
    db.session.commit()


def insert_responses(responses: list[dict[str, Any]], answers: list[dict[str, Any]]) -> None:
    """Store finished responses and their answer rows in one transaction, exactly as given."""
    db.session.execute(insert(Response), responses)
    if answers:
        db.session.execute(insert(Answer), answers)
    db.session.commit()


def store_generated_responses(version: SurveyVersion, survey: SurveyDefinition,
                              responses: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> int:
    """Store made-up finished responses (`demo`) in one transaction, each given as its columns
    and its answers. Like a submitted draft, only the answers that count are kept."""
    rows: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    for columns, given in responses:
        rows.append({**columns, "survey_version_id": version.id})
        answers.extend({"response_id": columns["id"], "question": name, "value": value}
                       for name, value in answer_rows(counted_answers(survey, given)))
    if rows:
        insert_responses(rows, answers)
    return len(rows)
