"""Reading a survey definition: which questions give which columns of the analysis frame.

The definition is the normalised dict stored with each survey version (``settings``, ``survey``
rows in order, ``choices`` by list name). Everything in the package is driven from it, so the
same code serves any survey, not only Family Voices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from forms.expressions import Expression, ExpressionError, parse
from forms.repeats import MAX_INSTANCES, count_of, instance_name, split_instance
from forms.loading import choice_lists
from forms.survey import Question

META_COLUMNS: tuple[str, ...] = (
    "response_id",
    "submitted_at",
    "survey_version",
    "language",
    "partner",
    "channel",
)
CHANNELS: tuple[str, ...] = ("web", "kiosk", "paper")

# Rows that structure the form or only show text: they never hold an answer.
_NO_ANSWER_TYPES = frozenset(
    {"begin_group", "end_group", "begin_repeat", "end_repeat", "note"}
)
SELECT_ONE = "select_one"
SELECT_MULTIPLE = "select_multiple"


def codes(q: Question) -> tuple[str, ...]:
    """The choice codes of a select question, in list order. Codes are text in storage even when they
    look like numbers (rating "1".."5"); a list may repeat a code for another filter value
    (`allow_choice_duplicates`), which is one category here."""
    return tuple(dict.fromkeys(str(choice.name) for choice in q.choices))


def columns(q: Question) -> list[str]:
    """The frame's columns for ``q``: one 0/1 column per choice of a select_multiple question."""
    if q.type == SELECT_MULTIPLE:
        return [multi_column(q.name, code) for code in codes(q)]
    return [q.name]


def multi_column(question: str, choice: str) -> str:
    """Name of the 0/1 column for one choice of a select_multiple question."""
    return f"{question}/{choice}"


def template(q: Question) -> str | None:
    """For a question of a repeat (``grade[2]``), its name as written (``grade``); else None."""
    name, number = split_instance(q.name)
    return name if number is not None else None


def max_selected(q: Question) -> int | None:
    """The most choices a select_multiple question's constraint allows, worked out with the forms'
    own evaluator: it must hold for 1..N chosen, whichever ones, and fail beyond. None when it sets
    no such limit, depends on which choices or on other answers."""
    chosen = codes(q)
    if q.type != SELECT_MULTIPLE or q.constraint is None or q.constraint.references or not chosen:
        return None
    try:
        holds = [{q.constraint.is_true({}, chosen[:k]), q.constraint.is_true({}, chosen[-k:])}
                 for k in range(1, len(chosen) + 1)]
    except ExpressionError:
        return None
    passes = [results == {True} for results in holds]
    if any(len(results) > 1 for results in holds) or not passes[0] or all(passes):
        return None
    most = passes.index(False)
    return most if not any(passes[most:]) else None


def _split_type(row: Mapping[str, Any]) -> tuple[str, str | None]:
    # XLSForm writes "select_one role" in one cell; the normalised form splits it out.
    parts = str(row.get("type", "")).split()
    if not parts:
        return "", None
    list_name = row.get("list_name") or (parts[1] if len(parts) > 1 else None)
    return parts[0], list_name


def _constraint(source: Any) -> Expression | None:
    if not source:
        return None
    try:
        return parse(str(source))
    except ExpressionError:
        return None


def repeat_instances(row: Mapping[str, Any]) -> int:
    """How many instances of a repeat (its ``begin_repeat`` row) can hold answers."""
    count = count_of(str(row.get("repeat_count") or ""))
    return MAX_INSTANCES if count is None else count


def questions(definition: Mapping[str, Any]) -> list[Question]:
    """The questions of ``definition`` that hold an answer, in form order; a question of a repeat
    once for each instance, as ``name[number]``.

    They are the forms' own `Question`s, but read without `forms.loading`'s checks: the analysis
    reads every stored version, versions combined (`merged_definition`) and a repeat's question
    taken out of its repeat (`analysis.repeats`), whose expressions may name questions that are
    no longer above them. It reads only names, types, labels, choices, `required` and, of a
    select_multiple question, the constraint (for `max_selected`)."""
    lists = choice_lists(definition)
    found: list[Question] = []
    repeat: Mapping[str, Any] | None = None
    inside: list[Question] = []
    for row in definition.get("survey", []):
        qtype, list_name = _split_type(row)
        name = row.get("name")
        if qtype == "begin_repeat":
            repeat, inside = row, []
        elif qtype == "end_repeat" and repeat is not None:
            found.extend(replace(q, name=instance_name(q.name, number))
                         for number in range(1, repeat_instances(repeat) + 1) for q in inside)
            repeat = None
        if not name or not qtype or qtype in _NO_ANSWER_TYPES:
            continue
        choices = lists.get(list_name or "", ()) if qtype in (SELECT_ONE, SELECT_MULTIPLE) else ()
        (inside if repeat is not None else found).append(
            Question(
                type=qtype,
                name=str(name),
                label=row.get("label", {}),
                # Required always (True), not only when a condition holds (the condition's text).
                required=row.get("required", False) is True,
                list_name=list_name if qtype in (SELECT_ONE, SELECT_MULTIPLE) else None,
                choices=choices,
                constraint=_constraint(row.get("constraint")) if qtype == SELECT_MULTIPLE else None,
            )
        )
    return found


def question(definition: Mapping[str, Any], name: str) -> Question:
    """The question called ``name``; KeyError naming the question if it is absent."""
    for q in questions(definition):
        if q.name == name:
            return q
    raise KeyError(f"question {name!r} is not in the survey definition")


# Stands for "what the survey's settings declare" as a default argument, where None already
# means "no grouping".
DECLARED = "<declared in the survey's settings>"


def declared(definition: Mapping[str, Any], setting: str, given: str | None = DECLARED) -> str | None:
    """``given``, or when it is ``DECLARED`` the question the settings name in ``setting``
    (``report_rank`` or ``report_group``); None when they name none."""
    if given != DECLARED:
        return given
    return (definition.get("settings") or {}).get(setting) or None


def ranked_question(definition: Mapping[str, Any], given: str | None = DECLARED) -> str:
    """The question a report ranks; KeyError when the survey declares none."""
    name = declared(definition, "report_rank", given)
    if name is None:
        raise KeyError("the survey declares no question to rank (the report_rank setting)")
    return name


def frame_columns(definition: Mapping[str, Any]) -> list[str]:
    """Column order of the analysis frame and of the CSV export."""
    found = list(META_COLUMNS)
    for q in questions(definition):
        found.extend(columns(q))
    return found


def merged_definition(definitions: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Combine survey versions, newest first, so that removed questions and choices keep a column.

    The first definition gives settings, order and choice order; questions and choices that only
    older versions had are appended after, in the order those versions list them.
    """
    definitions = list(definitions)
    if not definitions:
        raise ValueError("at least one definition is needed")
    newest = definitions[0]
    rows = [dict(r) for r in newest.get("survey", [])]
    names = {r.get("name") for r in rows if r.get("name")}
    choices: dict[str, list[dict[str, Any]]] = {
        k: [dict(c) for c in v] for k, v in (newest.get("choices", {}) or {}).items()
    }
    for older in definitions[1:]:
        for row in older.get("survey", []):
            qtype, _ = _split_type(row)
            name = row.get("name")
            if name and qtype not in _NO_ANSWER_TYPES and name not in names:
                rows.append(dict(row))
                names.add(name)
        for list_name, items in (older.get("choices", {}) or {}).items():
            known = choices.setdefault(list_name, [])
            codes = {str(c["name"]) for c in known}
            known.extend(dict(c) for c in items if str(c["name"]) not in codes)
    return {"settings": dict(newest.get("settings", {})), "survey": rows, "choices": choices}


def _categorical(values: pd.Series, categories: Iterable[str]) -> pd.Series:
    # Codes not in the definition (a choice dropped from every version) are kept as extra
    # categories after the defined ones rather than silently turned into missing values.
    known = list(dict.fromkeys(categories))
    present = pd.Series(values, dtype="string").dropna().unique()
    extra = sorted(set(present) - set(known))
    return pd.Series(
        pd.Categorical(values.astype("string"), categories=known + extra),
        index=values.index,
    )


def coerce_single(values: pd.Series, q: Question) -> pd.Series:
    """Turn text answers of a single-valued question into the canonical dtype for its type."""
    if q.type == SELECT_ONE:
        return _categorical(values, codes(q))
    if q.type == "integer":
        return pd.to_numeric(values, errors="coerce").astype("Int64")
    if q.type == "decimal":
        return pd.to_numeric(values, errors="coerce").astype("Float64")
    if q.type == "date":
        # One resolution whatever the input, so frames from any source compare equal.
        return pd.to_datetime(values, errors="coerce", format="ISO8601").dt.as_unit("us")
    return values.astype("string")


def coerce_meta(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Canonical dtypes for the response columns, from text or database values."""
    language = frame["language"].astype("string")
    partner = frame["partner"].astype("string")
    channel = frame["channel"].astype("string")
    return {
        "response_id": frame["response_id"].astype("string"),
        "submitted_at": pd.to_datetime(
            frame["submitted_at"], utc=True, format="ISO8601"
        ).dt.as_unit("us"),
        "survey_version": pd.to_numeric(frame["survey_version"]).astype("int32"),
        "language": _categorical(language, sorted(language.dropna().unique())),
        "partner": _categorical(partner, sorted(partner.dropna().unique())),
        "channel": _categorical(channel, CHANNELS),
    }
