"""read_responses against the five tables built with SQLAlchemy Core on in-memory SQLite."""

import copy
import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import MetaData, Text, create_engine, insert

from analysis.definition import frame_columns
from analysis.read import read_responses
from tests.analysis.conftest import response_tables

R1, R2, R3, R4 = (f"00000000-0000-4000-8000-00000000000{i}" for i in range(1, 5))


@pytest.fixture
def engine(definition):
    newest = copy.deepcopy(definition)
    newest["survey"].append({"type": "integer", "name": "children", "label": {"en": "Children"}})
    newest["survey"].append({"type": "date", "name": "arrived", "label": {"en": "Arrived"}})
    older = copy.deepcopy(definition)
    older["survey"].insert(3, {"type": "text", "name": "school_name", "label": {"en": "School"}})
    older["choices"]["issue"].append({"name": "transport", "label": {"en": "Transport"}})
    engine = create_engine("sqlite://")
    metadata = MetaData()
    t = response_tables(metadata)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t["surveys"]), [{"id": 1, "slug": "family-voices"}, {"id": 2, "slug": "other"}])
        conn.execute(insert(t["survey_versions"]), [
            {"id": 10, "survey_id": 1, "version": 1, "definition": older},
            {"id": 11, "survey_id": 1, "version": 2, "definition": newest},
            {"id": 20, "survey_id": 2, "version": 1, "definition": {"survey": []}},
        ])
        conn.execute(insert(t["partners"]), [{"id": 5, "code": "mn-hmong-center", "name": "Center", "state_code": "MN"}])
        at = dt.datetime(2026, 10, 1, 9, 30)
        conn.execute(insert(t["responses"]), [
            {"id": R1, "survey_version_id": 11, "partner_id": 5, "language": "hmn", "channel": "kiosk", "submitted_at": at},
            {"id": R2, "survey_version_id": 11, "partner_id": None, "language": "en", "channel": "web",
             "submitted_at": at + dt.timedelta(hours=1)},
            {"id": R3, "survey_version_id": 10, "partner_id": None, "language": "es", "channel": "paper",
             "submitted_at": at - dt.timedelta(days=3)},
            {"id": R4, "survey_version_id": 20, "partner_id": None, "language": "en", "channel": "web", "submitted_at": at},
        ])
        rows = [
            (R1, "role", "parent"), (R1, "state", "MN"), (R1, "top_issues", "language_access"),
            (R1, "top_issues", "safety"), (R1, "home_languages", "hmn"), (R1, "children", "3"),
            (R1, "arrived", "2019-06-01"), (R1, "school_communication", "4"), (R1, "one_change", "NA"),
            (R2, "role", "student"), (R2, "state", "CA"), (R2, "children", "not a number"),
            (R3, "state", "MN"), (R3, "school_name", "Roosevelt"), (R3, "top_issues", "transport"),
            (R3, "top_issues", "newcomers"), (R4, "state", "NY"),
        ]
        conn.execute(insert(t["answers"]), [{"response_id": r, "question": q, "value": v} for r, q, v in rows])
    yield engine
    engine.dispose()


def test_read_responses_builds_canonical_frame(engine) -> None:
    frame = read_responses(engine, "family-voices").set_index("response_id", drop=False)
    assert list(frame["response_id"]) == [R3, R1, R2]  # by submission time; other survey left out
    assert str(frame["submitted_at"].dt.tz) == "UTC"
    assert frame.loc[R1, "submitted_at"] == pd.Timestamp("2026-10-01T09:30:00Z")
    assert frame["survey_version"].tolist() == [1, 2, 2]
    assert frame.loc[R1, "partner"] == "mn-hmong-center" and pd.isna(frame.loc[R2, "partner"])
    assert frame.loc[R1, "language"] == "hmn" and frame.loc[R3, "channel"] == "paper"
    assert frame.loc[R1, "top_issues/language_access"] == 1
    assert frame.loc[R1, "top_issues/newcomers"] == 0
    assert pd.isna(frame.loc[R2, "top_issues/safety"])  # did not answer: missing, not 0
    assert frame.loc[R1, "children"] == 3 and pd.isna(frame.loc[R2, "children"])
    assert frame.loc[R1, "arrived"] == pd.Timestamp("2019-06-01")
    assert frame.loc[R1, "school_communication"] == "4"
    assert frame.loc[R1, "one_change"] == "NA"  # an answer, not a missing value
    assert pd.isna(frame.loc[R2, "one_change"])


def test_read_responses_keeps_removed_questions_and_choices(engine) -> None:
    frame = read_responses(engine, "family-voices").set_index("response_id")
    assert frame.loc[R3, "school_name"] == "Roosevelt"
    assert frame.loc[R3, "top_issues/transport"] == 1
    columns = list(frame.reset_index().columns)
    # Newest version's order first, older-only questions and choices after.
    assert columns.index("top_issues/public_data") < columns.index("top_issues/transport")
    assert columns[-1] == "school_name"


def test_read_responses_dtypes(engine) -> None:
    frame = read_responses(engine, "family-voices")
    assert isinstance(frame["state"].dtype, pd.CategoricalDtype)
    assert list(frame["state"].cat.categories) == ["CA", "IL", "MA", "MN", "NY", "TN", "WA", "other"]
    assert str(frame["top_issues/safety"].dtype) == "Int8"
    assert str(frame["children"].dtype) == "Int64"
    assert isinstance(frame["channel"].dtype, pd.CategoricalDtype)


def test_read_responses_with_given_definition_and_connection(engine, definition) -> None:
    with engine.connect() as conn:
        frame = read_responses(conn, "family-voices", definition)
    assert list(frame.columns) == frame_columns(definition)
    assert len(frame) == 3


def test_read_responses_unknown_survey_raises(engine) -> None:
    with pytest.raises(LookupError):
        read_responses(engine, "no-such-survey")


def test_read_responses_survey_without_answers(engine) -> None:
    frame = read_responses(engine, "other")
    assert list(frame.columns) == frame_columns({"survey": []})
    assert len(frame) == 1


def test_read_responses_definition_stored_as_text(definition) -> None:
    engine = create_engine("sqlite://")
    metadata = MetaData()
    t = response_tables(metadata)
    t["survey_versions"].c.definition.type = Text()
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t["surveys"]), [{"id": 1, "slug": "family-voices"}])
        conn.execute(insert(t["survey_versions"]), [
            {"id": 1, "survey_id": 1, "version": 1, "definition": json.dumps(definition)}
        ])
    frame = read_responses(engine, "family-voices")
    engine.dispose()
    assert list(frame.columns) == frame_columns(definition) and frame.empty


def long_answers(frame: pd.DataFrame, definition) -> pd.DataFrame:
    """The answers table rows that would have produced ``frame``."""
    from analysis.definition import SELECT_MULTIPLE, codes, columns, questions

    parts = []
    for q in questions(definition):
        if q.type == SELECT_MULTIPLE:
            for column, code in zip(columns(q), codes(q), strict=True):
                chosen = (frame[column] == 1).fillna(False).to_numpy()
                ids = frame["response_id"][chosen]
                parts.append(pd.DataFrame({"response_id": ids, "question": q.name, "value": code}))
        else:
            answered = frame[q.name].dropna()
            values = answered.dt.strftime("%Y-%m-%d") if q.type == "date" else answered.astype(str)
            ids = frame.loc[answered.index, "response_id"]
            parts.append(pd.DataFrame({"response_id": ids, "question": q.name, "value": values}))
    return pd.concat(parts, ignore_index=True).astype(object)


def test_frame_from_long_round_trips_synthetic(synthetic, definition) -> None:
    from analysis.frame import frame_from_long

    responses = synthetic[["response_id", "submitted_at", "survey_version", "language", "partner", "channel"]]
    rebuilt = frame_from_long(responses.astype(object), long_answers(synthetic, definition), definition)
    pd.testing.assert_frame_equal(rebuilt, synthetic)
