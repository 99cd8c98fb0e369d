"""Key English Learner figures per state, from `data/states.csv`, for the fact sheets.

The file is kept as published by its sources: each figure comes with its school year, its
source and a note on how well it is verified, and a count marked as a lower bound is only
ever shown as "more than N".
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

STATES_CSV = Path(__file__).resolve().parent / "data" / "states.csv"
# What a fact sheet prints as the source: a citation with its year and short status marks,
# kept apart from the working notes in `states.csv`.
SOURCES_CSV = Path(__file__).resolve().parent / "data" / "state_sources.csv"
STATUSES = ("verified", "lower_bound", "secondary", "dated")


@dataclass(frozen=True)
class Citation:
    text: str
    year: str
    statuses: tuple[str, ...]  # from STATUSES, in the file's order


@lru_cache(maxsize=1)
def citations(path: Path = SOURCES_CSV) -> dict[str, Citation]:
    with path.open(newline="", encoding="utf-8") as handle:
        found = {row["state_code"].strip(): Citation(
            row["citation"].strip(), row["year"].strip(),
            tuple(status.strip() for status in row["status"].split(";") if status.strip()))
            for row in csv.DictReader(handle)}
    unknown = {status for citation in found.values() for status in citation.statuses} - set(STATUSES)
    if unknown:
        raise ValueError(f"{path.name}: unknown status {', '.join(sorted(unknown))}; use {', '.join(STATUSES)}")
    return found


@dataclass(frozen=True)
class StateFacts:
    code: str
    name: str
    el_students: int
    el_students_is_lower_bound: bool
    el_share_pct: float | None  # None where no share was verified
    school_year: str
    top_languages: tuple[str, ...]
    verification: str
    source: str


def _facts(row: dict[str, str]) -> StateFacts:
    share = row["el_share_pct"].strip()
    return StateFacts(
        code=row["state_code"].strip(),
        name=row["state_name"].strip(),
        el_students=int(row["el_students"]),
        el_students_is_lower_bound=row["el_students_is_lower_bound"].strip().lower() == "yes",
        el_share_pct=float(share) if share else None,
        school_year=row["school_year"].strip(),
        top_languages=tuple(name.strip() for name in row["top_languages"].split(";") if name.strip()),
        verification=row["verification"].strip(),
        source=row["source"].strip(),
    )


@lru_cache(maxsize=1)
def all_states(path: Path = STATES_CSV) -> dict[str, StateFacts]:
    """Every state in the file, by state code."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {facts.code: facts for facts in map(_facts, csv.DictReader(handle))}


def for_state(code: str) -> StateFacts | None:
    return all_states().get(code)
