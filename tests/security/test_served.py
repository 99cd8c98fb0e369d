"""Probes of the app as it is served: gunicorn with the project's gunicorn.conf.py, production
settings, on 127.0.0.1 only, stopped at the end of the module whatever happens. One server for
both tests (starting one is most of their time); neither depends on what the other sent."""
from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bench.serve import HOST, Server, gunicorn
from tests.conftest import run_flask, sqlite_folder

ONE_WORKER = ("--workers", "1", "--worker-class", "sync", "--timeout", "60")
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    tmp_path = tmp_path_factory.mktemp("served")
    with sqlite_folder(tmp_path) as database_folder:
        env = {"SURVEY_ENV": "production", "SECRET_KEY": "served-test",
               "DATABASE_URL": f"sqlite:///{database_folder / 's.db'}",
               "SESSION_COOKIE_SECURE": "false", "RATELIMIT_STORAGE_URI": "memory://",
               "RATELIMIT_PUBLIC": "100000 per minute"}
        initialised = run_flask(env, "init-db")
        assert initialised.exit_code == 0, initialised.output
        log = tmp_path / "gunicorn.log"
        with gunicorn("wsgi:app", env, "/healthz", log, ONE_WORKER) as server:
            yield server, log


def worker_rss_mb(master: int) -> float:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != master:
                continue
            status = Path(stat.parent, "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    raise AssertionError("no gunicorn worker found")


def test_served_worker_memory_stays_flat_under_the_cache_filling_sequence(served):
    server, _log = served
    browser = requests.Session()
    start = browser.get(f"{server.url}/s/family-voices", timeout=10)
    first = browser.post(f"{server.url}/s/family-voices/start", data={"csrf_token": TOKEN.search(start.text)[1]},
                         timeout=10)
    page = first.url
    for number in range(30):  # the worker's own first-use allocations, before measuring
        browser.get(f"{page}?warm={number}", timeout=10)
    before = worker_rss_mb(server.process.pid)
    token = TOKEN.search(first.text)[1]
    statuses = [browser.post(page, timeout=30, allow_redirects=False, data={
        "csrf_token": token, "action": "back", "role": "parent", "state": "other", "state_other": answer}).status_code
        for answer in ("x" * 60_000, "x" * 1_000_000)]  # the largest answer a page takes, then the issue's
    deadline = time.monotonic() + 240
    for number in range(300):
        assert browser.get(f"{page}?x={number}", timeout=30).status_code == 200
        assert time.monotonic() < deadline
    grown = worker_rss_mb(server.process.pid) - before
    assert grown < 20, f"the worker grew by {grown:.0f} MB"
    assert statuses == [302, 413]


def test_served_error_log_holds_no_client_address_or_query(served):
    server, log = served
    with socket.create_connection((HOST, server.port), timeout=5) as raw:
        raw.sendall(b"NOT A REQUEST\r\n\r\n")
        raw.recv(1024)
    with socket.create_connection((HOST, server.port), timeout=5) as raw:
        raw.sendall(b"GET /s/family-voices?ref=secret-code HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
        raw.recv(1024)
    requests.get(f"{server.url}/s/family-voices?ref=secret-code", timeout=10)
    time.sleep(0.5)
    written = log.read_text()
    assert "Invalid request" in written  # the errors are still logged, without who sent them
    assert HOST not in written.replace(f"Listening at: http://{HOST}:{server.port}", "")
    assert "secret-code" not in written
