"""The response export's queries: one row per response, streamed from the database so a
large campaign is never held in memory. A multiple-choice question becomes one
0/1 column per choice named `<question>/<choice>`, as KoboToolbox exports do.

As in KoboToolbox, the export comes with codes ("XML values") or with labels in a
chosen language: `labelled()` turns the stream of one into the other, so every file
format has one writer for both."""
from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select

from forms.survey import Question
from forms.survey import Survey as SurveyDefinition
from forms.repeats import instance_label

from ..extensions import db
from ..models import Answer, Partner, Response, Survey, SurveyVersion
from ..surveys import parsed

META_COLUMNS = ["response_id", "submitted_at", "survey_version", "language", "partner", "channel"]
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


def versions(slug: str) -> list[SurveyDefinition]:
    """Every version of the survey, newest first."""
    return [parsed(version) for version in db.session.scalars(
        select(SurveyVersion).join(Survey).where(Survey.slug == slug).order_by(SurveyVersion.version.desc()))]


def columns(definitions: list[SurveyDefinition]) -> tuple[list[str], dict[str, set[str]]]:
    """Columns for every version, newest first: a question removed later keeps its
    column, a question added later is empty for older responses."""
    names: list[str] = list(META_COLUMNS)
    multiple: dict[str, set[str]] = {}
    for definition in definitions:
        for page in definition.pages:
            for question in page.questions:
                if question.type == "note":
                    continue
                if question.multiple:
                    for choice in question.choices:
                        column = f"{question.name}/{choice.name}"
                        if column not in names:
                            names.append(column)
                    multiple.setdefault(question.name, set()).update(c.name for c in question.choices)
                elif question.name not in names:
                    names.append(question.name)
    return names, multiple


@dataclass(frozen=True)
class Labels:
    """How the export's columns and codes read in one language."""

    headings: dict[str, str] = field(default_factory=dict)       # column -> heading
    choices: dict[str, dict[str, str]] = field(default_factory=dict)  # single-choice column -> code -> label


def labels(definitions: list[SurveyDefinition], language: str) -> Labels:
    """Headings and choice labels in `language`, newest version first; a column's own name
    where no version has a label. Headings are made unique by adding the column's name."""
    headings: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    for definition in definitions:
        for page in definition.pages:
            for question in page.questions:
                if question.type == "note":
                    continue
                label = instance_label(definition.text(question.label, language), question.name) or question.name
                if question.multiple:
                    for choice in question.choices:
                        column = f"{question.name}/{choice.name}"
                        headings.setdefault(column, f"{label} / {definition.text(choice.label, language) or choice.name}")
                else:
                    headings.setdefault(question.name, label)
                    if question.choices:
                        labelled_choices = choices.setdefault(question.name, {})
                        for choice in question.choices:
                            labelled_choices.setdefault(choice.name, definition.text(choice.label, language) or choice.name)
    seen: set[str] = set(META_COLUMNS)
    for column, heading in list(headings.items()):
        if heading in seen:
            headings[column] = f"{heading} ({column})"
        seen.add(headings[column])
    return Labels(headings, choices)


def labelled(stream: Iterator[dict[str, Any]], names: Labels) -> Iterator[dict[str, Any]]:
    """The stream of `rows()` with headings for columns and labels for single-choice codes.
    0/1 columns of a multiple-choice question stay 0/1, under the heading "question / choice"."""
    columns = next(stream)["columns"]
    heading = {column: names.headings.get(column, column) for column in columns}
    yield {"columns": [heading[column] for column in columns]}
    for row in stream:
        yield {heading[column]: names.choices.get(column, {}).get(value, value) if isinstance(value, str) else value
               for column, value in row.items()}


def rows(slug: str, partner_id: int | None = None) -> Iterator[dict[str, Any]]:
    """The header, then one row per response; only one partner's responses when `partner_id` is given."""
    names, multiple = columns(versions(slug))
    yield {"columns": names}
    query = (
        select(Response.id, Response.submitted_at, SurveyVersion.version, Response.language, Partner.code,
               Response.channel, Answer.question, Answer.value)
        .join(SurveyVersion, Response.survey_version_id == SurveyVersion.id)
        .join(Survey, SurveyVersion.survey_id == Survey.id)
        .outerjoin(Partner, Response.partner_id == Partner.id)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(Survey.slug == slug)
        .order_by(Response.submitted_at, Response.id, Answer.id)
        .execution_options(yield_per=5000)
    )
    if partner_id is not None:
        query = query.where(Response.partner_id == partner_id)
    current: dict[str, Any] | None = None
    for response_id, submitted_at, version, language, partner, channel, question, value in db.session.execute(query):
        if current is None or current["response_id"] != response_id:
            if current is not None:
                yield current
            current = {"response_id": response_id, "submitted_at": submitted_at.isoformat(timespec="seconds") + "Z",
                       "survey_version": version, "language": language, "partner": partner or "",
                       "channel": channel}
        if question is None:
            continue
        if question in multiple:
            if not any(f"{question}/{code}" in current for code in multiple[question]):
                # The first choice seen for this question: the others were not chosen.
                current.update({f"{question}/{code}": 0 for code in multiple[question]})
            current[f"{question}/{value}"] = 1
        else:
            current[question] = value
    if current is not None:
        yield current


def table(stream: Iterator[dict[str, Any]]) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """The stream of `rows()` (or `labelled()`) as a header and rows of cells in the header's order."""
    names: list[str] = next(stream)["columns"]
    return names, ([row.get(name) for name in names] for row in stream)


def count(slug: str, partner_id: int | None = None) -> int:
    """How many responses `rows()` yields."""
    query = (select(func.count(Response.id)).join(SurveyVersion, Response.survey_version_id == SurveyVersion.id)
             .join(Survey, SurveyVersion.survey_id == Survey.id).where(Survey.slug == slug))
    if partner_id is not None:
        query = query.where(Response.partner_id == partner_id)
    return db.session.scalar(query) or 0


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
                label = instance_label(definition.text(question.label, "en") or _unasked_description(question),
                                       question.name)
                rows.append(["" if question.multiple else question.name, question.name, question.type, "", label])
                for choice in question.choices:
                    column = f"{question.name}/{choice.name}" if question.multiple else ""
                    rows.append([column, question.name, "choice", choice.name, definition.text(choice.label, "en")])
    return rows


# What a row no one answers holds, in the codebook (see forms/metadata.py).
_RECORDED = {"start": "When the response was started, to the minute (UTC)",
             "end": "When the response was sent, to the minute (UTC)",
             "today": "The day the response was sent"}


def _unasked_description(question: Question) -> str:
    if question.calculation is not None:
        return f"Worked out from the answers when they were sent: {question.calculation.source}"
    return _RECORDED.get(question.type, "")
