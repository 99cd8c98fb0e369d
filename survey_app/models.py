"""The database tables. Answers hold choice codes, never labels; nothing here
identifies a respondent's device or address."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any, Optional

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import Model


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_uuid() -> str:
    return str(uuid.uuid4())


class Partner(Model):
    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    state_code: Mapped[str] = mapped_column(String(2))
    website: Mapped[str] = mapped_column(String(200), default="")
    focus: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    # How many responses the organisation aims to collect; its portal shows progress towards it.
    response_target: Mapped[Optional[int]]


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("partners.id"))
    # The language a translator reviews (a language code such as `kea`); None for everyone else.
    language: Mapped[Optional[str]] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of the session's identity: changing the password ends every other session.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The language of this user's own pages, chosen from the staff language menu.
    page_language: Mapped[Optional[str]] = mapped_column(String(16))

    partner: Mapped[Optional[Partner]] = relationship()

    ROLES = ("admin", "staff", "partner", "translator")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses log-in for disabled users
        return self.can_log_in

    @property
    def can_log_in(self) -> bool:
        """Disabled users, and the users of a deactivated partner organisation, cannot."""
        return self.active and (self.partner is None or self.partner.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class Survey(Model):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    # Languages staff switched on; None means every language that is fully translated.
    languages: Mapped[Optional[list[str]]] = mapped_column(JSON)
    # Staff may publish a results page per state for families (aggregates only).
    public_results: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list["SurveyVersion"]] = relationship(
        back_populates="survey", order_by="SurveyVersion.version"
    )


class SurveyVersion(Model):
    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    version: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    definition_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[Survey] = relationship(back_populates="versions")


class Draft(Model):
    """Answers of a survey in progress, kept on the server so the session cookie
    only carries the draft's id. Its id becomes the response's id on submission,
    which is what makes a repeated submission store nothing twice."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    partner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("partners.id"))
    language: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(10), default="web")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Response(Model):
    __tablename__ = "responses"
    __table_args__ = (Index("ix_responses_version_submitted", "survey_version_id", "submitted_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    partner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("partners.id"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(10), default="web")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # For paper forms keyed in by partner staff: who entered it.
    entered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    answers: Mapped[list["Answer"]] = relationship(cascade="all, delete-orphan")
    version: Mapped[SurveyVersion] = relationship()
    partner: Mapped[Optional[Partner]] = relationship()


class Answer(Model):
    """One answer; a multiple-choice answer is one row per chosen code."""

    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_question_value", "question", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[str] = mapped_column(ForeignKey("responses.id"), index=True)
    question: Mapped[str] = mapped_column(String(80))
    value: Mapped[str] = mapped_column(Text)


class CommentNote(Model):
    """Staff's tags and star on one free-text answer (a comment)."""

    __tablename__ = "comment_notes"

    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"), primary_key=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    starred: Mapped[bool] = mapped_column(default=False)
    # Staff's translation of a quote, printed under it on fact sheets.
    translation: Mapped[Optional[str]] = mapped_column(Text)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEvent(Model):
    """Who did what and when, for staff and partner users; never about a respondent."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user: Mapped[Optional[User]] = relationship()


class Contact(Model):
    """Follow-up contact details given after a separate opt-in. Kept apart from the
    answers (no link to the response) and encrypted with a key from the environment.

    No time is kept finer than the day it is to be deleted, and the id is random and is
    what lists are sorted by: a time or a sequence would match a contact to the response
    submitted just before it."""

    __tablename__ = "contacts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    partner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("partners.id"))
    language: Mapped[str] = mapped_column(String(16))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    delete_on: Mapped[Optional[date]]


class ContactTicket(Model):
    """One per completed response while contacts are offered: leaving contact details
    uses it up, so one survey gives at most one contact. A random token with no link to
    the response and no time but the day it lapses."""

    __tablename__ = "contact_tickets"

    token: Mapped[str] = mapped_column(String(43), primary_key=True)
    expires_on: Mapped[date]


class TranslationReview(Model):
    """A native speaker's verdict on one translated text, as the reviewer saw it: approved
    as it is, or a change proposed that staff then accept. A text is known by its kind
    (survey text or interface string), its context and its English, so a review no
    longer counts once the English changes."""

    __tablename__ = "translation_reviews"
    __table_args__ = (Index("ix_translation_reviews_language_kind", "language", "kind"),)

    STATUSES = ("approved", "proposed", "accepted")

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(10))
    # Survey texts belong to a survey; interface strings to none.
    survey_id: Mapped[Optional[int]] = mapped_column(ForeignKey("surveys.id"))
    context: Mapped[str] = mapped_column(String(200))
    english: Mapped[str] = mapped_column(Text)
    # The translation approved (or, once accepted, the proposal), one entry per plural form.
    translation: Mapped[list[str]] = mapped_column(JSON, default=list)
    proposal: Mapped[Optional[list[str]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[Optional[datetime]]

    reviewed_by: Mapped[User] = relationship(foreign_keys=[reviewed_by_id])
    accepted_by: Mapped[Optional[User]] = relationship(foreign_keys=[accepted_by_id])


class PolicyLever(Model):
    """A provision that gives families a lever on one issue: a choice code of a survey's ranked
    question, such as `language_access`. Federal levers (no state) apply in every state."""

    __tablename__ = "policy_levers"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue: Mapped[str] = mapped_column(String(80), index=True)
    state_code: Mapped[Optional[str]] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(30))
    lever: Mapped[str] = mapped_column(Text)
    provides: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str] = mapped_column(String(500), default="")
    # "read": someone re-read the source and it says this; "not re-read": taken from a summary.
    verification: Mapped[str] = mapped_column(String(20), default="not re-read")
    # What exactly was checked, for staff ("notice read; others not re-read"); never printed.
    verification_note: Mapped[str] = mapped_column(Text, default="")
    as_of: Mapped[Optional[date]]
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AdvocacyDate(Model):
    """A dated chance to speak up in one state: a comment period, a board meeting, a hearing."""

    __tablename__ = "advocacy_dates"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_code: Mapped[str] = mapped_column(String(2), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[Optional[date]]
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    link: Mapped[str] = mapped_column(String(500), default="")
    issues: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaFile(Model):
    """A recording families can play, as served: named by the SHA-256 of its bytes, so a name never
    changes meaning, every app server finds it in the one database, and it is stored once however
    many survey versions name it."""

    __tablename__ = "media_files"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)  # "<sha256>.mp3"
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecordingProposal(Model):
    """A native speaker's recording of one survey text in one language, for staff to accept. A
    text is known by where it is in the survey (`target`: "survey:<question>",
    "choices:<list>/<choice>", "settings:description_audio" or "settings:thanks_audio") and by
    its wording when it was recorded, so a recording of an older wording is not accepted."""

    __tablename__ = "recording_proposals"
    __table_args__ = (Index("ix_recording_proposals_survey_language", "survey_id", "language"),)

    STATUSES = ("proposed", "accepted")

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    language: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    media_name: Mapped[str] = mapped_column(ForeignKey("media_files.name"))
    status: Mapped[str] = mapped_column(String(10))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[Optional[datetime]]

    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])


class ReportPart(Model):
    """Some of a survey's responses as its reports read them (`survey_app.reporting.columnar`),
    computed once by whichever server first needed them and read by every other: the responses
    submitted from `submitted_from` (included) to `submitted_before` (excluded), read with the survey's report
    definition of fingerprint `definition_hash`. Never holds anything the answers do not."""

    __tablename__ = "report_parts"
    __table_args__ = (UniqueConstraint("survey_id", "definition_hash", "submitted_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    definition_hash: Mapped[str] = mapped_column(String(64))
    submitted_from: Mapped[datetime]
    submitted_before: Mapped[datetime]
    responses: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)  # the numbers: all a report reads
    texts: Mapped[bytes] = mapped_column(LargeBinary)  # response ids and free text, for the comments pages
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PolicyText(Model):
    """Policy words in one language: the plain-language line families read beside an issue
    (subject `issue:<code>`, written by staff in English), or the translation of what a lever
    provides (subject `lever:<id>`). A translation keeps the English it was made from, so it
    counts only while that English is still the one in use."""

    __tablename__ = "policy_texts"
    __table_args__ = (UniqueConstraint("subject", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    english: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
