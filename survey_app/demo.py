"""Demonstration responses: the rows of the synthetic generator (`analysis.synthetic`) for a
stored survey version and its partners, stored through `storage`, which keeps only the answers
that count under the survey's skip logic. For demonstrations and benchmarks only."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from analysis.synthetic import response_answers, synthetic_frame

from . import storage
from .extensions import db
from .models import Partner, SurveyVersion
from .surveys import parsed


Rows = list[tuple[dict[str, Any], dict[str, Any]]]


def _batches(version: SurveyVersion, count: int, seed: int, batch: int) -> Iterator[Rows]:
    """Each response's columns and the answers it gave, `batch` at a time."""
    survey = parsed(version)
    # The survey's groups are states, where partners work: a response that came through a
    # partner came through one of its state.
    group = survey.report_group or next((q.name for q in survey.questions.values()
                                         if q.type == "select_one" and q.choices), None)
    if group is None:
        raise ValueError("demo responses are drawn per group: the survey needs a select_one question")
    partners: dict[str, list[str]] = {}
    partner_ids: dict[str, int] = {}
    for partner in db.session.scalars(select(Partner).where(Partner.active.is_(True)).order_by(Partner.id)):
        partners.setdefault(partner.state_code, []).append(partner.code)
        partner_ids[partner.code] = partner.id
    frame = synthetic_frame(count, version.definition, seed=seed, by=group, partners=partners,
                            languages=survey.languages)
    answered = {q.name for q in survey.questions.values() if q.has_field}
    for start in range(0, count, batch):
        rows = frame.iloc[start:start + batch]
        sent = rows["submitted_at"].dt.tz_convert(None).dt.to_pydatetime()
        columns = [{"id": response_id, "partner_id": partner_ids.get(partner) if isinstance(partner, str) else None,
                    "language": str(language), "channel": str(channel), "submitted_at": when}
                   for response_id, partner, language, channel, when
                   in zip(rows["response_id"], rows["partner"], rows["language"], rows["channel"], sent, strict=True)]
        answers = [{name: value for name, value in given.items() if name in answered}
                   for given in response_answers(rows, version.definition)]
        yield list(zip(columns, answers, strict=True))


def store_demo_responses(version: SurveyVersion, count: int, seed: int, batch: int = 5000) -> int:
    """Store `count` synthetic responses to `version`, the same ones for the same seed; returns
    how many were stored."""
    stored = 0
    for responses in _batches(version, count, seed, batch):
        stored += storage.store_generated_responses(version, parsed(version), responses)
    return stored
