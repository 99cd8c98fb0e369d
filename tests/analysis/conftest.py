"""Fixtures for the analysis tests: the Family Voices definition, small hand-made frames, and
the tables read_responses reads."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text

from analysis.frame import frame_from_long
from analysis.synthetic import synthetic_frame
from forms.normalising import normalise

# The survey the application loads by default, read as it stores it: the tests follow its questions.
SURVEY = Path(__file__).resolve().parents[2] / "surveys" / "family-voices.yaml"


@functools.cache
def _stored_definition() -> dict[str, Any]:
    return normalise(yaml.safe_load(SURVEY.read_text(encoding="utf-8")))


def load_definition() -> dict[str, Any]:
    """Family Voices as stored; a copy of its own, so a test may change it."""
    return copy.deepcopy(_stored_definition())


@pytest.fixture
def definition() -> dict[str, Any]:
    return load_definition()


def build_frame(definition: Mapping[str, Any], people: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Canonical frame from one dict per respondent: ``{"state": "MN", "top_issues": [...]}``.

    Keys that are response columns (``language``, ``partner``, ``channel``) fill those;
    others are answers, a list for a select_multiple question.
    """
    meta_keys = {"language", "partner", "channel", "submitted_at", "survey_version"}
    responses, answers = [], []
    for i, person in enumerate(people):
        rid = f"00000000-0000-4000-8000-{i:012d}"
        responses.append(
            {
                "response_id": rid,
                "submitted_at": person.get("submitted_at", f"2026-10-{1 + i % 28:02d}T12:00:00Z"),
                "survey_version": person.get("survey_version", 1),
                "language": person.get("language", "en"),
                "partner": person.get("partner"),
                "channel": person.get("channel", "web"),
            }
        )
        for name, value in person.items():
            if name in meta_keys:
                continue
            values = value if isinstance(value, (list, tuple)) else [value]
            answers.extend({"response_id": rid, "question": name, "value": str(v)} for v in values)
    meta = ["response_id", "submitted_at", "survey_version", "language", "partner", "channel"]
    return frame_from_long(
        pd.DataFrame(responses, columns=meta),
        pd.DataFrame(answers, columns=["response_id", "question", "value"]),
        definition,
    )


@pytest.fixture(scope="session")
def frame_builder() -> Callable[[Iterable[Mapping[str, Any]]], pd.DataFrame]:
    """Like make_frame, for hypothesis tests (which cannot use function-scoped fixtures)."""
    definition = load_definition()
    return lambda people: build_frame(definition, people)


@pytest.fixture
def make_frame(definition: dict[str, Any]) -> Callable[[Iterable[Mapping[str, Any]]], pd.DataFrame]:
    return lambda people: build_frame(definition, people)


def _people(state: str, n: int, issues: Iterable[str] = (), **answers: Any) -> list[dict[str, Any]]:
    return [{"state": state, "top_issues": list(issues), **answers} for _ in range(n)]


@pytest.fixture
def people() -> Callable[..., list[dict[str, Any]]]:
    """``people(state, n, issues, **answers)``: n respondents who all answered alike."""
    return _people


@pytest.fixture(scope="session")
def synthetic() -> pd.DataFrame:
    return synthetic_frame(3000, load_definition(), seed=7)


@pytest.fixture
def frozen() -> Callable[[pd.DataFrame], Callable[[], None]]:
    """Snapshot a frame; calling the result asserts it is unchanged."""

    def snapshot(frame: pd.DataFrame) -> Callable[[], None]:
        before = frame.copy(deep=True)
        columns = list(frame.columns)
        dtypes = frame.dtypes.copy()

        def check() -> None:
            assert list(frame.columns) == columns
            pd.testing.assert_series_equal(frame.dtypes, dtypes)
            pd.testing.assert_frame_equal(frame, before)

        return check

    return snapshot


def response_tables(metadata: MetaData) -> dict[str, Table]:
    """The five tables read_responses reads, as SQLAlchemy Core tables on `metadata`."""
    return {
        "surveys": Table("surveys", metadata, Column("id", Integer, primary_key=True),
                         Column("slug", Text, unique=True)),
        "survey_versions": Table("survey_versions", metadata, Column("id", Integer, primary_key=True),
                                 Column("survey_id", ForeignKey("surveys.id")), Column("version", Integer),
                                 Column("definition", JSON)),
        "partners": Table("partners", metadata, Column("id", Integer, primary_key=True),
                          Column("code", Text, unique=True), Column("name", Text), Column("state_code", Text)),
        "responses": Table("responses", metadata, Column("id", String(36), primary_key=True),
                           Column("survey_version_id", ForeignKey("survey_versions.id")),
                           Column("partner_id", ForeignKey("partners.id"), nullable=True),
                           Column("language", Text), Column("channel", Text), Column("submitted_at", DateTime)),
        "answers": Table("answers", metadata, Column("id", Integer, primary_key=True),
                         Column("response_id", ForeignKey("responses.id")), Column("question", Text),
                         Column("value", Text)),
    }
