"""The response export as an SPSS (.sav) or Stata (.dta) file, written by pyreadstat.

Both programs attach labels to numbers, not to text: a single-choice answer is stored as a
number (its code when the codes are whole numbers, such as a 1-5 scale; otherwise its place
in the choice list) with the choice's label attached, and a multiple-choice column is 0/1
labelled "not chosen"/"chosen". Each variable carries its question's text as its label.
pyreadstat writes from a DataFrame, so the whole export is held in memory while it is written.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

import pandas as pd
import pyreadstat

from forms.survey import Survey as SurveyDefinition

from . import responses

# Stata allows 32 characters in a variable name, SPSS 64: the shorter rule serves both.
NAME_LENGTH = 32
# Stata's longest fixed-width text; longer comments are cut, and say so.
STATA_TEXT = 2045


def variable_name(column: str, taken: set[str]) -> str:
    """`top_issues/safety` -> `top_issues_safety`: letters, digits and underscores, starting
    with a letter, unique."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", column)
    if not name[:1].isalpha():
        name = f"v_{name}"
    name = name[:NAME_LENGTH]
    base, number = name, 1
    while name.lower() in taken:
        number += 1
        name = f"{base[:NAME_LENGTH - len(str(number)) - 1]}_{number}"
    taken.add(name.lower())
    return name


def write(stream: Iterator[dict[str, Any]], definitions: list[SurveyDefinition], language: str, fmt: str,
          path: str) -> int:
    """Writes the rows of `responses.rows()` to `path`; returns how many responses."""
    columns = next(stream)["columns"]
    frame = pd.DataFrame.from_records(list(stream), columns=columns)
    names = responses.labels(definitions, language)
    multiple = {column for column in columns if "/" in column}
    taken: set[str] = set()
    renamed = {column: variable_name(column, taken) for column in columns}
    value_labels: dict[str, dict[Any, str]] = {}
    for column in columns:
        if column in names.choices:
            codes = list(names.choices[column])
            numbers = ({code: int(code) for code in codes} if all(code.lstrip("-").isdigit() for code in codes)
                       else {code: place for place, code in enumerate(codes, start=1)})
            frame[column] = frame[column].map(numbers).astype("float64")
            value_labels[renamed[column]] = {float(number): names.choices[column][code]
                                             for code, number in numbers.items()}
        elif column in multiple:
            frame[column] = frame[column].astype("float64")
            value_labels[renamed[column]] = {0.0: "not chosen", 1.0: "chosen"}
        elif frame[column].dtype == object:
            text = frame[column].fillna("").astype(str)
            frame[column] = text.str.slice(0, STATA_TEXT) if fmt == "dta" else text
    frame = frame.rename(columns=renamed)
    column_labels = [names.headings.get(column, column)[:80 if fmt == "dta" else 256] for column in columns]
    if fmt == "sav":
        pyreadstat.write_sav(frame, path, column_labels=column_labels, variable_value_labels=value_labels)
    else:
        pyreadstat.write_dta(frame, path, column_labels=column_labels, variable_value_labels=value_labels)
    return len(frame)
