"""The like-for-like comparison for each measured request: a bare Flask app that answers with the
bytes the survey answered, after checking the same signed session cookie.

Before the rounds, bench/web.py asks the survey for each page once and writes what came back
(status, headers, body, whether the session cookie was signed again) to the file named by
`BENCH_MIRROR_PAGES`. This app then answers the same method and path with those bytes, under the
same gunicorn command line: what the survey costs beyond it is the survey's own work. It reads the
session cookie with Flask's own session interface and the survey's secret key, and signs it again
where the survey did. For the last page's POST it also makes one durable INSERT and commit to the
survey's database (`BENCH_MIRROR_DATABASE_URL`), with the survey's connection settings.
"""
from __future__ import annotations

import base64
import json
import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, request, session
from sqlalchemy import create_engine, text

# The survey's connection settings: its engine options, and the SQLite pragmas it sets on every
# connection (registered when the package is imported).
from survey_app import config as survey_config

WRITES_TABLE = "bench_writes"
CREATE_WRITES = f"CREATE TABLE IF NOT EXISTS {WRITES_TABLE} (id VARCHAR(36) PRIMARY KEY, body TEXT NOT NULL)"
INSERT_WRITE = text(f"INSERT INTO {WRITES_TABLE} (id, body) VALUES (:id, :body)")


def _load(path: str) -> dict[tuple[str, str], dict[str, Any]]:
    pages = json.loads(Path(path).read_text(encoding="utf-8"))
    return {(page["method"], page["path"]): {**page, "body": base64.b64decode(page["body"])} for page in pages}


app = Flask(__name__)
# The survey's session settings in production (survey_app/config.py).
app.config.update(SECRET_KEY=os.environ.get("SECRET_KEY", "bench"), SESSION_COOKIE_HTTPONLY=True,
                  SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=True, SESSION_REFRESH_EACH_REQUEST=False,
                  PERMANENT_SESSION_LIFETIME=timedelta(hours=12))
PAGES = _load(os.environ["BENCH_MIRROR_PAGES"]) if "BENCH_MIRROR_PAGES" in os.environ else {}
_database_url = os.environ.get("BENCH_MIRROR_DATABASE_URL")
ENGINE = create_engine(_database_url, **survey_config.engine_options(_database_url)) if _database_url else None


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def captured(path: str) -> Response:
    page = PAGES.get((request.method, request.full_path.rstrip("?")))
    if page is None:
        return Response("not captured\n", 404)
    session.get("drafts")  # reads and checks the signed cookie, as every survey page does
    if page["signs_cookie"]:
        session.modified = True
    if page["writes"] and ENGINE is not None:
        with ENGINE.begin() as connection:
            connection.execute(INSERT_WRITE, {"id": str(uuid.uuid4()), "body": request.get_data(as_text=True)})
    return Response(page["body"], page["status"], headers=page["headers"])
