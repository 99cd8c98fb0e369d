"""Building the canonical analysis frame (one row per response) from long answers.

Shared by the database reader, the CSV export reader and the synthetic generator, so the three
always agree on column order and dtypes: categoricals for codes and nullable ``Int8`` for the 0/1
choice columns, which keeps a million responses in a few hundred megabytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.definition import (
    SELECT_MULTIPLE,
    codes,
    coerce_meta,
    coerce_single,
    columns,
    frame_columns,
    questions,
)
from forms.survey import Question


def multi_columns(
    q: Question, answered: np.ndarray, chosen: np.ndarray, index: pd.Index | None = None
) -> dict[str, pd.Series]:
    """0/1 columns of a select_multiple question: missing where the respondent did not answer.

    ``chosen`` is an (n, len(codes(q))) array of 0/1; ``answered`` an (n,) bool array.
    """
    missing = ~np.asarray(answered, dtype=bool)
    chosen = np.asarray(chosen, dtype=np.int8)
    return {
        column: pd.Series(
            pd.arrays.IntegerArray(chosen[:, j].copy(), missing.copy()), index=index
        )
        for j, column in enumerate(columns(q))
    }


def _single_column(n: int, positions: np.ndarray, values: np.ndarray) -> pd.Series:
    column = np.full(n, None, dtype=object)
    column[positions] = values
    return pd.Series(column)


def _multi_from_long(
    q: Question, n: int, positions: np.ndarray, values: np.ndarray
) -> dict[str, pd.Series]:
    answered = np.zeros(n, dtype=bool)
    answered[positions] = True
    known = codes(q)
    found = pd.Index(list(known), dtype=object).get_indexer(pd.Series(values, dtype=object))
    chosen = np.zeros((n, len(known)), dtype=np.int8)
    # Codes in no version of the definition have no column to go to: the respondent still
    # counts as having answered, with none of the known choices.
    valid = found >= 0
    chosen[positions[valid], found[valid]] = 1
    return multi_columns(q, answered, chosen)


def frame_from_long(
    responses: pd.DataFrame, answers: pd.DataFrame, definition: Mapping[str, Any]
) -> pd.DataFrame:
    """Pivot long answers into the canonical frame.

    ``responses`` has the meta columns (``response_id`` ... ``channel``), one row per response,
    in output order; ``answers`` has ``response_id``, ``question`` and ``value`` (text), one row
    per answer and one per chosen code of a select_multiple question. When a single-valued
    question has several rows for one response, the last row wins.
    """
    responses = responses.reset_index(drop=True)
    n = len(responses)
    position = pd.Index(responses["response_id"].astype("string")).get_indexer(
        answers["response_id"].astype("string")
    )
    keep = position >= 0
    long = pd.DataFrame(
        {
            "position": position[keep],
            "question": answers["question"].to_numpy()[keep],
            "value": answers["value"].to_numpy()[keep],
        }
    )
    by_question = {name: part for name, part in long.groupby("question", sort=False)}
    data: dict[str, pd.Series] = coerce_meta(responses)
    empty = long.iloc[:0]
    for q in questions(definition):
        part = by_question.get(q.name, empty)
        if q.type == SELECT_MULTIPLE:
            data.update(
                _multi_from_long(
                    q, n, part["position"].to_numpy(), part["value"].to_numpy()
                )
            )
        else:
            part = part.drop_duplicates("position", keep="last")
            raw = _single_column(n, part["position"].to_numpy(), part["value"].to_numpy())
            data[q.name] = coerce_single(raw, q)
    frame = pd.DataFrame({k: v.reset_index(drop=True) for k, v in data.items()})
    return frame[frame_columns(definition)]


def frame_from_wide_text(raw: pd.DataFrame, definition: Mapping[str, Any]) -> pd.DataFrame:
    """Canonical dtypes for a frame whose cells are all text (the CSV export read back)."""
    raw = raw.reset_index(drop=True)
    n = len(raw)
    missing_meta = {"partner", "language", "channel"} - set(raw.columns)
    raw = raw.assign(**{c: pd.Series([None] * n, dtype=object) for c in missing_meta})
    data: dict[str, pd.Series] = coerce_meta(raw)
    for q in questions(definition):
        if q.type == SELECT_MULTIPLE:
            cells = pd.DataFrame(
                {c: pd.to_numeric(raw[c], errors="coerce") for c in columns(q) if c in raw},
                index=raw.index,
                columns=columns(q),
            )
            answered = cells.notna().any(axis=1).to_numpy()
            chosen = (cells.fillna(0).to_numpy() > 0).astype(np.int8)
            data.update(multi_columns(q, answered, chosen))
        else:
            column = raw[q.name] if q.name in raw else pd.Series([None] * n, dtype=object)
            data[q.name] = coerce_single(column, q)
    frame = pd.DataFrame({k: v.reset_index(drop=True) for k, v in data.items()})
    return frame[frame_columns(definition)]
