"""The survey without one of its speed-ups, for measuring what each is worth (bench/web.py).

`BENCH_WITHOUT` names the speed-up left out; each is replaced by the plain way of doing the
same job, so the pages and their bytes stay the same. The rendered-page cache needs nothing here:
`RENDERED_PAGES=0` switches it off, and with it the welcome page's.
"""
from __future__ import annotations

import os

from collections.abc import Mapping
from typing import Any

from flask_limiter import Limiter

from forms import builder, navigation, relevance
from forms.survey import Survey
from survey_app import config, create_app, drafts
from survey_app.extensions import db
from survey_app.public import views
from survey_app.security import rate_limits


def _shown_through_sqlalchemy(draft_id: str) -> drafts.SavedDraft | None:
    """The draft a page shows, read with SQLAlchemy's statement (on a connection of its own)."""
    with db.engine.connect() as connection:
        row = connection.execute(drafts._TO_UPDATE, {"draft_id": draft_id}).one_or_none()
    return drafts.SavedDraft(*row) if row is not None else None


def _counted_anew(survey: Survey, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that count, worked out again even when they are already those (as a plain dict)."""
    return relevance.counted_answers(survey, dict(answers))


def _no_binds(_database_url: str, _options: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {}


def _without(name: str):
    if name == "drafts":
        drafts.shown = _shown_through_sqlalchemy
    elif name == "limiter":
        rate_limits.PostLimiter = Limiter
    elif name == "counted answers":
        for module in (navigation, builder, views):
            module.counted_answers = _counted_anew  # type: ignore[attr-defined]
    elif name == "reads":
        # The page's reads on the app's one engine: each checkout checked, in a transaction rolled back after.
        config.engine_binds = _no_binds
    return create_app()


VARIANTS = ("drafts", "limiter", "counted answers", "reads")
WITHOUT = os.environ.get("BENCH_WITHOUT", "")
if WITHOUT not in VARIANTS:
    raise RuntimeError(f"BENCH_WITHOUT must be one of {', '.join(VARIANTS)}, not {WITHOUT!r}")
app = _without(WITHOUT)
