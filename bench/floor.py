"""The least each measured request can cost on this stack while the survey keeps its promises:
the comparison app (bench/mirror.py), answering the same bytes after the same session cookie,
plus only the work those promises oblige, done the cheapest way this stack offers.

- A page shows the answers kept on the server, so it reads the respondent's draft: one SELECT
  by primary key, on the driver's own cursor, outside any transaction (as `survey_app.drafts`).
- A page with a form carries this respondent's CSRF token, signed for it (Flask-WTF's
  `generate_csrf`, put into the bytes the survey answered).
- The thank-you page is shown only for a response that was stored: one SELECT by primary key.
- Every POST counts against the rate limit, in the same storage as the survey (Redis in
  production), under a keyed hash of the address, and has its CSRF token checked.
- The last page's POST stores the response durably and exactly once: in one transaction it reads
  the draft, inserts the response (under the draft's id) and a row for each answer of the draft and
  of the page sent (one multi-row INSERT), deletes the draft, and commits.

Left out, so the floor is lower than any real survey could be: choosing the language, finding the
survey, the skip logic, building and checking the page's form, security headers worked out per
request, and every extension's hooks. The response rows go to tables of the floor's own, so the
survey's stored responses can still be counted exactly.

If this app, in the same run and under the same gunicorn command line, is below an aim against
the comparison app, no code serving the survey on this stack can reach that aim (docs/benchmarks.md).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from typing import Any

from flask import Response, request, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import create_engine, text
from wtforms.validators import ValidationError

from analysis.read import PLACEHOLDERS
from survey_app import config as survey_config
from survey_app.storage import answer_rows

from . import mirror

RESPONSES_TABLE = "bench_floor_responses"
ANSWERS_TABLE = "bench_floor_answers"
CREATE_TABLES = (
    f"CREATE TABLE IF NOT EXISTS {RESPONSES_TABLE} (id VARCHAR(36) PRIMARY KEY, survey_version_id INTEGER NOT NULL,"
    " partner_id INTEGER, language VARCHAR(16) NOT NULL, channel VARCHAR(16) NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {ANSWERS_TABLE} (response_id VARCHAR(36) NOT NULL, question VARCHAR(64) NOT NULL,"
    " value TEXT NOT NULL)",
)
_DRAFT = "SELECT id, survey_version_id, partner_id, channel, answers FROM drafts WHERE id = {}"
_RESPONSE = "SELECT 1 FROM responses WHERE id = {}"
_TOKEN = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')

app = mirror.app
app.config["WTF_CSRF_TIME_LIMIT"] = None  # as the survey's (survey_app/config.py)
_url = os.environ.get("BENCH_MIRROR_DATABASE_URL", "sqlite://")
_options = survey_config.engine_options(_url)
ENGINE = mirror.ENGINE if mirror.ENGINE is not None else create_engine(_url, **_options)
# Reads outside a transaction: in autocommit on PostgreSQL, as the survey's `reads` engine.
_reads = survey_config.engine_binds(_url, _options).get(survey_config.READS)
READS = create_engine(**_reads) if _reads else ENGINE
LIMITER = FixedWindowRateLimiter(storage_from_string(os.environ.get("RATELIMIT_STORAGE_URI", "memory://")))
LIMIT = parse(os.environ.get("RATELIMIT_PUBLIC", "120 per minute"))


def _split(page: dict[str, Any]) -> dict[str, Any]:
    """A captured page, its body cut where the survey's CSRF token was."""
    found = _TOKEN.search(page["body"])
    parts = tuple(page["body"].split(found.group(1))) if found else (page["body"],)
    return {**page, "parts": parts}


PAGES = {key: _split(page) for key, page in mirror.PAGES.items()}


def _read_one(statement: str, key: str) -> tuple | None:
    connection = READS.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(statement.format(PLACEHOLDERS[READS.dialect.paramstyle]), (key,))
        row: tuple | None = cursor.fetchone()
        cursor.close()
        return row
    finally:
        connection.close()


def _answers(row: tuple) -> dict[str, Any]:
    return json.loads(row[4]) if isinstance(row[4], str) else row[4]


def _check_post() -> None:
    """The rate limit and the CSRF token every POST of the survey has checked."""
    secret = app.config["SECRET_KEY"].encode()
    key = "a:" + hmac.new(secret, (request.remote_addr or "").encode(), hashlib.sha256).hexdigest()[:32]
    if not LIMITER.hit(LIMIT, "floor", key):
        raise RuntimeError("the floor's rate limit was reached")
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError as error:
        raise RuntimeError(f"the floor was sent a bad token: {error}") from None


def _store(draft_id: str) -> None:
    """The response, stored durably and exactly once, in one transaction."""
    with ENGINE.begin() as connection:
        row = connection.execute(text(_DRAFT.format(":id")), {"id": draft_id}).one()
        connection.execute(text(f"INSERT INTO {RESPONSES_TABLE} (id, survey_version_id, partner_id, language, channel)"
                                " VALUES (:id, :version, :partner, :language, :channel)"),
                           {"id": draft_id, "version": row[1], "partner": row[2], "language": "es", "channel": row[3]})
        sent = {name: request.form.getlist(name) for name in request.form if name not in ("csrf_token", "action")}
        rows = [{"response_id": draft_id, "question": name, "value": value}
                for name, value in answer_rows({**_answers(row), **sent})]
        connection.execute(text(f"INSERT INTO {ANSWERS_TABLE} (response_id, question, value)"
                                " VALUES (:response_id, :question, :value)"), rows)
        connection.execute(text("DELETE FROM drafts WHERE id = :id"), {"id": draft_id})


# The comparison app's one view, replaced by the floor's.
@app.endpoint("captured")
def floor(path: str) -> Response:
    page = PAGES.get((request.method, request.full_path.rstrip("?")))
    if page is None:
        return Response("not captured\n", 404)
    slug = request.path.split("/")[2]
    draft_id = session.get("drafts", {}).get(slug)
    if request.method == "POST":
        _check_post()
    if page["writes"]:
        _store(draft_id)
    elif draft_id:
        if _read_one(_DRAFT, draft_id) is None:
            raise RuntimeError("the floor was sent a cookie without a draft")
    elif session.get("done", {}).get(slug) and _read_one(_RESPONSE, session["done"][slug]) is None:
        raise RuntimeError("the floor was sent a cookie without a response")
    if page["signs_cookie"]:
        session.modified = True
    body = generate_csrf().encode().join(page["parts"]) if len(page["parts"]) > 1 else page["body"]
    return Response(body, page["status"], headers=page["headers"])
