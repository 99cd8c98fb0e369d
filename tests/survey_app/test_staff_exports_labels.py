"""Response exports with labels instead of codes, in a chosen language, and an SPSS or Stata
file whose values carry their labels."""
from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from survey_app import surveys

from tests.survey_app.report_fixtures import SLUG


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_staff_exports_csv_with_labels_in_spanish(staff):
    definition = surveys.parsed(surveys.newest_version(SLUG))
    question = definition.questions["state"]
    state_labels = {choice.name: definition.text(choice.label, "es") for choice in question.choices}
    safety = next(c for c in definition.questions["top_issues"].choices if c.name == "safety")
    reply = staff.get(f"/staff/exports/{SLUG}/responses.csv?values=labels&language=es")
    assert reply.status_code == 200
    header, *rows = read_csv(reply.data)
    assert len(rows) == 39
    state = header.index(definition.text(question.label, "es"))
    assert sorted({row[state] for row in rows}) == sorted(state_labels[code] for code in ("MN", "NY", "TN", "WA"))
    column = header.index(f"{definition.text(definition.questions['top_issues'].label, 'es')} / "
                          f"{definition.text(safety.label, 'es')}")
    assert sum(int(row[column]) for row in rows) == 18


def test_staff_exports_codes_stay_the_default(staff):
    header, *rows = read_csv(staff.get(f"/staff/exports/{SLUG}/responses.csv").data)
    assert "state" in header and "top_issues/safety" in header
    assert {row[header.index("state")] for row in rows} == {"MN", "NY", "TN", "WA"}


def test_staff_exports_xlsx_with_labels_in_arabic(staff):
    reply = staff.get(f"/staff/exports/{SLUG}/responses.xlsx?values=labels&language=ar")
    assert reply.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(reply.data), read_only=True)
    header, *rows = [list(r) for r in workbook["responses"].iter_rows(values_only=True)]
    assert len(rows) == 39
    assert "state" not in header and any("\u0600" <= ch <= "\u06ff" for ch in "".join(map(str, header)))


@pytest.mark.parametrize("fmt, reader", [("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)])
def test_staff_exports_spss_and_stata_carry_value_labels(staff, tmp_path, fmt, reader):
    reply = staff.get(f"/staff/exports/{SLUG}/responses.{fmt}")
    assert reply.status_code == 200
    path = tmp_path / f"responses.{fmt}"
    path.write_bytes(reply.data)
    frame, meta = reader(str(path))
    assert len(frame) == 39
    assert meta.column_names_to_labels["state"] == "Which state do you live in?" or \
        "state" in meta.column_names_to_labels
    labels = meta.variable_value_labels["state"]
    counts = frame["state"].map(labels).value_counts()
    assert counts["Minnesota"] == 12 and counts["New York"] == 20
    safety = next(name for name in frame.columns if name.startswith("top_issues_safety"))
    assert int(frame[safety].sum()) == 9 + 2 + 4 + 3
    assert isinstance(frame, pd.DataFrame)


def test_staff_exports_unknown_label_language_is_refused(staff):
    assert staff.get(f"/staff/exports/{SLUG}/responses.csv?values=labels&language=xx").status_code == 400
    assert staff.get(f"/staff/exports/{SLUG}/responses.csv?values=words").status_code == 400
