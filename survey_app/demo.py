"""Synthetic responses that look like a real campaign: respondents spread over the
partner states, home languages that fit each state, partners in the respondent's
state, and issues weighted by state. For demonstrations and benchmarks only."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from forms.survey import Question, Survey as SurveyDefinition
from forms.relevance import counted_answers

from . import storage
from .extensions import db
from .models import Partner, SurveyVersion
from .surveys import parsed

# Top home languages of English Learners per state (from the states data file).
STATE_LANGUAGES = {
    "CA": ["es", "vi", "zh", "ar"], "IL": ["es", "ar", "pl", "zh", "ur"], "MA": ["es", "pt", "zh", "ht", "kea"],
    "MN": ["es", "so", "hmn", "ksw", "vi"], "NY": ["es", "zh", "ar", "bn", "ht"], "TN": ["es", "ar", "so", "zh", "ckb"],
    "WA": ["es", "ru", "uk", "vi", "prs"],
}
# Response language for a home language code, where the survey offers it.
RESPONSE_LANGUAGE = {"zh": "zh-Hans"}
STATE_WEIGHTS = {"CA": 30, "IL": 12, "MA": 10, "MN": 10, "NY": 18, "TN": 8, "WA": 10, "other": 2}
COMMENTS = [
    "We need interpreters at every parent meeting.",
    "Más programas bilingües en la escuela de mi hija.",
    "Mein Sohn braucht mehr Hilfe.",
    "أريد أن أفهم تقارير المدرسة.",
    "Ardayda cusub waxay u baahan yihiin taageero.",
    "Cov xib fwb yuav tsum paub peb cov menyuam.",
]


def _choose(rng: random.Random, question: Question, state: str | None, answers: dict[str, Any]) -> Any:
    codes = [c.name for c in question.choices]
    if question.name == "state":
        return rng.choices(codes, weights=[STATE_WEIGHTS.get(c, 1) for c in codes])[0]
    if question.name == "home_languages" and state in STATE_LANGUAGES:
        first = rng.choices(STATE_LANGUAGES[state], weights=[8, 3, 2, 1, 1][: len(STATE_LANGUAGES[state])])[0]
        extra = ["en"] if "en" in codes and rng.random() < 0.4 else []
        return [first, *extra]
    if question.multiple:
        limit = 3 if question.constraint is not None else len(codes)
        k = min(rng.choice([1, 2, 3, 3, 3]), limit, len(codes))
        # Each state leans towards a few issues, so reports differ by state.
        offset = sum(map(ord, state or "")) % len(codes)
        weights = [4 if (i - offset) % len(codes) < 4 else 1 for i in range(len(codes))]
        picked: list[str] = []
        while len(picked) < k:
            code = rng.choices(codes, weights=weights)[0]
            if code not in picked:
                picked.append(code)
        return picked
    if question.is_select:
        return rng.choice(codes)
    if question.type == "integer":
        return rng.randint(0, 20)
    if question.type == "decimal":
        return round(rng.uniform(0, 100), 1)
    if question.type == "date":
        return (datetime(2026, 1, 1) + timedelta(days=rng.randint(0, 300))).date().isoformat()
    if question.type == "text" and question.name.endswith("_other"):
        return "Tigrinya" if question.name.startswith("home") else "Oregon"
    if question.type == "text":
        return rng.choice(COMMENTS) if rng.random() < 0.3 else None
    return None


def synthetic_answers(definition: SurveyDefinition, rng: random.Random) -> dict[str, Any]:
    """An answer to every question, of which only those that count are kept, as a
    response that went through the survey's skip logic would be."""
    answers: dict[str, Any] = {}
    for question in definition.questions.values():
        if question.type != "note":
            answers[question.name] = _choose(rng, question, answers.get("state"), answers)
    return counted_answers(definition, answers)


def store_demo_responses(version: SurveyVersion, count: int, seed: int, batch: int = 5000) -> int:
    definition = parsed(version)
    # Reproducible synthetic data, not secrets: a seeded generator is what is wanted.
    rng = random.Random(seed)  # nosec B311
    partners: dict[str, list[int]] = {}
    for partner in db.session.scalars(select(Partner).where(Partner.active.is_(True))):
        partners.setdefault(partner.state_code, []).append(partner.id)
    start = datetime(2026, 9, 1)
    stored = 0
    while stored < count:
        responses, answers = [], []
        for _ in range(min(batch, count - stored)):
            values = synthetic_answers(definition, rng)
            state = values.get("state")
            home = (values.get("home_languages") or ["en"])[0]
            language = RESPONSE_LANGUAGE.get(home, home)
            if language not in definition.languages or rng.random() < 0.3:
                language = definition.default_language
            in_state = partners.get(state or "", [])
            response_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            responses.append({
                "id": response_id, "survey_version_id": version.id,
                "partner_id": rng.choice(in_state) if in_state and rng.random() < 0.8 else None,
                "language": language, "channel": rng.choices(["web", "kiosk", "paper"], weights=[80, 12, 8])[0],
                "submitted_at": start + timedelta(seconds=rng.randint(0, 90 * 24 * 3600)),
            })
            for name, value in values.items():
                for item in value if isinstance(value, list) else [value]:
                    answers.append({"response_id": response_id, "question": name, "value": str(item)})
        storage.insert_responses(responses, answers)
        stored += len(responses)
    return stored
