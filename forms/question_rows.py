"""One question of a stored definition, read: its row checked, its expressions parsed and checked
against the questions above it, and, inside a repeat's instance, rewritten for that instance.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, time
from typing import Any, Mapping

from .expressions import Expression, ExpressionError, parse
from .repeats import Repeat, instance_name, instance_text, rewritten
from .survey import METADATA_TYPES, UNSEEN_TYPES, Choice, DefinitionError, Question

# A `default` is worked out from the answers when it names one (`${x}`) or calls a function
# (`today()`), as pyxform decides; otherwise it is the answer as written.
_DYNAMIC_DEFAULT = re.compile(r"\$\{|[^\W\d][\w\-]*\(")


def read_question(row: Mapping[str, Any], where: str, choices: Mapping[str, tuple[Choice, ...]],
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
        label=instance_texts(row.get("label", {}), inside),
        hint=instance_texts(row.get("hint", {}), inside),
        required=required is True,
        required_message=row.get("required_message", {}),
        relevant=read_expression(row.get("relevant"), "relevant", where, seen, repeats, inside),
        constraint=read_expression(row.get("constraint"), "constraint", where, seen | {stored}, repeats, inside),
        constraint_message=row.get("constraint_message", {}),
        list_name=list_name,
        choices=choices.get(list_name, ()) if list_name else (),
        audio=row.get("audio", {}),
        image=row.get("image", {}),
        required_if=(read_expression(required, "required", where, seen, repeats, inside)
                     if isinstance(required, str) else None),
        calculation=read_expression(row.get("calculation"), "calculation", where, seen, repeats, inside),
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
                       default_expression=read_expression(text, "default", where, known, repeats, inside))
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


def instance_texts(texts: Mapping[str, str], inside: tuple[Repeat, int] | None) -> Mapping[str, str]:
    if inside is None:
        return texts
    return {code: instance_text(text, *inside) for code, text in texts.items()}


def read_expression(source: str | None, column: str, where: str, known: set[str], repeats: Mapping[str, Repeat],
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
