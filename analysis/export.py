"""The CSV export: the canonical frame written as text, and read back with its dtypes.

Every cell is read as text first (an answer "NA" or "None" stays an answer) and only an empty
cell is missing; the definition then restores categoricals, 0/1 columns, numbers and dates.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.definition import META_COLUMNS, frame_columns
from analysis.frame import frame_from_wide_text

PathOrBuffer = str | os.PathLike[str] | io.IOBase


def _definition_from_header(columns: list[str]) -> dict[str, Any]:
    """A stand-in definition when none is given: ``q/c`` columns are select_multiple, every
    other question column is text (a select_one cannot be told from text by its header)."""
    rows: list[dict[str, Any]] = []
    choices: dict[str, list[dict[str, str]]] = {}
    for column in columns:
        if column in META_COLUMNS:
            continue
        name, _, code = column.partition("/")
        if code:
            if name not in choices:
                rows.append({"type": "select_multiple", "name": name, "list_name": name})
                choices[name] = []
            choices[name].append({"name": code})
        else:
            rows.append({"type": "text", "name": name})
    return {"settings": {}, "survey": rows, "choices": choices}


def read_export(
    path_or_buffer: PathOrBuffer, definition: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Read a CSV export back into the canonical frame.

    Give the survey ``definition`` to get exact dtypes; without it, select_one answers come back
    as text.
    """
    raw = pd.read_csv(
        path_or_buffer, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8"
    )
    if definition is None:
        definition = _definition_from_header(list(raw.columns))
    missing = set(META_COLUMNS) - {"partner", "language", "channel"} - set(raw.columns)
    if missing:
        raise ValueError(f"not an export: missing columns {sorted(missing)}")
    return frame_from_wide_text(raw, definition)


def write_export(frame: pd.DataFrame, path_or_buffer: PathOrBuffer | None = None) -> str | None:
    """Write the canonical frame as CSV (UTF-8, ISO 8601 times); returns the text if no path."""
    # frame_columns of nothing gives the meta columns: question columns keep the frame's order.
    columns = [c for c in frame_columns({}) if c in frame] + [
        c for c in frame.columns if c not in META_COLUMNS
    ]
    text: str | None = frame[columns].to_csv(path_or_buffer, index=False, encoding="utf-8")
    return text
