"""Counting respondents per (group, choice) from the canonical frame, without loops over rows.

Both sides of a table are described by "factors": an integer key per respondent plus a small
0/1 matrix saying which columns (choices, or groups) each key value stands for. A categorical
column is one factor (its codes); 0/1 columns are packed eight to a byte, one factor per byte.
One ``np.bincount`` over the combined keys of a group factor and a choice factor gives their
joint counts, and two tiny matrix products turn those into (group, choice) counts. Respondents
who did not answer the question get group key 0, which counts nowhere, so the row sums of any
joint count are the groups' respondents. A million respondents with sixteen issues cost a few
passes over small integer arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.definition import SELECT_MULTIPLE, SELECT_ONE, codes, columns, question


@dataclass(frozen=True)
class _Factor:
    key: np.ndarray | None  # (n,) integers in [0, size); None: the same key for everyone
    decode: np.ndarray  # (size, width) int64: which columns each key value counts in

    @property
    def size(self) -> int:
        return int(self.decode.shape[0])

    @property
    def width(self) -> int:
        return int(self.decode.shape[1])


@dataclass(frozen=True)
class ChoiceCounts:
    """Counts of one question, per group and over everyone who answered (the total)."""

    groups: tuple[str, ...]
    choices: tuple[str, ...]
    respondents: np.ndarray  # (groups,) respondents who answered, per group
    counts: np.ndarray  # (groups, choices)
    total_respondents: int
    total_counts: np.ndarray  # (choices,)
    # Whether each group's cells sum to its respondents (select_one questions), and whether
    # the groups partition the respondents (a single-valued grouping column): each decides
    # which totals can be used to recover a hidden cell by subtraction.
    cells_add_up: bool
    groups_add_up: bool


def _bits(width: int) -> np.ndarray:
    """Row b lists the bits of the byte value b: the decode matrix of a packed byte."""
    return ((np.arange(256)[:, None] >> np.arange(width)[None, :]) & 1).astype(np.int64)


def _packed(columns: list[np.ndarray], n: int) -> list[tuple[np.ndarray, int]]:
    """0/1 columns packed eight to a byte: (bytes, number of columns in them)."""
    packed = []
    shifted = np.empty(n, dtype=np.uint8)
    for start in range(0, len(columns), 8):
        chunk = columns[start : start + 8]
        byte = np.zeros(n, dtype=np.uint8)
        for bit, values in enumerate(chunk):
            # Multiply rather than shift: numpy vectorises uint8 multiplication, not shifts.
            np.multiply(values, np.uint8(1 << bit), out=shifted)
            np.bitwise_or(byte, shifted, out=byte)
        packed.append((byte, len(chunk)))
    return packed


def _zero_one(values: pd.Series) -> np.ndarray:
    # Missing counts as not chosen; any non-zero value as chosen.
    chosen: np.ndarray = (values.array.to_numpy(dtype=np.uint8, na_value=0) != 0).view(np.uint8)
    return chosen


def _categorical(values: pd.Series) -> pd.Categorical:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.array
    return pd.Categorical(values.astype("string"))


def question_factors(
    frame: pd.DataFrame, definition: Mapping[str, Any], name: str
) -> tuple[tuple[str, ...], list[_Factor], np.ndarray, bool]:
    """Choices, factors, the mask of respondents who answered, and whether cells add up."""
    q = question(definition, name)
    if q.type == SELECT_MULTIPLE:
        values = [frame[c] for c in columns(q)]
        unanswered = np.ones(len(frame), dtype=bool)
        for column in values:
            unanswered &= column.array.isna()
        packed = _packed([_zero_one(v) for v in values], len(frame))
        factors = [_Factor(byte, _bits(width)) for byte, width in packed]
        return codes(q), factors, ~unanswered, False
    if q.type != SELECT_ONE:
        raise ValueError(f"{name!r} is a {q.type} question; only select questions have choices")
    values = _categorical(frame[name])
    positions = np.asarray(values.codes)
    width = len(values.categories)
    decode = np.vstack([np.zeros((1, width)), np.eye(width)]).astype(np.int64)
    key_type = np.uint8 if width + 1 <= np.iinfo(np.uint8).max else np.intp
    factor = _Factor(np.add(positions, 1, dtype=key_type, casting="unsafe"), decode)
    return tuple(str(c) for c in values.categories), [factor], positions >= 0, True


def group_factors(
    frame: pd.DataFrame, definition: Mapping[str, Any], by: str | None, answered: np.ndarray
) -> tuple[tuple[str, ...], list[_Factor], bool]:
    """Groups, factors and whether the groups partition the respondents, for a grouping.

    The factors' first column is everyone (the ALL group). ``by`` is any single-valued column
    (a select_one question, ``language``, ``partner``, ``channel``), or a select_multiple
    question, where a respondent belongs to each group they chose; None gives ALL only.
    Respondents outside ``answered`` get key 0, which counts in no column.
    """
    everyone = _Factor(answered.view(np.uint8), np.array([[0], [1]], dtype=np.int64))
    if by is None:
        return (), [everyone], True
    if by not in frame.columns:
        q = question(definition, by)
        if q.type != SELECT_MULTIPLE:
            raise KeyError(f"column {by!r} is not in the frame")
        packed = _packed([_zero_one(frame[c]) for c in columns(q)], len(frame))
        factors = [
            _Factor(
                np.where(answered, byte.astype(np.intp) + 1, 0),
                np.vstack([np.zeros((1, width), dtype=np.int64), _bits(width)]),
            )
            for byte, width in packed
        ]
        return codes(q), [everyone, *factors], False
    values = _categorical(frame[by])
    groups = tuple(str(c) for c in values.categories)
    g = len(groups)
    # Key 0: did not answer; 1: answered without a group (counts in ALL only); 2+: a group.
    positions = np.asarray(values.codes)
    key_type = np.uint8 if g + 2 <= np.iinfo(np.uint8).max else np.intp
    key = np.add(positions, 2, dtype=key_type, casting="unsafe")
    np.multiply(key, answered, out=key, casting="unsafe")
    decode = np.vstack(
        [np.zeros((1, g + 1)), np.eye(1, g + 1), np.hstack([np.ones((g, 1)), np.eye(g)])]
    ).astype(np.int64)
    return groups, [_Factor(key, decode)], True


def _joint(left: _Factor, right: _Factor) -> np.ndarray:
    """Respondents per (left key, right key)."""
    if left.key is None:
        raise ValueError("the left factor must have a key per respondent")
    if right.key is None:
        return np.bincount(left.key, minlength=left.size)[:, None]
    # Narrow keys halve the memory traffic of the pass when the joint table is small.
    dtype = np.uint16 if left.size * right.size <= 1 << 16 else np.intp
    combined = np.multiply(left.key, right.size, dtype=dtype, casting="unsafe")
    np.add(combined, right.key, out=combined, casting="unsafe")
    return np.bincount(combined, minlength=left.size * right.size).reshape(left.size, right.size)


def _cross(left: list[_Factor], right: list[_Factor]) -> tuple[np.ndarray, np.ndarray]:
    """Respondents in each (group column, choice column) pair, and in each group column."""
    if not right:  # a question without choices still has respondents
        right = [_Factor(None, np.zeros((1, 0), dtype=np.int64))]
    table = np.zeros((sum(f.width for f in left), sum(f.width for f in right)), dtype=np.int64)
    respondents = np.zeros(table.shape[0], dtype=np.int64)
    row = 0
    for lf in left:
        col = 0
        for i, rf in enumerate(right):
            joint = _joint(lf, rf)
            table[row : row + lf.width, col : col + rf.width] = lf.decode.T @ joint @ rf.decode
            if i == 0:
                respondents[row : row + lf.width] = lf.decode.T @ joint.sum(axis=1)
            col += rf.width
        row += lf.width
    return table, respondents


def count_choices(
    frame: pd.DataFrame,
    definition: Mapping[str, Any],
    question_name: str,
    by: str | None = None,
) -> ChoiceCounts:
    """How many respondents chose each choice of ``question_name``, per ``by`` group and overall.

    Only respondents who answered the question count, in the totals as in the cells.
    """
    choices, right, answered, cells_add_up = question_factors(frame, definition, question_name)
    groups, left, groups_add_up = group_factors(frame, definition, by, answered)
    table, respondents = _cross(left, right)
    return ChoiceCounts(
        groups=groups,
        choices=choices,
        respondents=respondents[1:],
        counts=table[1:],
        total_respondents=int(respondents[0]),
        total_counts=table[0],
        cells_add_up=cells_add_up,
        groups_add_up=groups_add_up,
    )
