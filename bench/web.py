"""The served measurements: the survey page and the submission, each against the ceiling.

Other programs may share the machine, and their load changes from one second to the next. So
the ceiling is not measured once: each round runs the ceiling and the target back to back
(alternating which goes first), the ratio is taken within the round, and the median round is
reported. The server's CPU time per request is recorded too, as a cross-check that hardly
depends on the machine's load.
"""
from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from . import databases, flow, submissions
from .load import CONNECTIONS, WrkResult, wrk
from .serve import HOST, WORKER_ARGS, Server, gunicorn
from .submitter import submit

ROUNDS = 3
ROUND_S = 5
WARM_UP_S = 2
SUBMITTER_COMMAND = (f"bench/submitter.py: {CONNECTIONS} connections for {ROUND_S} s, POST of the last page, "
                     "a different draft each time")
SUBMITTER_CEILING_COMMAND = f"bench/submitter.py: the same requests, {CONNECTIONS} connections for {ROUND_S} s, to /"


def _timed(server: Server, run: Callable[[], WrkResult]) -> tuple[WrkResult, float]:
    before = server.cpu_seconds()
    result = run()
    return result, server.cpu_seconds() - before


def against_ceiling(ceiling: Server, target: Server, run: Callable[[int], WrkResult],
                    rounds: int | None = None,
                    run_ceiling: Callable[[int], WrkResult] | None = None) -> dict[str, Any]:
    """Rounds of (ceiling, target); returns per-round figures and their medians. The ceiling
    is driven by wrk unless `run_ceiling` drives it with the target's own load generator."""
    rows = []
    for number in range(ROUNDS if rounds is None else rounds):
        def measure_ceiling() -> tuple[WrkResult, float]:
            if run_ceiling is not None:
                return _timed(ceiling, lambda: run_ceiling(number))
            return _timed(ceiling, lambda: wrk(f"{ceiling.url}/", duration_s=ROUND_S))

        def measure_target() -> tuple[WrkResult, float]:
            return _timed(target, lambda: run(number))

        if number % 2 == 0:
            (top, top_cpu), (own, own_cpu) = measure_ceiling(), measure_target()
        else:
            (own, own_cpu), (top, top_cpu) = measure_target(), measure_ceiling()
        rows.append({
            "ceiling_rate": top.rate, "ceiling_p50_ms": top.p50_ms, "ceiling_p99_ms": top.p99_ms,
            "ceiling_cpu_ms": 1000 * top_cpu / max(top.requests, 1), "ceiling_errors": top.errors,
            "rate": own.rate, "p50_ms": own.p50_ms, "p99_ms": own.p99_ms, "requests": own.requests,
            "errors": own.errors, "cpu_ms": 1000 * own_cpu / max(own.requests, 1),
            "ratio": own.rate / top.rate, "details": own.details,
        })
    median = {key: statistics.median(row[key] for row in rows)
              for key in ("ceiling_rate", "ceiling_p99_ms", "ceiling_cpu_ms", "rate", "p50_ms", "p99_ms", "cpu_ms",
                          "ratio")}
    median["cpu_ratio"] = median["ceiling_cpu_ms"] / median["cpu_ms"]
    return {"rounds": rows, "median": median, "errors": sum(row["errors"] for row in rows),
            "ceiling_errors": sum(row["ceiling_errors"] for row in rows),
            "target_command": own.command, "ceiling_command": top.command}


def page_get(ceiling: Server, app: Server) -> dict[str, Any]:
    """GET of a typical page by a respondent with a draft, in Spanish."""
    respondent = flow.Respondent(HOST, app.port)
    shown = respondent.reach(flow.TYPICAL_PAGE)
    respondent.close()
    if f'lang="{flow.LANGUAGE}"' not in shown.body or 'name="top_issues"' not in shown.body:
        raise RuntimeError("the measured page is not the Spanish 'what matters' page")
    url = f"{app.url}{flow.page_path(flow.TYPICAL_PAGE)}"
    cookie = (f"Cookie: session={respondent.cookie}",)
    wrk(url, duration_s=WARM_UP_S, headers=cookie)
    result = against_ceiling(ceiling, app, lambda _round: wrk(url, duration_s=ROUND_S, headers=cookie))
    result["page_bytes"] = len(shown.body.encode("utf-8"))
    return result


def submission(ceiling: Server, app: Server, database_url: str) -> dict[str, Any]:
    """POST of the last page, each request a different draft; then the stored responses are counted."""
    respondent = flow.Respondent(HOST, app.port)
    respondent.reach(len(flow.ANSWERS))
    respondent.close()
    # No round can send more requests than the bare view serves in the same time.
    per_round = math.ceil(wrk(f"{ceiling.url}/", duration_s=WARM_UP_S).rate * ROUND_S * 1.5) + 100
    cookies = submissions.copy_draft(database_url, respondent.cookie, per_round * ROUNDS)
    body = urlencode(flow.last_page_form(respondent.token), doseq=True)
    path = flow.page_path(len(flow.ANSWERS))
    before = submissions.count_responses(database_url)

    def run(number: int) -> WrkResult:
        done = submit(HOST, app.port, path, cookies[number::ROUNDS], body, ROUND_S).summary()
        return WrkResult(requests=done["requests"], seconds=done["seconds"], rate=done["rate"],
                         p50_ms=done["p50_ms"], p99_ms=done["p99_ms"], non_2xx_3xx=done["other"],
                         details=done, command=SUBMITTER_COMMAND)

    def run_ceiling(number: int) -> WrkResult:
        # The same requests, to the bare view: the generator's own CPU cost is on both sides of the ratio.
        done = submit(HOST, ceiling.port, "/", cookies[number::ROUNDS], body, ROUND_S).summary()
        return WrkResult(requests=done["requests"], seconds=done["seconds"], rate=done["rate"],
                         p50_ms=done["p50_ms"], p99_ms=done["p99_ms"], non_2xx_3xx=0, details=done,
                         command=SUBMITTER_CEILING_COMMAND)

    result = against_ceiling(ceiling, app, run, run_ceiling=run_ceiling)
    result["wrk_ceiling_rate"] = wrk(f"{ceiling.url}/", duration_s=ROUND_S).rate
    stored = submissions.count_responses(database_url) - before
    reports = [row["details"] for row in result["rounds"]]
    outcomes: Counter = Counter()
    for report in reports:
        outcomes.update(report["outcomes"])
    result.update(stored=stored, thanks=outcomes["thanks"], outcomes=dict(outcomes),
                  reused=sum(report["reused"] for report in reports), drafts_per_round=per_round)
    result["counts_match"] = stored == outcomes["thanks"] and result["reused"] == 0
    return result


def run_database(kind: str, ceiling: Server, work: Path, log: Path,
                 with_app: Callable[[Server, str], Any] | None = None) -> dict[str, Any]:
    """Both measurements on a fresh database of `kind` ("sqlite" or "postgresql")."""
    database = databases.sqlite(work) if kind == "sqlite" else databases.postgres()
    with database as url, gunicorn("wsgi:app", databases.env_for(url), "/healthz", log) as app:
        extra = with_app(app, url) if with_app else None
        return {"database": kind, "page": page_get(ceiling, app),
                "submission": submission(ceiling, app, url), "extra": extra}


def compare_workers(work: Path, log: Path, candidates: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
    """The survey page under other gunicorn settings (SQLite, one round each), to justify the choice."""
    rows = []
    for label, args in candidates.items():
        if args == WORKER_ARGS:
            continue  # measured already, in full
        with databases.sqlite(work) as url, \
                gunicorn("bench.hello:app", databases.APP_ENV, "/", log, args) as ceiling, \
                gunicorn("wsgi:app", databases.env_for(url), "/healthz", log, args) as app:
            respondent = flow.Respondent(HOST, app.port)
            respondent.reach(flow.TYPICAL_PAGE)
            respondent.close()
            page_url = f"{app.url}{flow.page_path(flow.TYPICAL_PAGE)}"
            cookie = (f"Cookie: session={respondent.cookie}",)
            wrk(page_url, duration_s=WARM_UP_S, headers=cookie)
            wrk(f"{ceiling.url}/", duration_s=WARM_UP_S)
            measured = against_ceiling(ceiling, app, lambda _r: wrk(page_url, duration_s=ROUND_S, headers=cookie),
                                       rounds=1)
            rows.append({"label": label, "args": " ".join(args), "chosen": args == WORKER_ARGS,
                         **measured["median"]})
    return rows
