"""The survey without one of its speed-ups, for measuring what each is worth (bench/web.py).

`BENCH_WITHOUT` names the speed-up left out; each is replaced by the plain way of doing the
same job, so the pages and their bytes stay the same. The rendered-page cache needs nothing here:
`RENDERED_PAGES=0` switches it off, and with it the welcome page's.
"""
from __future__ import annotations

import os

from flask_limiter import Limiter

from survey_app import create_app, drafts, rate_limits
from survey_app.extensions import db


def _shown_through_sqlalchemy(draft_id: str) -> drafts.SavedDraft | None:
    """The draft a page shows, read with SQLAlchemy's statement (on a connection of its own)."""
    with db.engine.connect() as connection:
        row = connection.execute(drafts._TO_UPDATE, {"draft_id": draft_id}).one_or_none()
    return drafts.SavedDraft(*row) if row is not None else None


def _without(name: str):
    if name == "drafts":
        drafts.shown = _shown_through_sqlalchemy
    elif name == "limiter":
        rate_limits.PostLimiter = Limiter
    return create_app()


WITHOUT = os.environ.get("BENCH_WITHOUT", "")
if WITHOUT not in ("drafts", "limiter"):
    raise RuntimeError(f"BENCH_WITHOUT must be drafts or limiter, not {WITHOUT!r}")
app = _without(WITHOUT)
