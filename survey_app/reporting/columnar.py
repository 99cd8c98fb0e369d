"""A slice of the analysis frame as plain arrays, stored in the database and read back by
every server process, and slices put together again into one frame.

The stored form holds numbers and text only: a JSON header naming each column's kind and where
its arrays are, then the arrays' bytes, read back as numpy arrays of plain numbers (text is
stored as its UTF-8 bytes), so reading a stored slice never runs code and is little more than
parsing its header. Put together, the slices give exactly the frame `analysis.read` would have
read in one go (the tests compare the two): the same rows in the same order, the same dtypes,
categories and missing values.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

# Changed whenever the stored form changes, which retires every part stored before.
FORMAT = 2
_ARRAYS = "arrays"
_LENGTH = 8
_ALIGN = 8
# Booleans, integers and floats: the only arrays read back, so reading a part never runs code.
_PLAIN = "biuf"
_MASKED = {"Int8": pd.arrays.IntegerArray, "Int16": pd.arrays.IntegerArray, "Int32": pd.arrays.IntegerArray,
           "Int64": pd.arrays.IntegerArray, "Float64": pd.arrays.FloatingArray, "boolean": pd.arrays.BooleanArray}


@dataclass
class Columns:
    """Some rows of a frame, column by column: `header` says how to read each column's arrays."""

    header: dict[str, Any]
    arrays: dict[str, np.ndarray]

    @property
    def rows(self) -> int:
        return int(self.header["rows"])


# Texts are stored joined by this character, which a split takes apart in one call (a
# million response ids in a fraction of a second); a column where some text holds it is
# stored as JSON instead.
_SEPARATOR = "\x1f"


def _bytes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode(), dtype=np.uint8)


def _split_text(column: pd.Series, key: str, described: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    missing = column.isna().to_numpy(dtype=bool)
    present = [str(v) for v in column.array[~missing]]
    arrays[f"{key}m"] = np.packbits(missing)
    if any(_SEPARATOR in v for v in present):
        described["joined"] = False
        arrays[key] = _bytes(json.dumps(present, ensure_ascii=False))
    else:
        described["joined"] = True
        arrays[key] = _bytes(_SEPARATOR.join(present))
    described["present"] = len(present)


def _join_text(part: np.ndarray, packed: np.ndarray, rows: int, described: dict[str, Any]) -> np.ndarray:
    text = part.tobytes().decode()
    if not described["joined"]:
        present = json.loads(text)
    else:
        present = text.split(_SEPARATOR) if described["present"] else []
    missing = np.unpackbits(packed, count=rows).astype(bool)
    values = np.full(rows, pd.NA, dtype=object)
    values[~missing] = present
    return values


def split(frame: pd.DataFrame) -> Columns:
    """The frame's columns as arrays (see `join` for the way back)."""
    described: list[dict[str, Any]] = []
    arrays: dict[str, np.ndarray] = {}
    for i, name in enumerate(frame.columns):
        column = frame[name]
        dtype = column.dtype
        key = f"c{i}"
        if isinstance(dtype, pd.CategoricalDtype):
            described.append({"name": name, "kind": "category", "ordered": bool(dtype.ordered),
                              "categories": [str(c) for c in dtype.categories],
                              "categories_dtype": str(dtype.categories.dtype)})
            arrays[key] = np.asarray(column.cat.codes)
        elif str(dtype) in _MASKED:
            described.append({"name": name, "kind": "masked", "dtype": str(dtype)})
            masked = column.array
            values = np.asarray(masked._data)
            # The 0/1 columns of multiple-choice questions take one bit a response, not a byte.
            bits = values.dtype == np.int8 and bool(((values == 0) | (values == 1)).all())
            described[-1]["bits"] = bits
            arrays[key] = np.packbits(values.view(np.uint8)) if bits else values
            arrays[f"{key}m"] = np.packbits(masked._mask)
        elif isinstance(dtype, pd.DatetimeTZDtype):
            described.append({"name": name, "kind": "datetime", "unit": dtype.unit, "tz": str(dtype.tz)})
            arrays[key] = column.to_numpy(dtype=f"datetime64[{dtype.unit}]").view(np.int64)
        elif isinstance(dtype, pd.StringDtype):
            described.append({"name": name, "kind": "text", "dtype": str(dtype)})
            _split_text(column, key, described[-1], arrays)
        elif isinstance(dtype, np.dtype) and dtype.kind in "biufmM":
            described.append({"name": name, "kind": "numpy"})
            arrays[key] = column.to_numpy()
        else:
            raise TypeError(f"column {name!r} has a dtype that is not stored: {dtype}")
    return Columns({"rows": len(frame), "columns": described}, arrays)


def to_bytes(columns: Columns) -> bytes:
    """The stored form: the header's length (8 bytes, little-endian), the header as JSON, then
    each array's bytes, each at a multiple of 8, where the header says."""
    layout: dict[str, tuple[str, int, int]] = {}
    chunks = []
    at = 0
    for name, array in columns.arrays.items():
        raw = np.ascontiguousarray(array).tobytes()
        layout[name] = (array.dtype.str, len(array), at)
        chunks.append(raw + bytes(-len(raw) % _ALIGN))
        at += len(chunks[-1])
    header = json.dumps({**columns.header, _ARRAYS: layout}).encode()
    header += b" " * (-len(header) % _ALIGN)
    return len(header).to_bytes(_LENGTH, "little") + header + b"".join(chunks)


def from_bytes(data: bytes) -> Columns:
    """The stored columns: reading a part is little more than parsing its header. Each array is
    copied out of `data`, so `join` lets each go as it puts its column together (views would keep
    every part's bytes until the end: a third more memory at the peak of a read)."""
    length = int.from_bytes(data[:_LENGTH], "little")
    header = json.loads(data[_LENGTH:_LENGTH + length])
    arrays = {}
    for name, (dtype, count, offset) in header.pop(_ARRAYS).items():
        kind = np.dtype(dtype)
        if kind.kind not in _PLAIN:
            raise ValueError(f"array {name!r} is not of plain numbers: {dtype}")
        arrays[name] = np.frombuffer(data, dtype=kind, count=count, offset=_LENGTH + length + offset).copy()
    return Columns(header, arrays)


def is_text(described: dict[str, Any]) -> bool:
    """Whether a column holds text (response ids and free-text answers), which reports never read."""
    return bool(described["kind"] == "text")


def is_number(described: dict[str, Any]) -> bool:
    return not is_text(described)


def text_columns(frame: pd.DataFrame) -> list[str]:
    """The frame's columns that `split` stores as text."""
    return [name for name in frame.columns if isinstance(frame[name].dtype, pd.StringDtype)]


def only(columns: Columns, keep: Callable[[dict[str, Any]], bool]) -> Columns:
    """The columns `keep` accepts (their arrays are shared, not copied)."""
    kept = [(i, described) for i, described in enumerate(columns.header["columns"]) if keep(described)]
    return Columns({**columns.header, "columns": [described for _i, described in kept]},
                   {f"c{new}{suffix}": columns.arrays[f"c{old}{suffix}"] for new, (old, _described) in enumerate(kept)
                    for suffix in ("", "m") if f"c{old}{suffix}" in columns.arrays})


def missing(pieces: Sequence[Columns], name: str) -> np.ndarray:
    """Which rows have no value in the text column `name`, from the stored masks alone (no text is decoded)."""
    found = []
    for piece in pieces:
        i = next(i for i, described in enumerate(piece.header["columns"]) if described["name"] == name)
        found.append(np.unpackbits(piece.arrays[f"c{i}m"], count=piece.rows).astype(bool))
    return np.concatenate(found) if found else np.zeros(0, dtype=bool)


def _categories(pieces: Sequence[Columns], i: int) -> list[str]:
    """Question codes keep the survey's order, the same in every piece; columns whose
    categories come from the data (languages, partners) are sorted, as `analysis` sorts them."""
    found = [piece.header["columns"][i]["categories"] for piece in pieces]
    if all(categories == found[0] for categories in found):
        return list(found[0])
    return sorted(set().union(*found))


def join(pieces: Sequence[Columns]) -> pd.DataFrame:
    """One frame of the pieces' rows, in the pieces' order. The pieces' arrays are released
    as the frame is built, so the whole is held once, not twice."""
    if not pieces:
        raise ValueError("at least one piece is needed")
    first = pieces[0].header["columns"]
    for piece in pieces[1:]:
        if [(c["name"], c["kind"]) for c in piece.header["columns"]] != [(c["name"], c["kind"]) for c in first]:
            raise ValueError("the pieces do not have the same columns")
    data: dict[str, Any] = {}
    shared: tuple[list[np.ndarray], np.ndarray] | None = None  # the last masked column's mask, packed and not
    for i, described in enumerate(first):
        key = f"c{i}"
        parts = [piece.arrays.pop(key) for piece in pieces]
        kind = described["kind"]
        if kind == "category":
            categories = _categories(pieces, i)
            if all(piece.header["columns"][i]["categories"] == categories for piece in pieces):
                codes = np.concatenate(parts)
            else:
                at = pd.Index(categories)
                recoded = []
                for piece, codes in zip(pieces, parts, strict=True):
                    own = at.get_indexer(pd.Index(piece.header["columns"][i]["categories"], dtype=object))
                    recoded.append(np.where(codes >= 0, own[codes] if len(own) else -1, -1))
                codes = np.concatenate(recoded)
            data[described["name"]] = pd.Categorical.from_codes(
                codes, dtype=pd.CategoricalDtype(pd.Index(categories, dtype=described["categories_dtype"]),
                                         ordered=described["ordered"]))
        elif kind == "masked":
            packed = [piece.arrays.pop(f"{key}m") for piece in pieces]
            # The 0/1 columns of one question are missing for the same responses: they share one
            # mask (the frame is only ever read), which saves a byte a response in every column.
            if shared is None or not all(np.array_equal(a, b) for a, b in zip(packed, shared[0], strict=True)):
                shared = (packed, np.concatenate([np.unpackbits(bits, count=piece.rows).view(bool)
                                                  for bits, piece in zip(packed, pieces, strict=True)]))
            numbers = [np.unpackbits(part, count=piece.rows).view(np.int8) if piece.header["columns"][i]["bits"]
                       else part for piece, part in zip(pieces, parts, strict=True)]
            data[described["name"]] = _MASKED[described["dtype"]](np.concatenate(numbers), shared[1])
        elif kind == "datetime":
            stamps = np.concatenate(parts).view(f"datetime64[{described['unit']}]")
            data[described["name"]] = pd.DatetimeIndex(stamps).tz_localize(described["tz"]).array
        elif kind == "text":
            texts = np.concatenate([
                _join_text(part, piece.arrays.pop(f"{key}m"), piece.rows, piece.header["columns"][i])
                for piece, part in zip(pieces, parts, strict=True)])
            data[described["name"]] = pd.array(texts, dtype=pd.api.types.pandas_dtype(described["dtype"]))
        else:
            data[described["name"]] = np.concatenate(parts)
        del parts
    return pd.DataFrame(data, copy=False)
