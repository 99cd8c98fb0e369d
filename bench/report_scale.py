"""A state's staff report at 10,000, 100,000 and 1,000,000 responses: cold, warm and peak memory.

    .venv/bin/python -m bench.report_scale DATABASE_URL [DATABASE_URL ...] [--again]

Each database already holds the responses (`flask --app wsgi demo-responses`, and copies of them
for a million, as `bench.dataset` makes); `make bench` (`measure_all`) builds them once, on SQLite
and on PostgreSQL, and stores their report parts first. For each one, a server with one worker starts (so the warm requests meet the process that read the responses) and
a staff user opens `/staff/reports/family-voices/MN` and its chart: cold (the server has just
started; the time runs until the report itself is shown, through the pages that say it is
being prepared), and the CPU time the server spent on it, which depends far less than
the time on what else the machine runs; then warm (median of three). With `--again` the stored report parts are
deleted first, so the cold report reads every answer (the first report ever); without it, the
parts stored by an earlier server are read. `--code DIR` serves another checkout (the code
before report parts, for comparison). Results are printed as JSON lines.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, inspect, select, text

from survey_app.models import Response

from . import dataset
from .databases import env_for, flask, postgres_available
from .serve import HOST, group_peak_rss_mb, gunicorn
from .state_report import REPORT_PATH, WARM_REPEATS, _log_in, _open_with_assets, _staff_user
from .flow import SLUG, Respondent

WORKERS = ("--workers", "1", "--worker-class", "sync")


def responses(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(Response.__table__)).scalar_one())
    finally:
        engine.dispose()


def forget_parts(url: str) -> None:
    engine = create_engine(url)
    try:
        if "report_parts" in inspect(engine).get_table_names():
            with engine.begin() as connection:
                connection.execute(text("DELETE FROM report_parts"))
    finally:
        engine.dispose()


def measure(url: str, again: bool, log: Path) -> dict[str, Any]:
    if again:
        forget_parts(url)
    env = env_for(url)
    email, password = _staff_user(env)
    load_before = os.getloadavg()[0]
    with gunicorn("wsgi:app", env, "/healthz", log, WORKERS) as server:
        client = Respondent(HOST, server.port, timeout_s=3600)
        _log_in(client, email, password)
        cpu_before = server.cpu_seconds()
        cold = _open_with_assets(client, REPORT_PATH)
        cold_cpu = server.cpu_seconds() - cpu_before
        warm = [_open_with_assets(client, REPORT_PATH) for _ in range(WARM_REPEATS)]
        # A second visitor, on a connection of its own, usually meets the other worker.
        other = Respondent(HOST, server.port, timeout_s=3600)
        _log_in(other, email, password)
        second = _open_with_assets(other, REPORT_PATH)
        peak_mb = group_peak_rss_mb(server.process.pid)
        client.close()
        other.close()
    return {"database": url.split("@")[-1], "responses": responses(url), "again": again,
            "cold_s": round(cold["total_s"], 2), "cold_cpu_s": round(cold_cpu, 2), "preparing_pages": cold["preparing_pages"],
            "warm_ms": round(1000 * statistics.median(run["total_s"] for run in warm)),
            "second_visitor_s": round(second["total_s"], 2), "peak_worker_mb": round(peak_mb),
            "load_before": round(load_before, 1), "load_after": round(os.getloadavg()[0], 1),
            "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def store_parts(url: str) -> dict[str, Any]:
    """`flask --app wsgi report-parts`, as after an upgrade: how long it took."""
    started = time.perf_counter()
    flask(env_for(url), "report-parts", "--survey", SLUG, timeout=3600)
    return {"seconds": round(time.perf_counter() - started, 1)}


def measure_all(log: Path, notes: list[str]) -> dict[str, Any]:
    """The report at 10,000, 100,000 and 1,000,000 responses, on SQLite and, when it answers, on
    PostgreSQL; each database's report parts are stored first (those already stored are kept)."""
    cache = Path(__file__).resolve().parent / "results" / "cache"
    small = dataset.small_database(cache, notes)
    base, million = dataset.databases(cache, notes)
    urls = [f"sqlite:///{path}" for path in (small, base, million)]
    if postgres_available():
        urls += dataset.postgres_databases(notes)
    else:
        notes.append("PostgreSQL did not answer: the report at three sizes was measured on SQLite only.")
    runs = []
    for url in urls:
        stored = store_parts(url)
        runs.append({**measure(url, False, log), "parts_s": stored["seconds"]})
    return {"runs": runs, "command": "`.venv/bin/python -m bench.report_scale DATABASE_URL ...`"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--again", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        for url in args.urls:
            print(json.dumps(measure(url, args.again, Path(work) / "server.log")), flush=True)


if __name__ == "__main__":
    main()
