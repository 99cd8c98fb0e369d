"""A real gunicorn server on a free loopback port, against a database made with
the real `init-db`, for the tests that need processes, workers and crashes."""
from __future__ import annotations

import base64
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

import pytest

from tests.conftest import run_flask

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
ANSWERS = [
    {"role": "parent", "state": "MN"},
    {"grade_bands": ["k5"], "child_el": "yes"},
    {"home_languages": ["so"]},
    {"top_issues": ["safety", "language_access"]},
    {"school_communication": "3", "interpreter_offered": "sometimes", "one_change": "More interpreters"},
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, env: dict[str, str], workers: int = 3) -> None:
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
             "--threads", "2", "--graceful-timeout", "2", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, as a crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Family:
    """One phone: its own cookies, answering the whole survey over HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        self.page_html = ""
        self.location = ""
        self.id: str | None = None

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as error:
            self.location = error.headers.get("Location", "")
            return error.code, error.read().decode(errors="replace")

    def get(self, path: str) -> int:
        status, self.page_html = self.request(path)
        return status

    def post(self, path: str, data: dict) -> int:
        token = CSRF.search(self.page_html).group(1)
        status, _ = self.request(path, {**data, "csrf_token": token})
        return status

    def draft_id(self) -> str | None:
        """The draft id the session names (Flask's session cookie is signed, not secret)."""
        for cookie in self.jar:
            if cookie.name == "session":
                value = cookie.value
                compressed = value.startswith(".")
                payload = value.lstrip(".").split(".")[0]
                raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
                data = json.loads(zlib.decompress(raw) if compressed else raw)
                return data.get("drafts", {}).get("family-voices")
        return None

    def answer_all_but_last(self) -> None:
        assert self.get("/s/family-voices") == 200
        assert self.post("/s/family-voices/start", {}) == 302
        self.id = self.draft_id()  # becomes the response's id when submitted
        for page, answers in enumerate(ANSWERS[:-1], start=1):
            assert self.get(f"/s/family-voices/{page}") == 200
            assert self.post(f"/s/family-voices/{page}", {**answers, "action": "next"}) == 302
        assert self.get("/s/family-voices/5") == 200

    def submit_last(self) -> int:
        status = self.post("/s/family-voices/5", {**ANSWERS[-1], "action": "next"})
        if status == 302 and not self.location.endswith("/thanks"):
            return -status  # redirected somewhere else: not a success
        return status


def init_db(env: dict[str, str]) -> None:
    result = run_flask(env, "init-db")
    assert result.exit_code == 0, result.output


@pytest.fixture
def server_env(database_url, tmp_path):
    env = {**os.environ, "SURVEY_ENV": "production", "SECRET_KEY": "reliability-test-key",
           "SESSION_COOKIE_SECURE": "0", "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    init_db(env)
    return env


@pytest.fixture
def server(server_env):
    running = Server(server_env)
    running.start()
    try:
        yield running
    finally:
        running.stop()
