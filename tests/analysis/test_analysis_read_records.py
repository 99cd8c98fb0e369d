"""read_responses builds its frames from plain tuples, not SQLAlchemy rows.

pandas probes every record for a `dtype` attribute, and a Row answers a missing attribute by
building an exception: a few microseconds each, minutes for the ten million answers of a
million responses.
"""

import pandas as pd
from sqlalchemy import MetaData, create_engine, insert

from analysis.read import read_responses
from tests.analysis.conftest import response_tables


def test_read_responses_hands_pandas_plain_tuples(definition, monkeypatch):
    engine = create_engine("sqlite://")
    metadata = MetaData()
    t = response_tables(metadata)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t["surveys"]), [{"id": 1, "slug": "family-voices"}])
        conn.execute(insert(t["survey_versions"]), [{"id": 10, "survey_id": 1, "version": 1, "definition": definition}])
        conn.execute(insert(t["responses"]), [{"id": "r1", "survey_version_id": 10, "language": "en",
                                               "channel": "web", "submitted_at": pd.Timestamp("2026-10-01")}])
        conn.execute(insert(t["answers"]), [{"response_id": "r1", "question": "state", "value": "MN"},
                                            {"response_id": "r1", "question": "top_issues", "value": "safety"}])
    records: list[type] = []
    original = pd.DataFrame.from_records

    def spy(data, *args, **kwargs):
        data = list(data)
        records.extend(type(record) for record in data)
        return original(data, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "from_records", spy)
    frame = read_responses(engine, "family-voices")
    assert frame.loc[0, "state"] == "MN" and frame.loc[0, "top_issues/safety"] == 1
    assert records and set(records) == {tuple}
