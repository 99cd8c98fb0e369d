"""Where a gunicorn worker's time goes while it serves the measured load: py-spy samples both
workers of the survey (SQLite) while wrk fetches the survey page and while the submitter sends
last pages, and every sample is given to the innermost part of the request it was in.

A profile in process (bench/profile_page.py) leaves out gunicorn and what a loaded machine adds;
this one is of the server as measured in the ratios. py-spy reads the workers' memory from
outside (it needs the right to trace them, which root has), and costs them nothing.
"""
from __future__ import annotations

import math
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from . import databases, flow, submissions
from .load import wrk
from .serve import BIN, HOST, Server, gunicorn
from .submitter import submit

SAMPLE_S = 6
RATE_HZ = 250
# (part, what a stack frame's "function (file" starts with or contains). For each sample the
# innermost frame that matches decides; the order here only matters for the report.
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("the session cookie: reading, checking, signing", ("SecureCookieSessionInterface.open_session",
                                                       "SecureCookieSessionInterface.save_session")),
    ("the CSRF token: signing it for the page, checking it", ("generate_csrf (", "validate_csrf (")),
    ("the rate limiter", ("(flask_limiter/", "(limits/")),
    ("finding the survey and the language", ("survey_or_404 (survey_app/public/__init__.py",)),
    ("reading the draft", ("_draft (survey_app/public/views.py",)),
    ("navigation over the skip logic", ("(forms/navigation.py",)),
    ("the page, from the worker's rendered pages", ("RenderedPages.get (",)),
    ("building the form and checking the answers", ("build_page_form (", "Form.validate (", "BaseForm.validate (")),
    ("storing the response (three statements, one commit)", ("submit_draft (",)),
    ("response headers", ("with_security_headers (", "private_pages (")),
    ("the rest around and in the view: mostly Flask's and Werkzeug's request and response handling",
     ("Flask.wsgi_app (",)),
    ("gunicorn: accepting, reading and parsing the request, writing, closing", ("SyncWorker.",)),
)
_LINE = re.compile(r":\d+\)")


def available() -> bool:
    return (BIN / "py-spy").exists()


def _record(server: Server, out: Path) -> list[subprocess.Popen]:
    workers = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True).stdout.split()
    return [subprocess.Popen([str(BIN / "py-spy"), "record", "--pid", pid, "--duration", str(SAMPLE_S),
                              "--rate", str(RATE_HZ), "--format", "raw", "--nonblocking",
                              "--output", str(out.with_suffix(f".{pid}.txt"))],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for pid in workers]


def _finish(recorders: list[subprocess.Popen], out: Path) -> Counter:
    """Samples per part, from every worker's recording."""
    for recorder in recorders:
        recorder.wait(timeout=SAMPLE_S + 60)
    parts: Counter = Counter()
    for recording in out.parent.glob(f"{out.stem}.*.txt"):
        for line in recording.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if "SyncWorker.run" not in stack:
                continue  # another thread of the worker (the in-memory rate-limit store's timer)
            parts[_part(_LINE.sub(")", stack).split(";"))] += int(count)
    return parts


def _part(frames: list[str]) -> str:
    for frame in reversed(frames):
        for label, marks in PARTS:
            if any(mark in frame for mark in marks):
                return label
    return "other"


def _shares(parts: Counter, cpu_ms: float) -> dict[str, Any]:
    total = sum(parts.values())
    if not total:
        raise RuntimeError("py-spy recorded no samples of the workers")
    rows = [{"part": label, "share": parts[label] / total, "ms": cpu_ms * parts[label] / total}
            for label, _marks in (*PARTS, ("other", ())) if parts[label]]
    return {"samples": total, "cpu_ms": cpu_ms, "rows": rows}


def measure(work: Path, log: Path) -> dict[str, Any]:
    """The page GET and the last page's POST, each profiled while under load."""
    with databases.sqlite(work) as url, gunicorn("wsgi:app", databases.env_for(url), "/healthz", log) as app:
        respondent = flow.Respondent(HOST, app.port)
        respondent.reach(flow.TYPICAL_PAGE)
        page_url = f"{app.url}{flow.page_path(flow.TYPICAL_PAGE)}"
        cookie = (f"Cookie: session={respondent.cookie}",)
        wrk(page_url, duration_s=2, headers=cookie)
        out = work / "spy-page"
        before = app.cpu_seconds()
        recorders = _record(app, out)
        loaded = wrk(page_url, duration_s=SAMPLE_S + 2, headers=cookie)
        page = _shares(_finish(recorders, out), 1000 * (app.cpu_seconds() - before) / max(loaded.requests, 1))

        for number in range(flow.TYPICAL_PAGE, len(flow.ANSWERS)):
            respondent.answer(number, flow.ANSWERS[number - 1])
        respondent.request("GET", flow.page_path(len(flow.ANSWERS)))
        respondent.close()
        cookies = submissions.copy_draft(url, respondent.cookie, math.ceil(loaded.rate * (SAMPLE_S + 4)))
        body = urlencode(flow.last_page_form(respondent.token), doseq=True)
        out = work / "spy-submission"
        before = app.cpu_seconds()
        recorders = _record(app, out)
        sent = submit(HOST, app.port, flow.page_path(len(flow.ANSWERS)), cookies, body, SAMPLE_S + 2)
        submission = _shares(_finish(recorders, out), 1000 * (app.cpu_seconds() - before) / max(sent.requests, 1))
    return {"page": page, "submission": submission, "seconds": SAMPLE_S, "rate_hz": RATE_HZ}
