"""What a survey is once read: its questions with their choices, grouped into pages, and the
texts and settings around them; and the names of the columns and types a definition is written with.

A definition is stored in the shape `forms.normalising.normalise()` gives it, and read into these
classes by `forms.loading.load_survey()`; both reject a broken one with a `DefinitionError`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping

from .expressions import Expression
from .repeats import Repeat

QUESTION_TYPES = {"text", "integer", "decimal", "date", "time", "select_one", "select_multiple", "note", "calculate",
                  *("start", "end", "today")}
# Rows the respondent never sees: a value worked out from the answers (`calculate`), and when the
# response was started, sent and on what day (recorded by the server, see `forms/metadata.py`).
METADATA_TYPES = ("start", "end", "today")
UNSEEN_TYPES = ("calculate", *METADATA_TYPES)
GROUP_TYPES = {"begin_group", "end_group", "begin_repeat", "end_repeat"}
TRANSLATED = ("label", "hint", "required_message", "constraint_message")
# Texts families read around the questions: the title, what the survey is for (`description`),
# how long it takes (`duration`), what happens with the answers (`thanks`) and the flyer's
# line (`invitation`). Each falls back to the default language, so a language is offered
# without them.
SETTINGS_TRANSLATED = ("form_title", "description", "duration", "thanks", "invitation")
# Recordings, per language, of the welcome text and of the thank-you text: stored media names.
SETTINGS_AUDIO = ("description_audio", "thanks_audio")
# Pictures shown with the welcome text and with the thank-you text, per language: stored media names.
SETTINGS_IMAGE = ("description_image", "thanks_image")
SETTINGS_MEDIA = (*SETTINGS_AUDIO, *SETTINGS_IMAGE)
# What the reports rank, group by and break a group down by: question names, declared by the survey.
REPORT_SETTINGS = ("report_rank", "report_group", "report_breakdowns")
# Columns every response has besides its answers, which a report can also break down by.
RESPONSE_COLUMNS = ("language", "partner", "channel")
# A recording of a question's label and hint, or of a choice's label, and a picture shown with it, per
# language: a media file's stored name.
MEDIA = ("audio", "image")


class DefinitionError(ValueError):
    """A definition that cannot be used; the message says where and what is wrong."""


@dataclass(frozen=True)
class Choice:
    name: str
    label: Mapping[str, str]
    audio: Mapping[str, str] = field(default_factory=dict)
    image: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, str] = field(default_factory=dict)  # what a choice_filter reads besides `name`

    def filter_columns(self) -> dict[str, str]:
        return {**self.columns, "name": self.name}


@dataclass(frozen=True)
class Question:
    type: str
    name: str
    label: Mapping[str, str]
    hint: Mapping[str, str] = field(default_factory=dict)
    required: bool = False
    required_message: Mapping[str, str] = field(default_factory=dict)
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: Mapping[str, str] = field(default_factory=dict)
    list_name: str | None = None
    choices: tuple[Choice, ...] = ()
    audio: Mapping[str, str] = field(default_factory=dict)
    image: Mapping[str, str] = field(default_factory=dict)
    most: int | None = None  # the largest number accepted: a repeat's count question takes no more instances
    required_if: Expression | None = None  # `required` written as a condition
    calculation: Expression | None = None
    default: str | None = None  # the answer a question starts with, as stored
    default_expression: Expression | None = None  # a default worked out from earlier answers
    choice_filter: Expression | None = None

    @property
    def has_field(self) -> bool:
        """Whether the respondent answers it: not a note, a calculation or what the server records."""
        return self.type != "note" and self.type not in UNSEEN_TYPES

    @property
    def multiple(self) -> bool:
        return self.type == "select_multiple"

    @property
    def is_select(self) -> bool:
        return self.type in ("select_one", "select_multiple")


@dataclass(frozen=True)
class Page:
    name: str
    label: Mapping[str, str]
    questions: tuple[Question, ...]
    relevant: Expression | None = None
    repeat: str | None = None  # the repeat this page is a part of, and which instance of it (from 1)
    instance: int | None = None


@dataclass(frozen=True, eq=False)
class Survey:
    form_id: str
    version_label: str
    default_language: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    pages: tuple[Page, ...]
    languages: tuple[str, ...]
    duration: Mapping[str, str] = field(default_factory=dict)
    thanks: Mapping[str, str] = field(default_factory=dict)
    invitation: Mapping[str, str] = field(default_factory=dict)
    description_audio: Mapping[str, str] = field(default_factory=dict)
    thanks_audio: Mapping[str, str] = field(default_factory=dict)
    description_image: Mapping[str, str] = field(default_factory=dict)
    thanks_image: Mapping[str, str] = field(default_factory=dict)
    report_rank: str | None = None  # the select question whose choices the reports rank
    report_group: str | None = None  # the select_one question the reports compare groups of
    report_breakdowns: tuple[str, ...] = ()  # what one group can be broken down by
    repeats: tuple[Repeat, ...] = ()

    @cached_property
    def questions(self) -> dict[str, Question]:
        return {q.name: q for page in self.pages for q in page.questions}

    def recording(self, recordings: Mapping[str, str], language: str) -> str | None:
        """The stored name of the recording in `language`, or None: a recording is never shown in
        another language than the text beside it."""
        return recordings.get(language)

    def picture(self, pictures: Mapping[str, str], language: str) -> str | None:
        """The stored name of the picture in `language`, else in the default language: unlike a
        recording, a picture without words helps in every language (a plain `image` column)."""
        return pictures.get(language) or pictures.get(self.default_language)

    def has_recordings(self, language: str) -> bool:
        """Whether any text of the survey has a recording in `language`."""
        return bool(self.description_audio.get(language) or self.thanks_audio.get(language)
                    or self.any_recording(list(self.questions.values()), language))

    def any_recording(self, questions: tuple[Question, ...] | list[Question], language: str) -> bool:
        """Whether any of these questions, or their choices, has a recording in `language`."""
        return any(question.audio.get(language) or any(choice.audio.get(language) for choice in question.choices)
                   for question in questions)

    def text(self, texts: Mapping[str, str], language: str) -> str:
        """The text in `language`, falling back to the survey's default language."""
        return texts.get(language) or texts.get(self.default_language, "")
