"""Realistic fake responses, reproducible from a seed: the one generator of synthetic data.

Tests and benchmarks take its canonical frame (a million rows in seconds); the app's
``demo-responses`` command stores the same rows, each as ``response_answers`` gives it, through
its storage module, which applies the survey's skip logic as for any finished response.

Driven only by the definition: the ``by`` question (a state) is drawn first, and every other
select question gets its own weights per group, drawn around a common profile in which earlier
choices are more common. So home languages vary with the state, issue priorities differ between
states, and a select_multiple question with ``count-selected(.) <= N`` gets 1 to N choices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.definition import (
    CHANNELS,
    SELECT_MULTIPLE,
    SELECT_ONE,
    codes,
    coerce_meta,
    columns,
    frame_columns,
    max_selected,
    question,
    questions,
)
from analysis.frame import multi_columns
from forms.survey import Question

_START = np.datetime64("2026-09-01T00:00:00", "s")
_WINDOW_SECONDS = 88 * 24 * 3600
_MISSING = 0.05  # share of respondents skipping an optional question
# Smaller concentration = groups differ more from the common profile.
_CONCENTRATION = 40.0
_HEX = np.frombuffer(b"0123456789abcdef", dtype="S1")
_UUID_HEX_AT = np.r_[0:8, 9:13, 14:18, 19:23, 24:36]
# What families write, in the scripts they write in (exports and pages must carry them all).
_TEXTS = np.array([
    "We need interpreters at every parent meeting.",
    "Más programas bilingües en la escuela de mi hija.",
    "Mein Sohn braucht mehr Hilfe.",
    "أريد أن أفهم تقارير المدرسة.",
    "Ardayda cusub waxay u baahan yihiin taageero.",
    "Cov xib fwb yuav tsum paub peb cov menyuam.",
], dtype=object)


def _profile(k: int, rng: np.random.Generator) -> np.ndarray:
    base = 1.0 / np.arange(1, k + 1) ** 0.8
    return rng.dirichlet(base / base.sum() * 50)


def _group_weights(k: int, groups: int, rng: np.random.Generator) -> np.ndarray:
    profile = _profile(k, rng)
    return np.vstack([rng.dirichlet(profile * _CONCENTRATION + 1e-3) for _ in range(groups)])


def _draw_one(weights: np.ndarray, g: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One code per row from its group's weights (inverse CDF, a loop over groups only)."""
    cumulative = np.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    u = rng.random(g.size)
    picked = np.empty(g.size, dtype=np.intp)
    for group, bounds in enumerate(cumulative):
        rows = g == group
        picked[rows] = np.searchsorted(bounds, u[rows], side="right")
    drawn: np.ndarray = np.minimum(picked, weights.shape[1] - 1)
    return drawn


def _draw_many(
    weights: np.ndarray, g: np.ndarray, q: Question, rng: np.random.Generator
) -> np.ndarray:
    """Rows of 0/1 with 1..N distinct choices, weighted (Gumbel top-k sampling)."""
    k = weights.shape[1]
    limit = max_selected(q)
    if limit:
        most = min(limit, k)
        sizes = np.arange(1, most + 1)
        p = sizes / sizes.sum()
    else:
        sizes, p = np.array([1, 2])[: min(2, k)], np.array([0.75, 0.25])[: min(2, k)]
        p = p / p.sum()
    how_many = rng.choice(sizes, size=g.size, p=p)
    # Adding Gumbel noise to log-weights and keeping the top k draws k distinct choices
    # with the right probabilities, for all rows at once.
    keys = np.log(weights[g] + 1e-12).astype(np.float32)
    keys += rng.gumbel(size=(g.size, k)).astype(np.float32)
    order = np.argsort(-keys, axis=1)
    taken = (np.arange(k)[None, :] < how_many[:, None]).astype(np.int8)
    chosen = np.zeros((g.size, k), dtype=np.int8)
    np.put_along_axis(chosen, order, taken, axis=1)
    return chosen


def _uuids(n: int, rng: np.random.Generator) -> np.ndarray:
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    text = np.full((n, 36), b"-", dtype="S1")
    hexed = np.empty((n, 32), dtype="S1")
    hexed[:, 0::2], hexed[:, 1::2] = _HEX[raw >> 4], _HEX[raw & 0x0F]
    text[:, _UUID_HEX_AT] = hexed
    return text.view("S36").ravel().astype(object).astype(str)


def _meta(
    n: int,
    definition: Mapping[str, Any],
    groups: tuple[str, ...],
    g: np.ndarray,
    rng: np.random.Generator,
    partners: Mapping[str, Sequence[str]] | None,
    languages: Sequence[str] | None,
) -> dict[str, pd.Series]:
    if languages is None:
        settings = definition.get("settings", {})
        default = settings.get("default_language", "en")
        languages = [default, *sorted(set(settings.get("title", {})) - {default})]
    offered = np.array(languages, dtype=object)
    other_count = len(offered) - 1
    language_p = np.array([1.0] if other_count == 0 else [0.7] + [0.3 / other_count] * other_count)
    channel = rng.choice(len(CHANNELS), size=n, p=[0.7, 0.2, 0.1])
    # Partners work in one group (a state) each; without real ones, each group has two.
    # Kiosks and paper forms always come through a partner, a third of web answers do.
    if partners is None:
        partners = {x: [f"{x.lower()}-{i}" for i in (1, 2)] for x in groups}
    in_group = [list(partners.get(x, ())) for x in groups]
    codes = np.array([code for found in in_group for code in found] + [None], dtype=object)
    counts = np.array([len(found) for found in in_group])
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    with_partner = ((channel > 0) | (rng.random(n) < 0.3)) & (counts[g] > 0)
    partner = codes[np.where(with_partner, first[g] + rng.integers(0, np.maximum(counts[g], 1)), -1)]
    seconds = rng.integers(0, _WINDOW_SECONDS, size=n).astype("timedelta64[s]")
    raw = pd.DataFrame(
        {
            "response_id": np.concatenate([_uuids(b.stop - b.start, rng) for b in _blocks(n)]),
            "submitted_at": pd.Series(_START + seconds).dt.tz_localize("UTC"),
            "survey_version": np.where(rng.random(n) < 0.1, 1, 2),
            "language": offered[rng.choice(len(offered), size=n, p=language_p)],
            "partner": partner,
            "channel": np.array(CHANNELS, dtype=object)[channel],
        }
    )
    return coerce_meta(raw)


def _blocks(n: int, size: int = 250_000) -> list[slice]:
    """Row blocks, so that per-row temporaries stay a few tens of MB for any n."""
    return [slice(start, min(start + size, n)) for start in range(0, n, size)] or [slice(0, 0)]


def _single(q: Question, n: int, rng: np.random.Generator) -> pd.Series:
    missing = rng.random(n) < (0.0 if q.required else _MISSING)
    if q.type == "integer":
        values = pd.array(rng.integers(0, 12, size=n), dtype="Int64")
    elif q.type == "decimal":
        values = pd.array(np.round(rng.gamma(2.0, 2.0, size=n), 2), dtype="Float64")
    elif q.type == "date":
        days = rng.integers(0, 365 * 18, size=n).astype("timedelta64[D]")
        values = pd.Series(np.datetime64("2008-01-01") + days).dt.as_unit("us").array
    else:
        # Free text is rare (mostly an "other, please say" box) unless the survey requires it;
        # its content does not matter to the analysis.
        written = np.flatnonzero(~missing & ((rng.random(n) < 0.03) | q.required))
        text = np.full(n, None, dtype=object)
        text[written] = _TEXTS[written % len(_TEXTS)]
        return pd.Series(text, dtype="string")
    return pd.Series(values).mask(missing)


def synthetic_frame(
    n: int,
    definition: Mapping[str, Any],
    seed: int = 0,
    by: str = "state",
    partners: Mapping[str, Sequence[str]] | None = None,
    languages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``n`` fake responses in the canonical frame, reproducible from ``seed``.

    ``partners`` gives the partner codes of each ``by`` group (two made-up ones each when
    None); ``languages`` the languages families answer in, the default first (when None, those
    of the survey's title).
    """
    rng = np.random.default_rng(seed)
    group_q = question(definition, by)
    groups = codes(group_q)
    if group_q.type != SELECT_ONE or not groups:
        raise ValueError(f"{by!r} must be a select_one question with choices")
    group_p = rng.dirichlet(np.full(len(groups), 1.5))
    g = rng.choice(len(groups), size=n, p=group_p)
    data: dict[str, pd.Series | pd.Categorical] = _meta(n, definition, groups, g, rng, partners, languages)
    for q in questions(definition):
        if q.name == by:
            data[q.name] = pd.Categorical.from_codes(g, categories=list(groups))
        elif q.type == SELECT_ONE and codes(q):
            drawn = _draw_one(_group_weights(len(codes(q)), len(groups), rng), g, rng)
            skip = rng.random(n) < (0.0 if q.required else _MISSING)
            drawn = np.where(skip, -1, drawn)
            data[q.name] = pd.Categorical.from_codes(drawn, categories=list(codes(q)))
        elif q.type == SELECT_MULTIPLE and codes(q):
            weights = _group_weights(len(codes(q)), len(groups), rng)
            chosen = np.vstack([_draw_many(weights, g[b], q, rng) for b in _blocks(n)])
            answered = rng.random(n) >= (0.0 if q.required else _MISSING)
            data.update(multi_columns(q, answered, chosen))
        elif q.type == SELECT_MULTIPLE:
            continue
        elif q.type == SELECT_ONE:
            data[q.name] = pd.Categorical.from_codes(np.full(n, -1), categories=[])
        else:
            data[q.name] = _single(q, n, rng)
    frame = pd.DataFrame({k: pd.Series(v).reset_index(drop=True) for k, v in data.items()})
    return frame[frame_columns(definition)]


def response_answers(frame: pd.DataFrame, definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each row's answers as a form holds them: a code for a select_one question, a list of
    codes for a select_multiple one, text for the others (numbers as written, dates ISO);
    unanswered questions left out. Skip logic is not applied: the frame answers every question."""
    n = len(frame)
    answers: list[tuple[str, list[Any]]] = []
    for q in questions(definition):
        if q.type == SELECT_MULTIPLE:
            if not codes(q):
                continue
            picked: list[Any] = [[] if answered else None for answered in frame[columns(q)[0]].notna()]
            rows, picks = np.nonzero(frame[columns(q)].to_numpy(dtype=np.int8, na_value=0))
            for row, code in zip(rows.tolist(), np.array(codes(q), dtype=object)[picks].tolist(), strict=True):
                picked[row].append(code)
            answers.append((q.name, picked))
            continue
        column = frame[q.name]
        if q.type == "date":
            text = column.dt.strftime("%Y-%m-%d")
        else:
            text = column.astype("string")
        answers.append((q.name, text.astype(object).where(column.notna(), None).tolist()))
    return [
        {name: values[i] for name, values in answers if values[i] is not None} for i in range(n)
    ]
