"""Survey definitions shaped like XLSForm: a `survey` list of questions, a `choices`
list and `settings`, with per-language text in `label::<lang>` columns.

`normalise()` turns that flat, spreadsheet-like form (as read from YAML or a
worksheet) into the nested form stored in the database; `Survey.from_dict()` turns
the stored form into objects the form builder and the views use. Both reject a
broken definition with a `DefinitionError` naming the question and the problem.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, time
from functools import cached_property
from typing import Any, Mapping

from .expressions import Constant, Expression, ExpressionError, Reference, parse
from .repeats import (MAX_INSTANCES, MAX_LAID_OUT, Repeat, all_of, at_least, count_of, instance_name, instance_text,
                      rewritten)

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
SETTINGS_COLUMNS = (*SETTINGS_TRANSLATED, "review", *SETTINGS_MEDIA)
# What the reports rank, group by and break a group down by: question names, declared by the survey.
REPORT_SETTINGS = ("report_rank", "report_group", "report_breakdowns")
# Columns every response has besides its answers, which a report can also break down by.
RESPONSE_COLUMNS = ("language", "partner", "channel")
# A recording of a question's label and hint, or of a choice's label, and a picture shown with it, per
# language: a media file's stored name.
MEDIA = ("audio", "image")
ROW_COLUMNS = {"type", "name", "required", "relevant", "constraint", "calculation", "default", "choice_filter",
               "repeat_count", *TRANSLATED, *MEDIA}
_NOT_REQUIRED = {"no", "false", "0", "false()"}
# A `default` is worked out from the answers when it names one (`${x}`) or calls a function
# (`today()`), as pyxform decides; otherwise it is the answer as written.
_DYNAMIC_DEFAULT = re.compile(r"\$\{|[^\W\d][\w\-]*\(")
# As XLSForm allows: a letter or `_` first, then letters, digits, `_`, `.` and `-`.
NAME = re.compile(r"^[^\W\d][\w.\-]*$")
FORM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,78}$")
# `label::en` or, as ODK writes it, `label::English (en)`
LANGUAGE_COLUMN = re.compile(r"^(?P<column>[a-z_]+)::(?:[^()]*\((?P<code>[^()]+)\)|(?P<bare>[^()]+))$")


class DefinitionError(ValueError):
    """A definition that cannot be used; the message says where and what is wrong."""


def _split_column(key: str) -> tuple[str, str | None]:
    match = LANGUAGE_COLUMN.match(key.strip())
    if not match:
        return key.strip(), None
    return match["column"], (match["code"] or match["bare"]).strip()


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"yes", "true", "1", "true()"}


def _translations(row: Mapping[str, Any], columns: tuple[str, ...], where: str) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for key, value in row.items():
        column, code = _split_column(str(key))
        if column in columns:
            if code is None:
                raise DefinitionError(f"{where}: column '{key}' needs a language, for example '{column}::en'.")
            if value is not None and str(value).strip():
                found.setdefault(column, {})[code] = str(value).strip()
    return found


def normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check a flat XLSForm-shaped definition and return its stored form."""
    if not isinstance(raw, Mapping) or not {"settings", "survey", "choices"} <= set(raw):
        raise DefinitionError("A definition needs three parts: settings, survey and choices.")
    settings = dict(raw["settings"] or {})
    form_id = str(settings.get("form_id", "")).strip()
    if not FORM_ID.match(form_id):
        raise DefinitionError(
            "settings: form_id must be lower-case letters, digits and hyphens, "
            f"for example 'family-voices' (found {form_id!r})."
        )
    texts = _translations(settings, SETTINGS_COLUMNS, "settings")
    default_language = str(settings.get("default_language") or "en").strip()
    normal_settings: dict[str, Any] = {
        "form_id": form_id,
        "version": str(settings.get("version", "")).strip(),
        "default_language": default_language,
        "title": texts.get("form_title", {}),
        "description": texts.get("description", {}),
        "review": texts.get("review", {}),
    }
    for column in ("duration", "thanks", "invitation", *SETTINGS_MEDIA):
        if texts.get(column):
            normal_settings[column] = texts[column]
    for column in REPORT_SETTINGS:
        words = str(settings.get(column) or "").split()
        if words:
            normal_settings[column] = words if column == "report_breakdowns" else " ".join(words)

    # As pyxform allows: the same code twice in a list, told apart by the columns a choice filter reads.
    duplicates = _truthy(settings.get("allow_choice_duplicates") or False)
    if duplicates:
        normal_settings["allow_choice_duplicates"] = True
    choices: dict[str, list[dict[str, Any]]] = {}
    for number, row in enumerate(raw["choices"] or [], start=1):
        where = f"choices row {number}"
        list_name = str(row.get("list_name", "")).strip()
        name = str(row.get("name", "")).strip()
        if not list_name or not name:
            raise DefinitionError(f"{where}: every choice needs a list_name and a name.")
        texts = _translations(row, ("label", *MEDIA), where)
        if not duplicates and any(existing["name"] == name for existing in choices.get(list_name, [])):
            raise DefinitionError(f"{where}: choice '{name}' appears twice in list '{list_name}'.")
        choice: dict[str, Any] = {"name": name, "label": texts.get("label", {})}
        choice.update({column: texts[column] for column in MEDIA if texts.get(column)})
        columns = {str(key): str(value).strip() for key, value in row.items()
                   if key not in ("list_name", "name") and _split_column(str(key))[0] not in ("label", *MEDIA)
                   and value is not None and str(value).strip()}
        if columns:
            choice["columns"] = columns
        choices.setdefault(list_name, []).append(choice)

    rows: list[dict[str, Any]] = []
    for number, row in enumerate(raw["survey"] or [], start=1):
        rows.append(_normalise_row(row, number, choices))
    definition = {"settings": normal_settings, "survey": rows, "choices": choices}
    Survey.from_dict(definition)  # the remaining checks need the whole survey
    return definition


def _normalise_row(row: Mapping[str, Any], number: int, choices: Mapping[str, Any]) -> dict[str, Any]:
    written = str(row.get("type", "")).strip()
    for control in ("group", "repeat"):
        written = written.replace(f"begin {control}", f"begin_{control}").replace(f"end {control}", f"end_{control}")
    type_words = written.split()
    name = str(row.get("name", "") or "").strip()
    where = f"survey row {number}" + (f" ('{name}')" if name else "")
    if not type_words:
        raise DefinitionError(f"{where}: the type is empty.")
    kind = type_words[0]
    if kind not in QUESTION_TYPES | GROUP_TYPES:
        raise DefinitionError(
            f"{where}: type '{kind}' is not supported. Use one of: "
            + ", ".join(sorted(QUESTION_TYPES | GROUP_TYPES)) + "."
        )
    for key in row:
        column, _ = _split_column(str(key))
        if column not in ROW_COLUMNS:
            raise DefinitionError(f"{where}: column '{key}' is not supported.")
    normal: dict[str, Any] = {"type": kind}
    if name:
        normal["name"] = name
    if kind in ("select_one", "select_multiple"):
        if len(type_words) != 2:
            raise DefinitionError(f"{where}: write the choice list after the type, as in '{kind} role'.")
        if type_words[1] not in choices:
            raise DefinitionError(f"{where}: the choice list '{type_words[1]}' is not in the choices.")
        normal["list_name"] = type_words[1]
    elif len(type_words) != 1:
        raise DefinitionError(f"{where}: type '{row.get('type')}' has extra words.")
    normal.update(_translations(row, (*TRANSLATED, *MEDIA), where))
    required = row.get("required", False)
    if isinstance(required, str) and required.strip() and not _truthy(required) \
            and required.strip().lower() not in _NOT_REQUIRED:
        normal["required"] = required.strip()
    elif _truthy(required):
        normal["required"] = True
    for column in ("relevant", "constraint", "calculation", "default", "choice_filter", "repeat_count"):
        if row.get(column) not in (None, ""):
            normal[column] = str(row[column]).strip()
    if kind == "begin_repeat" and "repeat_count" not in normal:
        raise DefinitionError(f"{where}: {NO_COUNT}")
    return normal


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

    @classmethod
    def from_dict(cls, definition: Mapping[str, Any]) -> "Survey":
        settings = definition["settings"]
        default_language = settings["default_language"]
        choices = {
            list_name: tuple(Choice(c["name"], c["label"], audio=c.get("audio", {}), image=c.get("image", {}),
                                    columns=c.get("columns", {}))
                             for c in items)
            for list_name, items in definition["choices"].items()
        }
        pages: list[Page] = []
        seen: set[str] = set()  # the stored names of the questions read so far: what expressions may use
        used: set[str] = set()  # the names as written, which must differ
        repeats: dict[str, Repeat] = {}
        group: dict[str, Any] | None = None
        repeat: dict[str, Any] | None = None
        # The open repeat's pages, before they are laid out once per instance: (group row, rows, where).
        template: list[tuple[Mapping[str, Any] | None, list[tuple[Mapping[str, Any], str]], str]] = []
        loose: list[Any] = []

        def close_loose() -> None:
            if loose and repeat is not None:
                template.append((None, list(loose), ""))
            elif loose:
                pages.append(Page(f"page_{len(pages) + 1}", {}, tuple(loose)))
            loose.clear()

        current: list[Any] = []
        before_group: set[str] = set()
        for number, row in enumerate(definition["survey"], start=1):
            name = row.get("name", "")
            where = f"survey row {number}" + (f" ('{name}')" if name else "")
            if row["type"] == "begin_repeat":
                if group is not None:
                    raise DefinitionError(f"{where}: a repeat inside a group is not supported; close the group above "
                                          "first, or put the group inside the repeat.")
                if repeat is not None:
                    raise DefinitionError(f"{where}: repeats inside repeats are not supported; close the repeat "
                                          "above first, or ask about each person in one repeat.")
                close_loose()
                _check_name(name, where, used)
                used.add(name)
                repeat, template = {**row, "where": where}, []
                continue
            if row["type"] == "end_repeat":
                if repeat is None:
                    raise DefinitionError(f"{where}: end_repeat without a begin_repeat above it.")
                if group is not None:
                    raise DefinitionError(f"{where}: the group '{group.get('name')}' has no end_group before the "
                                          "end of the repeat.")
                close_loose()
                if not template:
                    raise DefinitionError(f"{repeat['where']}: the repeat '{repeat.get('name')}' has no questions.")
                pages.extend(_laid_out(repeat, template, choices, seen, repeats, default_language, pages))
                repeat = None
                continue
            if row["type"] == "begin_group":
                if group is not None:
                    raise DefinitionError(f"{where}: groups inside groups are not supported; close the group above first.")
                close_loose()
                group, current, before_group = {**row, "where": where}, [], set(seen)
                continue
            if row["type"] == "end_group":
                if group is None:
                    raise DefinitionError(f"{where}: end_group without a begin_group above it.")
                if not current:
                    raise DefinitionError(f"{where}: the group '{group.get('name')}' has no questions.")
                if repeat is not None:
                    template.append((group, list(current), group["where"]))
                else:
                    pages.append(Page(
                        group.get("name") or f"page_{len(pages) + 1}",
                        group.get("label", {}),
                        tuple(current),
                        _expression(group.get("relevant"), "relevant", where, before_group, repeats),
                    ))
                group = None
                continue
            _check_name(name, where, used)
            used.add(name)
            if repeat is not None:
                (current if group is not None else loose).append((row, where))
                continue
            question = _question(row, where, choices, seen, default_language, repeats)
            seen.add(question.name)
            chunk = current if group is not None else loose
            if group is not None and _needs_new_page(question, chunk):
                pages.append(Page(group.get("name") or f"page_{len(pages) + 1}", group.get("label", {}),
                                  tuple(current),
                                  _expression(group.get("relevant"), "relevant", where, before_group, repeats)))
                current = []
                chunk = current
            elif group is None and _needs_new_page(question, chunk):
                close_loose()
            chunk.append(question)
        if group is not None:
            raise DefinitionError(f"group '{group.get('name')}' has no end_group.")
        if repeat is not None:
            raise DefinitionError(f"repeat '{repeat.get('name')}' has no end_repeat.")
        close_loose()
        if not pages:
            raise DefinitionError("The survey has no questions.")
        languages = _languages(definition, default_language)
        questions = {q.name: q for page in pages for q in page.questions}
        return cls(
            form_id=settings["form_id"],
            version_label=settings.get("version", ""),
            default_language=default_language,
            title=settings.get("title", {}),
            description=settings.get("description", {}),
            pages=tuple(pages),
            languages=languages,
            duration=settings.get("duration", {}),
            thanks=settings.get("thanks", {}),
            invitation=settings.get("invitation", {}),
            description_audio=settings.get("description_audio", {}),
            thanks_audio=settings.get("thanks_audio", {}),
            description_image=settings.get("description_image", {}),
            thanks_image=settings.get("thanks_image", {}),
            report_rank=_report_question(settings, "report_rank", questions, ("select_one", "select_multiple")),
            report_group=_report_question(settings, "report_group", questions, ("select_one",)),
            report_breakdowns=_report_breakdowns(settings, questions),
            repeats=tuple(repeats.values()),
        )


def _report_question(settings: Mapping[str, Any], column: str, questions: Mapping[str, Question],
                     types: tuple[str, ...]) -> str | None:
    name = settings.get(column)
    if not name:
        return None
    question = questions.get(name)
    if question is None:
        raise DefinitionError(f"settings: {column} names '{name}', which is not a question of the survey.")
    if question.type not in types:
        wanted = "a select_one question" if types == ("select_one",) else "a select_one or select_multiple question"
        raise DefinitionError(f"settings: {column} names '{name}', a {question.type} question; "
                              f"it must name {wanted}.")
    return str(name)


def _report_breakdowns(settings: Mapping[str, Any], questions: Mapping[str, Question]) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(settings.get("report_breakdowns", ())))
    for name in names:
        if name in RESPONSE_COLUMNS:
            continue
        question = questions.get(name)
        if question is None or not question.is_select:
            found = f"a {question.type} question" if question else "not a question of the survey"
            raise DefinitionError(
                f"settings: report_breakdowns names '{name}', which is {found}; it takes select questions "
                f"and {', '.join(RESPONSE_COLUMNS)}, separated by spaces.")
    return names


def _check_name(name: str, where: str, used: set[str]) -> None:
    if not NAME.match(name):
        raise DefinitionError(f"{where}: the name must start with a letter or _ and use only letters, digits, _, . and -.")
    if name in used:
        raise DefinitionError(f"{where}: the name '{name}' is used twice.")


def _question(row: Mapping[str, Any], where: str, choices: Mapping[str, tuple[Choice, ...]],
              seen: set[str], default_language: str, repeats: Mapping[str, Repeat],
              inside: tuple[Repeat, int] | None = None) -> Question:
    """The question of `row`; inside a repeat's instance, named and with its expressions and texts
    rewritten for that instance, so `${grade}` in a calculation, default, required condition or
    choice filter reads the same child's answer."""
    name = row.get("name", "")
    kind = row["type"]
    if kind not in UNSEEN_TYPES and not row.get("label", {}).get(default_language):
        raise DefinitionError(f"{where}: the question has no label in the default language '{default_language}'.")
    if inside is not None and kind in METADATA_TYPES:
        raise DefinitionError(f"{where}: a {kind} row is recorded once for the whole response, not for each "
                              f"instance of the repeat '{inside[0].name}'; put it outside the repeat.")
    list_name = row.get("list_name")
    if list_name is not None and list_name not in choices:
        raise DefinitionError(f"{where}: the choice list '{list_name}' is not in the choices.")
    if (kind == "calculate") != bool(row.get("calculation")):
        raise DefinitionError(f"{where}: a calculate row needs a calculation, and only a calculate row has one."
                              if kind == "calculate" else f"{where}: only a calculate row has a calculation.")
    unanswered = kind == "note" or kind in UNSEEN_TYPES
    for column in ("default", "choice_filter", "required", "constraint"):
        if unanswered and row.get(column):
            raise DefinitionError(f"{where}: a {kind} row is not answered, so it has no {column}.")
    if row.get("choice_filter") and list_name is None:
        raise DefinitionError(f"{where}: only a select_one or select_multiple question has a choice_filter.")
    required = row.get("required", False)
    stored = instance_name(name, inside[1]) if inside else name
    question = Question(
        type=kind,
        name=stored,
        label=_instance_texts(row.get("label", {}), inside),
        hint=_instance_texts(row.get("hint", {}), inside),
        required=required is True,
        required_message=row.get("required_message", {}),
        relevant=_expression(row.get("relevant"), "relevant", where, seen, repeats, inside),
        constraint=_expression(row.get("constraint"), "constraint", where, seen | {stored}, repeats, inside),
        constraint_message=row.get("constraint_message", {}),
        list_name=list_name,
        choices=choices.get(list_name, ()) if list_name else (),
        audio=row.get("audio", {}),
        image=row.get("image", {}),
        required_if=(_expression(required, "required", where, seen, repeats, inside)
                     if isinstance(required, str) else None),
        calculation=_expression(row.get("calculation"), "calculation", where, seen, repeats, inside),
        choice_filter=_choice_filter(row.get("choice_filter"), where, seen, choices.get(list_name or "", ()),
                                     repeats, inside),
    )
    return _with_default(question, row.get("default"), where, seen, repeats, inside)


def _choice_filter(source: str | None, where: str, known: set[str], choices: tuple[Choice, ...],
                   repeats: Mapping[str, Repeat], inside: tuple[Repeat, int] | None) -> Expression | None:
    if not source:
        return None
    try:
        expression = rewritten(parse(source, choice_columns=True), repeats, inside)
    except ExpressionError as error:
        raise DefinitionError(f"{where}: the choice_filter expression is not valid: {error}") from None
    _check_references(expression, "choice_filter", where, known)
    written = {"name", *(column for choice in choices for column in choice.columns)}
    missing = sorted(expression.columns - written)
    if missing:
        raise DefinitionError(f"{where}: the choice_filter names the column {', '.join(missing)}, which the "
                              "choices of this question do not have. Add the column to the choices sheet, or write "
                              "${name} for an answer.")
    return expression


def _with_default(question: Question, written: Any, where: str, known: set[str], repeats: Mapping[str, Repeat],
                  inside: tuple[Repeat, int] | None) -> Question:
    """The question with its `default`: an expression (`today()`, `${x}`) is kept to be worked out when
    the page is first shown; an answer as written must be one the question takes."""
    if written in (None, ""):
        return question
    text = str(written).strip()
    if _DYNAMIC_DEFAULT.search(text):
        return replace(question, default=text,
                       default_expression=_expression(text, "default", where, known, repeats, inside))
    if question.is_select:
        codes = text.split() if question.multiple else [text]
        unknown = [code for code in codes if code not in {choice.name for choice in question.choices}]
        if unknown:
            raise DefinitionError(f"{where}: the default '{text}' is not a choice of the list '{question.list_name}'.")
        return replace(question, default=text)
    if not _accepts(question.type, text):
        raise DefinitionError(f"{where}: the default '{text}' is not a {question.type} answer.")
    return replace(question, default=text)


def _accepts(kind: str, text: str) -> bool:
    """Whether `text` is an answer a question of type `kind` takes, as its form field reads it."""
    checks: dict[str, Any] = {"integer": int, "decimal": float, "date": date.fromisoformat,
                              "time": time.fromisoformat}
    try:
        checks.get(kind, str)(text)
    except ValueError:
        return False
    return True


def _needs_new_page(question: Question, page: list[Question]) -> bool:
    """Whether `question` goes on a new page: its choices or its default depend on an answer given
    on the page so far, or whether it is shown on a value worked out on it. The server shows the
    right choices and the right default only once those answers are sent, and a calculated value
    is only known then; a question whose `relevant` names an answer of its page stays, as a
    follow-up, and `required` and `constraint` are checked when the page is sent anyway."""
    on_page = {other.name for other in page}
    calculated = {other.name for other in page if other.type == "calculate"}
    return bool(
        (question.choice_filter and question.choice_filter.references & on_page)
        or (question.default_expression and question.default_expression.references & on_page)
        or (question.relevant and question.relevant.references & calculated))


def _instance_texts(texts: Mapping[str, str], inside: tuple[Repeat, int] | None) -> Mapping[str, str]:
    if inside is None:
        return texts
    return {code: instance_text(text, *inside) for code, text in texts.items()}


NO_COUNT = ("a repeat needs a repeat_count: how many times to ask its questions, a number or an earlier answer "
            "such as ${children}.")


def _laid_out(repeat_row: Mapping[str, Any], template: list[tuple[Mapping[str, Any] | None,
              list[tuple[Mapping[str, Any], str]], str]], choices: Mapping[str, tuple[Choice, ...]],
              seen: set[str], repeats: dict[str, Repeat], default_language: str, pages: list[Page]) -> list[Page]:
    """The repeat's pages, once for each instance, its questions named `name[number]`. With a count
    that is an answer, `MAX_INSTANCES` instances are laid out, each shown when the count reaches it;
    the count question (when the count is one) takes no larger number. Adds the repeat to `repeats`
    and its questions to `seen`, and may set the count question's `most` in `pages`."""
    name, where = repeat_row["name"], repeat_row["where"]
    source = str(repeat_row.get("repeat_count") or "")
    if not source:
        raise DefinitionError(f"{where}: {NO_COUNT}")
    fixed = count_of(source)
    if fixed is not None and not 1 <= fixed <= MAX_INSTANCES:
        raise DefinitionError(f"{where}: the repeat_count is {fixed}; write a number from 1 to {MAX_INSTANCES}, "
                              f"or an earlier answer such as ${{children}} (at most {MAX_INSTANCES} are asked).")
    counted = None if fixed is not None else _expression(source, "repeat_count", where, seen, repeats)
    relevant = _expression(repeat_row.get("relevant"), "relevant", where, seen, repeats)
    names = frozenset(row["name"] for _group, rows, _where in template for row, _where_row in rows)
    if len(names) * (fixed or MAX_INSTANCES) > MAX_LAID_OUT:
        raise DefinitionError(f"{where}: the repeat '{name}' has {len(names)} questions, asked up to "
                              f"{fixed or MAX_INSTANCES} times; at most {MAX_LAID_OUT} can be laid out. Ask "
                              "fewer questions for each child, or a smaller count.")
    repeat = Repeat(name, names, counted.tree if counted else Constant(float(fixed or 0)), fixed or MAX_INSTANCES)
    if counted is not None and isinstance(counted.tree, Reference):
        _cap_count_question(pages, counted.tree.name)
    repeats[name] = repeat
    laid_out: list[Page] = []
    for number in range(1, repeat.instances + 1):
        inside = (repeat, number)
        for group, rows, group_where in template:
            conditions = [(relevant.source, relevant.tree)] if relevant else []
            if counted is not None:
                conditions.append((f"({source}) >= {number}", at_least(counted.tree, number)))
            before = set(seen)
            # As outside a repeat, a question whose choices or default depend on an answer of its
            # page so far, or shown on a value worked out on it, starts the instance's next page.
            chunks: list[list[Question]] = [[]]
            for row, row_where in rows:
                question = _question(row, row_where, choices, seen, default_language, repeats, inside)
                seen.add(question.name)
                if _needs_new_page(question, chunks[-1]):
                    chunks.append([])
                chunks[-1].append(question)
            own = _expression((group or {}).get("relevant"), "relevant", group_where, before, repeats, inside)
            if own is not None:
                conditions.append((own.source, own.tree))
            page_name = (group or {}).get("name") or name
            label = _instance_texts((group or {}).get("label") or repeat_row.get("label", {}), inside)
            laid_out.extend(Page(instance_name(page_name, number), label, tuple(chunk), all_of(conditions),
                                 repeat=name, instance=number) for chunk in chunks)
    return laid_out


def _cap_count_question(pages: list[Page], name: str) -> None:
    """The integer question a repeat counts by accepts no more than `MAX_INSTANCES`."""
    for index, page in enumerate(pages):
        if any(question.name == name and question.type == "integer" for question in page.questions):
            questions = tuple(replace(question, most=MAX_INSTANCES) if question.name == name else question
                              for question in page.questions)
            pages[index] = replace(page, questions=questions)


def _expression(source: str | None, column: str, where: str, known: set[str], repeats: Mapping[str, Repeat],
                inside: tuple[Repeat, int] | None = None) -> Expression | None:
    if not source:
        return None
    try:
        expression = rewritten(parse(source), repeats, inside)
    except ExpressionError as error:
        raise DefinitionError(f"{where}: the {column} expression is not valid: {error}") from None
    _check_references(expression, column, where, known)
    return expression


def _check_references(expression: Expression, column: str, where: str, known: set[str]) -> None:
    unknown = sorted(expression.references - known)
    if unknown:
        raise DefinitionError(
            f"{where}: the {column} expression refers to "
            + ", ".join(f"${{{n}}}" for n in unknown)
            + ", which is not a question above it."
        )


def _languages(definition: Mapping[str, Any], default_language: str) -> tuple[str, ...]:
    found = {default_language}
    for row in definition["survey"]:
        for column in TRANSLATED:
            found.update(row.get(column, {}))
    for items in definition["choices"].values():
        for choice in items:
            found.update(choice["label"])
    return tuple([default_language] + sorted(found - {default_language}))


def definition_hash(definition: Mapping[str, Any]) -> str:
    """A fingerprint of the content; a changed wording or choice gives a new one."""
    encoded = json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


@dataclass(frozen=True)
class MissingText:
    """A text respondents need that has no translation: where it is, as the workbook numbers it."""

    sheet: str  # "survey" or "choices"
    row: int  # the row in the workbook `download-survey` writes (the column names are row 1)
    name: str  # the question's or choice's name
    column: str  # as in the workbook, e.g. "label::so"

    def __str__(self) -> str:
        return f"{self.sheet} sheet, row {self.row} ({self.name}), column {self.column}"


def _respondent_texts(definition: Mapping[str, Any]) -> list[tuple[str, int, str, str, Mapping[str, str]]]:
    """Every text a respondent must read to answer: (sheet, row, name, column, texts).

    The settings' texts (title, description, duration, thanks) are left out: they fall back
    to the default language, and XLSForm has no translated title at all."""
    found: list[tuple[str, int, str, str, Mapping[str, str]]] = []
    for number, row in enumerate(definition["survey"], start=2):
        if row["type"] in UNSEEN_TYPES:
            continue  # a calculation's label, which ODK allows, is never shown
        found.extend(("survey", number, row.get("name", ""), column, row[column])
                     for column in TRANSLATED if row.get(column))
    number = 1
    for items in definition["choices"].values():
        for choice in items:
            number += 1
            found.append(("choices", number, choice["name"], "label", choice["label"]))
    return found


def missing_texts(definition: Mapping[str, Any], language: str) -> list[MissingText]:
    """The texts respondents must read that are written in the default language but not in `language`."""
    source = definition["settings"]["default_language"]
    return [MissingText(sheet, number, name, f"{column}::{language}")
            for sheet, number, name, column, texts in _respondent_texts(definition)
            if texts.get(source) and not texts.get(language)]


def translation_coverage(definition: Mapping[str, Any], language: str) -> tuple[int, int]:
    """(translated, total): how many of the texts respondents must read exist in `language`."""
    source = definition["settings"]["default_language"]
    wanted = [texts for *_where, texts in _respondent_texts(definition) if texts.get(source)]
    return sum(1 for text in wanted if text.get(language)), len(wanted)
