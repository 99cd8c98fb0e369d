"""A state's report for a database of 1,000,000 responses, cold and warm.

`measure_state_report_page` is the measurement: a staff user logs in and opens
`/staff/reports/<survey>/<state>` with its charts, first from a server that has just started
with the database file out of the page cache (cold: until the report itself is shown), then
again (warm). The server runs one worker, so the warm request reaches the process that read
the responses on the cold one.

Where the staff report routes are missing, `measure_read_and_summary` measures what the page
would do first (`analysis.read.read_responses` and the per-state summary), cold and warm, in
a fresh process: ``.venv/bin/python -m bench.state_report sqlite:///PATH``.
"""
from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from .databases import APP_ENV, env_for, flask
from .dataset import evict
from .flow import SLUG, Respondent
from .serve import HOST, ROOT, group_peak_rss_mb, gunicorn
from .weight import linked_urls

STATE = "MN"
REPORT_PATH = f"/staff/reports/{SLUG}/{STATE}"
# One worker (see above), with gunicorn's default worker timeout: no request may outlast it.
REPORT_WORKER_ARGS = ("--workers", "1", "--worker-class", "sync")
WARM_REPEATS = 3


def report_route_exists() -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", "from wsgi import app; print(sorted(r.rule for r in app.url_map.iter_rules()))"],
        cwd=ROOT, env={**os.environ, **APP_ENV, "DATABASE_URL": "sqlite://"}, capture_output=True, text=True,
        timeout=120, check=True)
    return "/staff/reports/<slug>/<state>" in probe.stdout


def _open_with_assets(client: Respondent, path: str) -> dict[str, Any]:
    """The page, then every same-origin image and stylesheet it links, one after another.
    While the responses are being read the page says so and asks to be reloaded (a 503 with a
    Refresh header); like a browser, this waits as long as it asks and loads it again."""
    started = time.perf_counter()
    preparing, longest_s = 0, 0.0
    while True:
        asked = time.perf_counter()
        page = client.request("GET", path)
        longest_s = max(longest_s, time.perf_counter() - asked)
        if page.status != 503 or not page.refresh:
            break
        preparing += 1
        time.sleep(float(page.refresh))
    page_s = time.perf_counter() - started
    if page.status != 200:
        raise RuntimeError(f"{path} answered {page.status}")
    assets = {}
    for url in dict.fromkeys(linked_urls(page.body)):
        parts = urlsplit(url)
        if url.startswith("data:") or parts.scheme or parts.netloc:
            continue
        began = time.perf_counter()
        answer = client.request("GET", urljoin(path, url))
        if answer.status != 200:
            raise RuntimeError(f"{url} answered {answer.status}")
        assets[url] = time.perf_counter() - began
    return {"page_s": page_s, "assets_s": assets, "total_s": time.perf_counter() - started,
            "charts": sum(1 for url in assets if "/chart." in url), "preparing_pages": preparing,
            "longest_request_s": max([longest_s, *assets.values()])}


def _staff_user(env: dict[str, str]) -> tuple[str, str]:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.org"
    output = flask(env, "create-user", email, "--role", "staff")
    return email, re.search(r"Password \(shown once\): (\S+)", output).group(1)


def _log_in(client: Respondent, email: str, password: str) -> None:
    client.request("GET", "/login")
    answer = client.request("POST", "/login", {"csrf_token": client.token, "email": email, "password": password})
    if answer.status != 302:
        raise RuntimeError(f"log-in answered {answer.status}")


def measure_state_report_page(database: Path, work: Path, log: Path) -> dict[str, Any]:
    """Cold and warm timings of the state report page and its charts (a copy of `database` is used,
    so the cached database stays as built)."""
    copy = work / "report.db"
    shutil.copyfile(database, copy)
    try:
        env = env_for(f"sqlite:///{copy}")
        email, password = _staff_user(env)
        evict(copy)
        with gunicorn("wsgi:app", env, "/healthz", log, REPORT_WORKER_ARGS) as server:
            client = Respondent(HOST, server.port, timeout_s=3600)
            _log_in(client, email, password)
            cold = _open_with_assets(client, REPORT_PATH)
            warm = [_open_with_assets(client, REPORT_PATH) for _ in range(WARM_REPEATS)]
            peak_mb = group_peak_rss_mb(server.process.pid)
            client.close()
            command = " ".join(server.command).replace(str(ROOT) + "/", "").replace(f":{server.port} ", ":$PORT ")
    finally:
        for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            leftover.unlink(missing_ok=True)
    warm_total = statistics.median(run["total_s"] for run in warm)
    return {"kind": "page", "path": REPORT_PATH, "cold": cold, "warm": warm, "cold_s": cold["total_s"],
            "warm_s": warm_total, "charts": cold["charts"], "peak_mb": peak_mb, "command": command,
            "longest_request_s": max(run["longest_request_s"] for run in [cold, *warm]),
            "preparing_pages": cold["preparing_pages"]}


def measure_read_and_summary(database_url: str, timeout_s: float = 3600) -> dict[str, Any]:
    """Cold and warm `read_responses` + per-state summary, in a fresh process."""
    database = Path(database_url.removeprefix("sqlite:///"))
    if database_url.startswith("sqlite:///"):
        evict(database)
    finished = subprocess.run([sys.executable, "-m", "bench.state_report", database_url], cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout_s, check=True)
    return {"kind": "read_and_summary", **json.loads(finished.stdout.splitlines()[-1])}


def _read_and_summarise(database_url: str) -> None:
    from sqlalchemy import create_engine

    from analysis.read import read_responses, survey_definitions
    from analysis.summary import top_choices

    engine = create_engine(database_url)
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        definition = survey_definitions(engine, SLUG)[0]
        frame = read_responses(engine, SLUG)
        read_s = time.perf_counter() - started
        table = top_choices(frame, definition, "top_issues", "state")
        runs.append({"read_s": read_s, "summary_s": time.perf_counter() - started - read_s,
                     "total_s": time.perf_counter() - started, "rows": len(frame),
                     "state_rows": int((table["group"] == STATE).sum())})
        del frame
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"cold": runs[0], "warm": runs[1], "cold_s": runs[0]["total_s"], "warm_s": runs[1]["total_s"],
                      "peak_mb": peak_mb}))


if __name__ == "__main__":
    _read_and_summarise(sys.argv[1])
