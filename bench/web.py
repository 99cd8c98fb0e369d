"""The served measurements: every respondent page and the submission, each against a bare Flask
app doing the same outward work (bench/mirror.py), under the same gunicorn command line.

Other programs may share the machine, and their load changes from one second to the next. So
each round runs the comparison and the target back to back (alternating which goes first), the
ratio is taken within the round, and the median round is reported. The server's CPU time per
request is recorded too, as a cross-check that hardly depends on the machine's load.

The speed-ups are measured the same way: the survey is served once more without one of them
(bench/variants.py), against the same comparison, in the same run.
"""
from __future__ import annotations

import base64
import http.client
import json
import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from survey_app.config import engine_options

from . import databases, floor, flow, mirror, submissions
from .load import CONNECTIONS, WrkResult, wrk
from .serve import HOST, WORKER_ARGS, Server, gunicorn
from .submitter import submit

ROUNDS = 3
ROUND_S = 3
WARM_UP_S = 1
PAGE_RATIO_AIM = 0.8
SUBMIT_RATIO_AIM = 0.5
SUBMITTER_COMMAND = (f"bench/submitter.py: {CONNECTIONS} connections for {ROUND_S} s, POST of the last page, "
                     "a different draft each time")
# Headers the server writes itself; the comparison app sends every other header the survey sent.
_OWN_HEADERS = {"set-cookie", "date", "server", "content-length", "connection", "transfer-encoding"}


@dataclass(frozen=True)
class Request:
    """One request a respondent makes, as measured: what, where, with which session cookie."""
    name: str
    method: str
    path: str
    cookie: str
    form: str = ""


def respondent_requests(app: Server) -> list[Request]:
    """The welcome page, pressing Start, each question page and the thank-you page, each as a
    respondent in Spanish sends it. The question pages and Start are those of a respondent who has
    answered pages 1 to 4 (so every page shows saved answers); the welcome page is that of a
    visitor who opened the link and has not started."""
    visitor = flow.Respondent(HOST, app.port)
    visitor.request("GET", f"/s/{flow.SLUG}?lang={flow.LANGUAGE}")
    visitor.close()
    respondent = flow.Respondent(HOST, app.port)
    respondent.reach(len(flow.ANSWERS))
    respondent.close()
    finished = flow.Respondent(HOST, app.port)
    finished.reach(len(flow.ANSWERS))
    finished._expect_redirect(finished.answer(len(flow.ANSWERS), flow.ANSWERS[-1]))
    finished.close()
    return [Request("welcome", "GET", f"/s/{flow.SLUG}", visitor.cookie),
            Request("start", "POST", f"/s/{flow.SLUG}/start", respondent.cookie,
                    urlencode({"csrf_token": respondent.token})),
            *[Request(f"page {number}", "GET", flow.page_path(number), respondent.cookie)
              for number in range(1, len(flow.ANSWERS) + 1)],
            Request("thanks", "GET", f"/s/{flow.SLUG}/thanks", finished.cookie)]


def capture(app: Server, request: Request) -> dict[str, Any]:
    """What the survey answers to `request`, for the comparison app to answer the same."""
    connection = http.client.HTTPConnection(HOST, app.port, timeout=30)
    headers = {"Cookie": f"session={request.cookie}"}
    if request.form:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(request.method, request.path, body=request.form or None, headers=headers)
    answer = connection.getresponse()
    body = answer.read()
    connection.close()
    if answer.status not in (200, 302):
        raise RuntimeError(f"{request.name} answered {answer.status}")
    return {"method": request.method, "path": request.path, "status": answer.status,
            "headers": [(name, value) for name, value in answer.getheaders() if name.lower() not in _OWN_HEADERS],
            "signs_cookie": answer.getheader("Set-Cookie") is not None, "writes": False,
            "body": base64.b64encode(body).decode("ascii"), "bytes": len(body)}


@contextmanager
def comparison(captured: list[dict[str, Any]], database_url: str, work: Path, log: Path,
               worker_args: tuple[str, ...] = WORKER_ARGS, app: str = "bench.mirror:app") -> Iterator[Server]:
    """bench/mirror.py serving `captured`, writing to the survey's database; or, with
    `app="bench.floor:app"`, the floor: the same plus what the survey's promises oblige."""
    engine = create_engine(database_url, **engine_options(database_url))
    with engine.begin() as connection:
        for statement in (mirror.CREATE_WRITES, *floor.CREATE_TABLES):
            connection.execute(text(statement))
    engine.dispose()
    pages = work / "mirror-pages.json"
    pages.write_text(json.dumps(captured))
    env = {**databases.env_for(database_url), "BENCH_MIRROR_PAGES": str(pages),
           "BENCH_MIRROR_DATABASE_URL": database_url}
    with gunicorn(app, env, captured[0]["path"], log, worker_args) as server:
        yield server


def _timed(server: Server, run: Callable[[], WrkResult]) -> tuple[WrkResult, float]:
    before = server.cpu_seconds()
    result = run()
    return result, server.cpu_seconds() - before


def against(reference: Server, target: Server, run: Callable[[Server, int], WrkResult],
            rounds: int | None = None) -> dict[str, Any]:
    """Rounds of (reference, target), each driven by `run`; per-round figures and their medians."""
    rows = []
    for number in range(ROUNDS if rounds is None else rounds):
        def measure(server: Server) -> tuple[WrkResult, float]:
            return _timed(server, lambda: run(server, number))

        if number % 2 == 0:
            (top, top_cpu), (own, own_cpu) = measure(reference), measure(target)
        else:
            (own, own_cpu), (top, top_cpu) = measure(target), measure(reference)
        rows.append({
            "ceiling_rate": top.rate, "ceiling_p50_ms": top.p50_ms, "ceiling_p99_ms": top.p99_ms,
            "ceiling_cpu_ms": 1000 * top_cpu / max(top.requests, 1), "ceiling_errors": top.errors,
            "rate": own.rate, "p50_ms": own.p50_ms, "p99_ms": own.p99_ms, "requests": own.requests,
            "errors": own.errors, "cpu_ms": 1000 * own_cpu / max(own.requests, 1),
            "ratio": own.rate / top.rate, "details": own.details,
        })
    median = {key: statistics.median(row[key] for row in rows)
              for key in ("ceiling_rate", "ceiling_p50_ms", "ceiling_p99_ms", "ceiling_cpu_ms", "rate", "p50_ms",
                          "p99_ms", "cpu_ms", "ratio")}
    median["cpu_ratio"] = median["ceiling_cpu_ms"] / median["cpu_ms"]
    return {"rounds": rows, "median": median, "errors": sum(row["errors"] for row in rows),
            "ceiling_errors": sum(row["ceiling_errors"] for row in rows),
            "target_command": own.command, "ceiling_command": top.command}


def page(reference: Server, app: Server, request: Request) -> dict[str, Any]:
    """`request` sent by wrk to the survey and to the comparison app."""
    def run(server: Server, _round: int, seconds: int = ROUND_S) -> WrkResult:
        return wrk(f"{server.url}{request.path}", duration_s=seconds, headers=(f"Cookie: session={request.cookie}",),
                   method=request.method, form=request.form)

    run(reference, 0, WARM_UP_S)
    run(app, 0, WARM_UP_S)
    return against(reference, app, run)


def submission(reference: Server, app: Server, database_url: str, cookies: list[str], body: str) -> dict[str, Any]:
    """POST of the last page, each request a different draft, to the survey and to the comparison
    app (which stores one row for each); then the stored responses are counted."""
    path = flow.page_path(len(flow.ANSWERS))
    before = submissions.count_responses(database_url)
    shares = len(cookies) // (2 * ROUNDS)

    def run(server: Server, number: int) -> WrkResult:
        # Each round and each server a share of the drafts of its own, so none is sent twice.
        start = (2 * number + (server is app)) * shares
        done = submit(HOST, server.port, path, cookies[start:start + shares], body, ROUND_S).summary()
        return WrkResult(requests=done["requests"], seconds=done["seconds"], rate=done["rate"],
                         p50_ms=done["p50_ms"], p99_ms=done["p99_ms"],
                         non_2xx_3xx=done["other"] if server is app else 0, details=done, command=SUBMITTER_COMMAND)

    result = against(reference, app, run)
    stored = submissions.count_responses(database_url) - before
    reports = [row["details"] for row in result["rounds"]]
    outcomes: Counter = Counter()
    for report in reports:
        outcomes.update(report["outcomes"])
    result.update(stored=stored, thanks=outcomes["thanks"], outcomes=dict(outcomes),
                  reused=sum(report["reused"] for report in reports), drafts_per_round=shares)
    result["counts_match"] = stored == outcomes["thanks"] and result["reused"] == 0
    return result


def drafts_to_submit(app: Server, database_url: str, rate_guess: float) -> tuple[list[str], str]:
    """Enough copies of a finished-but-not-sent draft for `rounds` rounds on both servers, and the POST body."""
    respondent = flow.Respondent(HOST, app.port)
    respondent.reach(len(flow.ANSWERS))
    respondent.close()
    per_round = math.ceil(rate_guess * ROUND_S * 1.5) + 100
    cookies = submissions.copy_draft(database_url, respondent.cookie, per_round * 2 * ROUNDS + 1)
    return cookies, urlencode(flow.last_page_form(respondent.token), doseq=True)


# What each speed-up changes: the requests measured without it, and how it is left out.
SPEED_UPS: dict[str, dict[str, Any]] = {
    "page cache": {"requests": ("welcome", "page 1", "page 2", "page 3", "page 4", "page 5", "thanks"),
                   "submission": False,
                   "app": "wsgi:app", "env": {"RENDERED_PAGES": "0"}},
    "drafts": {"requests": ("page 4",), "submission": False, "app": "bench.variants:app",
               "env": {"BENCH_WITHOUT": "drafts"}},
    # On a POST, PostLimiter does exactly what Limiter does: only the GET can show a difference.
    "limiter": {"requests": ("page 4",), "submission": False, "app": "bench.variants:app",
                "env": {"BENCH_WITHOUT": "limiter"}},
    "counted answers": {"requests": ("page 4",), "submission": False, "app": "bench.variants:app",
                        "env": {"BENCH_WITHOUT": "counted answers"}},
    # Only PostgreSQL has a second engine for reads (survey_app/config.py, engine_binds).
    "reads": {"requests": ("page 4", "thanks"), "submission": False, "app": "bench.variants:app",
              "env": {"BENCH_WITHOUT": "reads"}, "databases": ("postgresql",)},
}


def speed_ups_for(kind: str) -> tuple[str, ...]:
    """The speed-ups measured on a database of `kind`: each on SQLite, as a single server runs the survey,
    unless it is one only another database has."""
    return tuple(name for name, spec in SPEED_UPS.items() if kind in spec.get("databases", ("sqlite",)))


def run_database(kind: str, work: Path, log: Path, speed_ups: tuple[str, ...] = (),
                 with_app: Callable[[Server, str], Any] | None = None) -> dict[str, Any]:
    """Every respondent request and the submission on a fresh database of `kind` ("sqlite" or
    "postgresql"), each against the comparison app; then the survey without each of `speed_ups`."""
    database = databases.sqlite(work) if kind == "sqlite" else databases.postgres()
    with database as url:
        env = databases.env_for(url)
        with gunicorn("wsgi:app", env, "/healthz", log) as app:
            extra = with_app(app, url) if with_app else None
            requests = respondent_requests(app)
            captured = [capture(app, request) for request in requests]
            cookies, body = drafts_to_submit(app, url, rate_guess=2000)
            last = Request("submission", "POST", flow.page_path(len(flow.ANSWERS)), cookies.pop(), body)
            captured.append({**capture(app, last), "writes": True})
            with comparison(captured, url, work, log) as reference:
                measured = [{"name": request.name, "method": request.method, "path": request.path,
                             "bytes": shown["bytes"], "status": shown["status"], "signs_cookie": shown["signs_cookie"],
                             **page(reference, app, request)} for request, shown in zip(requests, captured)]
                posted = submission(reference, app, url, cookies, body)
                posted.update(bytes=captured[-1]["bytes"], signs_cookie=captured[-1]["signs_cookie"])
                without = [_without_speed_up(name, env, reference, requests, url, log) for name in speed_ups]
                floored = _floor(app, reference, captured, requests, url, work, log)
        return {"database": kind, "requests": measured, "submission": posted, "speed_ups": without,
                "floor": floored, "extra": extra, "commands": {"page": measured[0]["target_command"],
                                             "reference": measured[0]["ceiling_command"]}}


# The floor is the same for every question page: one stands for them.
FLOOR_REQUESTS = ("welcome", "start", f"page {flow.TYPICAL_PAGE}", "thanks")


def _floor(app: Server, reference: Server, captured: list[dict[str, Any]], requests: list[Request], url: str,
           work: Path, log: Path) -> list[dict[str, Any]]:
    """bench/floor.py against the same comparison app: the highest ratio any code keeping the
    survey's promises could reach on this stack, for the requests of FLOOR_REQUESTS and the submission."""
    with comparison(captured, url, work, log, app="bench.floor:app") as least:
        rows = [{"name": request.name, **page(reference, least, request)}
                for request in requests if request.name in FLOOR_REQUESTS]
        # Drafts of its own: the floor deletes each draft it stores, as the survey does.
        cookies, body = drafts_to_submit(app, url, rate_guess=2000)
        rows.append({"name": "submission", **submission(reference, least, url, cookies, body)})
    return rows


def _without_speed_up(name: str, env: dict[str, str], reference: Server, requests: list[Request], url: str,
                      log: Path) -> dict[str, Any]:
    spec = SPEED_UPS[name]
    with gunicorn(spec["app"], {**env, **spec["env"]}, "/healthz", log) as app:
        rows = [{"name": request.name, **page(reference, app, request)}
                for request in requests if request.name in spec["requests"]]
        if spec["submission"]:
            cookies, body = drafts_to_submit(app, url, rate_guess=2000)
            rows.append({"name": "submission", **submission(reference, app, url, cookies, body)})
    return {"name": name, "rows": rows}


def compare_workers(work: Path, log: Path, candidates: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
    """Page 4 under other gunicorn settings (SQLite, one round each), against its comparison app
    under the same settings, to justify the choice."""
    rows = []
    for label, args in candidates.items():
        if args == WORKER_ARGS:
            continue  # measured already, in full
        with databases.sqlite(work) as url, \
                gunicorn("wsgi:app", databases.env_for(url), "/healthz", log, args) as app:
            typical = next(r for r in respondent_requests(app) if r.name == f"page {flow.TYPICAL_PAGE}")
            with comparison([capture(app, typical)], url, work, log, args) as reference:
                measured = page(reference, app, typical)
            rows.append({"label": label, "args": " ".join(args), "chosen": args == WORKER_ARGS,
                         **measured["median"]})
    return rows
