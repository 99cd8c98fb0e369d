"""A question of a repeat counted once for each instance: each child in a family's answers, rather
than each family.

The canonical frame holds one row per response, with a column per instance (``grade[1]``,
``grade[2]``...). ``per_instance`` stacks those columns into one row per instance that was
answered, with the response's own columns beside it, and returns a definition in which the
question is an ordinary one: every table of the package (``frequency_table``, breakdowns) then
counts instances, grouped by the family's answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.definition import columns, questions, template


def repeated(definition: Mapping[str, Any]) -> dict[str, str]:
    """The questions asked once per instance: {name as written: the repeat's name}, in form order."""
    owners: dict[str, str] = {}
    repeat: str | None = None
    for row in definition.get("survey", []):
        kind = str(row.get("type", "")).split()[:1]
        if kind == ["begin_repeat"]:
            repeat = str(row.get("name"))
        elif kind == ["end_repeat"]:
            repeat = None
        elif repeat is not None and row.get("name"):
            owners[str(row["name"])] = repeat
    names = dict.fromkeys(name for q in questions(definition) if (name := template(q)) is not None)
    return {name: owners[name] for name in names if name in owners}


def per_instance(frame: pd.DataFrame, definition: Mapping[str, Any],
                 name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per answered instance of the repeat question ``name``, and the definition that
    reads it as an ordinary question. Columns of other repeat questions are left out."""
    every = questions(definition)
    instances = [q for q in every if template(q) == name]
    if not instances:
        raise KeyError(f"question {name!r} is not a question of a repeat")
    repeated_columns = {column for q in every if template(q) for column in columns(q)}
    shared = [column for column in frame.columns if column not in repeated_columns]
    parts = []
    for q in instances:
        own = {column: column.replace(q.name, name, 1) for column in columns(q)}
        part = frame[shared + list(own)].rename(columns=own)
        answered = part[list(own.values())].notna().any(axis=1)
        parts.append(part.loc[answered.to_numpy()])
    return pd.concat(parts, ignore_index=True), _plain(definition, name)


def _plain(definition: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The definition with the repeat's other rows left out and ``name`` an ordinary question."""
    rows = []
    inside = False
    for row in definition.get("survey", []):
        kind = str(row.get("type", "")).split()[:1]
        if kind == ["begin_repeat"]:
            inside = True
        elif kind == ["end_repeat"]:
            inside = False
        elif not inside or row.get("name") == name:
            rows.append(row)
    return {**definition, "survey": rows}
