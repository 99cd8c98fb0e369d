"""How much of a survey respondents can read in a language: the texts they need that have no
translation, named by sheet, row and column as the workbook numbers them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .survey import TRANSLATED, UNSEEN_TYPES


@dataclass(frozen=True)
class MissingText:
    """A text respondents need that has no translation: where it is, as the workbook numbers it."""

    sheet: str  # "survey" or "choices"
    row: int  # the row in the workbook `download-survey` writes (the column names are row 1)
    name: str  # the question's or choice's name
    column: str  # as in the workbook, e.g. "label::so"

    def __str__(self) -> str:
        return f"{self.sheet} sheet, row {self.row} ({self.name}), column {self.column}"


def _respondent_texts(definition: Mapping[str, Any]) -> list[tuple[str, int, str, str, Mapping[str, str]]]:
    """Every text a respondent must read to answer: (sheet, row, name, column, texts).

    The settings' texts (title, description, duration, thanks) are left out: they fall back
    to the default language, and XLSForm has no translated title at all."""
    found: list[tuple[str, int, str, str, Mapping[str, str]]] = []
    for number, row in enumerate(definition["survey"], start=2):
        if row["type"] in UNSEEN_TYPES:
            continue  # a calculation's label, which ODK allows, is never shown
        found.extend(("survey", number, row.get("name", ""), column, row[column])
                     for column in TRANSLATED if row.get(column))
    number = 1
    for items in definition["choices"].values():
        for choice in items:
            number += 1
            found.append(("choices", number, choice["name"], "label", choice["label"]))
    return found


def missing_texts(definition: Mapping[str, Any], language: str) -> list[MissingText]:
    """The texts respondents must read that are written in the default language but not in `language`."""
    source = definition["settings"]["default_language"]
    return [MissingText(sheet, number, name, f"{column}::{language}")
            for sheet, number, name, column, texts in _respondent_texts(definition)
            if texts.get(source) and not texts.get(language)]


def translation_coverage(definition: Mapping[str, Any], language: str) -> tuple[int, int]:
    """(translated, total): how many of the texts respondents must read exist in `language`."""
    source = definition["settings"]["default_language"]
    wanted = [texts for *_where, texts in _respondent_texts(definition) if texts.get(source)]
    return sum(1 for text in wanted if text.get(language)), len(wanted)
