"""A real browser against a real server, as families, partners and staff use the service.

Debian's Chromium is driven by Playwright for Python at a phone's viewport (360 x 640
CSS pixels), against gunicorn serving a database made by `flask init-db`. SQLite by
default; with `TEST_DATABASE_URL` set, a fresh PostgreSQL schema.

Every test here is skipped, with the reason, when `/usr/bin/chromium` or the
`playwright` package is missing. `make browser-deps` installs Chromium (never a
downloaded browser) and axe-core; screenshots of each step go to `tests/screenshots/`.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import url_for
from sqlalchemy import select

from tests.conftest import fresh_database_url

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
SCREENSHOTS = PROJECT / "tests" / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE_SOURCE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
SLUG = "family-voices"

# What a parent answers, by field name: the walk answers whichever of these a page asks,
# so it follows the survey's own order and skip logic in any language.
ANSWERS: dict[str, Any] = {
    "role": "parent",
    "state": "MN",
    "grade_bands": ["k5", "g6_8"],
    "child_el": "yes",
    "home_languages": ["hmn", "en"],
    "top_issues": ["language_access", "newcomers", "family_engagement"],
    "school_communication": "2",
    "interpreter_offered": "sometimes",
}


def _missing_browser() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is not installed (make browser-deps installs Debian's chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing_browser()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(skip)


# --- the server -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    """gunicorn on 127.0.0.1, its database, and an app object for reading what it stored."""

    base_url: str
    database_url: str
    env: dict[str, str]
    app: Any
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def flask(self, *args: str) -> str:
        """Runs a `flask --app wsgi` command against the server's database and returns its output."""
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    def create_user(self, email: str, role: str, partner: str | None = None, account: str | None = None) -> None:
        """A user the tests log in as `account` (by default, the role's name)."""
        output = self.flask("create-user", email, "--role", role, *(["--partner", partner] if partner else []))
        self.accounts[account or role] = (email, re.search(r"Password \(shown once\): (\S+)", output).group(1))

    def responses(self) -> dict[str, dict[str, Any]]:
        """Every stored response by id: its language, partner code and answers."""
        from survey_app.extensions import db
        from survey_app.models import Response

        with self.app.app_context():
            try:
                found = {}
                for response in db.session.scalars(select(Response)):
                    answers: dict[str, list[str]] = {}
                    for answer in response.answers:
                        answers.setdefault(answer.question, []).append(answer.value)
                    found[response.id] = {"language": response.language, "channel": response.channel,
                                          "partner": response.partner.code if response.partner else None,
                                          "answers": answers}
                return found
            finally:
                db.session.remove()

    def endpoint(self, *words: str) -> Any:
        """The first URL rule whose endpoint contains all `words`, or None."""
        for rule in self.app.url_map.iter_rules():
            if all(word in rule.endpoint for word in words):
                return rule
        return None


@pytest.fixture(scope="session")
def server_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database_url(tmp_path_factory.mktemp("browser-db"), prefix="browser") as url:
        yield url


@pytest.fixture(scope="session")
def live_server(server_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    port = _free_port()
    secret = uuid.uuid4().hex
    env = {**os.environ, "SURVEY_ENV": "testing", "SECRET_KEY": secret, "DATABASE_URL": server_database_url,
           "SESSION_COOKIE_SECURE": "0",
           # Every language is walked from one address within a minute or two.
           "RATELIMIT_PUBLIC": "100000 per minute", "RATELIMIT_LOGIN_ADDRESS": "1000 per minute"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SURVEY_ENV", "testing")
        from survey_app import create_app
        from survey_app.extensions import dispose_engines
        app = create_app({"SQLALCHEMY_DATABASE_URI": server_database_url, "SECRET_KEY": secret,
                          "SESSION_COOKIE_SECURE": False})
    server = LiveServer(f"http://127.0.0.1:{port}", server_database_url, env, app)
    server.flask("init-db")
    log_path = tmp_path_factory.mktemp("browser-server") / "gunicorn.log"
    log = log_path.open("w")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                "--threads", "8", "wsgi:app"], cwd=PROJECT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        server.flask("demo-responses", "--n", "300", "--seed", "7")
        server.create_user("admin@example.org", "admin")
        server.create_user("staff@example.org", "staff")
        server.create_user("partner@example.org", "partner", "mira")
        # Users who read their pages in Arabic: the language is theirs, so the English ones stay English.
        server.create_user("admin-ar@example.org", "admin", account="admin ar")
        server.create_user("partner-ar@example.org", "partner", "mira", account="partner ar")
        # Generous: on a busy machine the worker can take half a minute to import the app.
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(server.url("/healthz"), timeout=20) as answer:
                    if answer.status == 200:
                        break
            except OSError:  # not listening yet, or still importing
                pass
            assert process.poll() is None and time.monotonic() < deadline, \
                f"gunicorn did not start:\n{log_path.read_text()}"
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        with app.app_context():
            dispose_engines()


# --- the browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright gives every launch a new, empty user-data-dir of its own.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser: Any) -> Iterator[Any]:
    """Opens browser contexts (a phone's by default) and closes them after the test."""
    opened = []

    def open_context(**options: Any) -> Any:
        context = browser.new_context(**{**PHONE, **options})
        context.set_default_timeout(15_000)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def phone(new_context: Any) -> Any:
    return new_context().new_page()


class Screenshots:
    """Numbered full-page screenshots, one folder per test, for a person to look through. JPEG:
    as clear to read as PNG at the size taken, and about half the time to encode a long page."""

    def __init__(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.folder = folder
        self.count = 0

    def take(self, page: Any, name: str, full_page: bool = True) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.jpg"
        page.screenshot(path=str(path), full_page=full_page, type="jpeg", quality=85)
        return path


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Screenshots:
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name).strip("-")
    return Screenshots(SCREENSHOTS / name)


# --- accessibility --------------------------------------------------------------------------------


class Axe:
    """axe-core, put into each page through the DevTools protocol (an init script, or
    Playwright's `evaluate`), never a <script> tag: neither is subject to the page's
    Content-Security-Policy, so the app's CSP stays as strict in the tests as in production."""

    def __init__(self, source: str) -> None:
        self.source = source

    def install(self, context: Any) -> None:
        """Every page the context opens gets axe-core as it loads: quicker than sending it each time."""
        context.add_init_script(script=self.source)

    def serious(self, page: Any) -> list[dict[str, Any]]:
        """The serious and critical violations on the page, with the failing elements."""
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.source)
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
        }""")
        return result


@pytest.fixture(scope="session")
def axe() -> Axe:
    if not AXE_SOURCE.exists():
        pytest.skip("axe-core is not installed: run `make browser-deps` (npm ci in tests/browser)")
    return Axe(AXE_SOURCE.read_text(encoding="utf-8"))


# --- walking the survey ---------------------------------------------------------------------------


class Walk:
    """Answers the survey page by page, by field name and value, so the same walk works in every
    language and follows the survey's own order and skip logic."""

    answers = ANSWERS

    def __init__(self, server: LiveServer) -> None:
        self.server = server

    def open(self, page: Any, lang: str, query: str = "") -> None:
        page.goto(self.server.url(f"/s/{SLUG}?lang={lang}{query}"))

    def start(self, page: Any) -> None:
        with page.expect_navigation():
            page.locator("form[action$='/start'] button[type=submit]").click()

    def answer(self, page: Any, answers: dict[str, Any] | None = None) -> None:
        """Fills what this page asks, with clicks on the labels, as a finger would."""
        for name, wanted in (answers or self.answers).items():
            if page.locator(f"[name='{name}']").count() == 0:
                continue
            text_box = page.locator(f"textarea[name='{name}'], input[type=text][name='{name}']")
            if isinstance(wanted, str) and text_box.count():
                text_box.fill(wanted)
                continue
            for value in [wanted] if isinstance(wanted, str) else wanted:
                choice = page.locator(f"input[name='{name}'][value='{value}']")
                page.locator(f"label[for='{choice.get_attribute('id')}']").click()
                assert choice.is_checked()

    def answer_at_once(self, page: Any, answers: dict[str, Any] | None = None) -> None:
        """Sets the answers in one call, for walks that check pages rather than fingers."""
        page.evaluate("""answers => {
          for (const [name, wanted] of Object.entries(answers))
            for (const field of document.getElementsByName(name)) {
              if (field.type === 'radio' || field.type === 'checkbox')
                field.checked = [].concat(wanted).includes(field.value);
              else field.value = wanted;
            }
        }""", answers or self.answers)

    def next(self, page: Any) -> None:
        """Sends the page and waits for the one that answers, however slow the network."""
        with page.expect_navigation():
            page.locator("button[name=action][value=next]").click()

    def on_thanks(self, page: Any) -> bool:
        return page.url.split("?")[0].endswith(f"/s/{SLUG}/thanks")

    def complete(self, page: Any, shots: Screenshots | None = None, answers: dict[str, Any] | None = None,
                 each_page: Any = None, at_once: bool = False) -> int:
        """From the first question page to the thank-you page; returns how many pages it answered."""
        pages = 0
        while not self.on_thanks(page):
            assert pages < 10, f"the survey did not end: stuck at {page.url}"
            pages += 1
            if each_page:
                each_page(page)
            (self.answer_at_once if at_once else self.answer)(page, answers)
            if shots:
                shots.take(page, f"page-{pages}")
            self.next(page)
        return pages


@pytest.fixture
def walk(live_server: LiveServer) -> Walk:
    return Walk(live_server)


@pytest.fixture
def new_response(live_server: LiveServer) -> Any:
    """Call it after a submission: the one response stored since the test began."""
    before = set(live_server.responses())

    def added() -> dict[str, Any]:
        now = live_server.responses()
        new = [now[key] for key in set(now) - before]
        assert len(new) == 1, f"expected one new response, found {len(new)}"
        return new[0]

    return added


def log_in(page: Any, server: LiveServer, role: str) -> None:
    email, password = server.accounts[role]
    page.goto(server.url("/login"))
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()


@pytest.fixture
def logged_in(live_server: LiveServer) -> Any:
    return lambda page, role: log_in(page, live_server, role)



# Values for the parts of staff and partner URLs, as a person would reach them from the menus.
URL_VALUES = {"slug": "family-voices", "lang": "es", "language_code": "es", "partner_id": 1, "state": "MN",
              "state_code": "MN"}


def page_urls(server: LiveServer, prefix: str | tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Every GET page under `prefix` (an endpoint prefix, or several) whose URL parts are known, and the
    rules left out."""
    urls, left_out = [], []
    with server.app.test_request_context():
        for rule in server.app.url_map.iter_rules():
            if not rule.endpoint.startswith(prefix) or "GET" not in rule.methods:
                continue
            if not set(rule.arguments) <= set(URL_VALUES):
                left_out.append(rule.rule)
                continue
            urls.append(url_for(rule.endpoint, **{name: URL_VALUES[name] for name in rule.arguments}))
    return sorted(set(urls)), left_out


class NetworkLog:
    """Every request the page makes, from the browser's network events."""

    def __init__(self, page: Any) -> None:
        self.requests: list = []
        page.on("requestfinished", self.record)
        page.on("requestfailed", self.record)

    def record(self, request: Any) -> None:
        self.requests.append(request)

    def take(self) -> list[dict]:
        """The requests since the last call: url, resource type, status and uncompressed body size."""
        taken, self.requests = self.requests, []
        entries = []
        for request in taken:
            response = request.response()
            status = response.status if response else 0
            size = len(response.body()) if response and status == 200 else 0
            entries.append({"url": request.url, "type": request.resource_type, "status": status, "bytes": size,
                            "method": request.method})
        return entries


def reload_as_first_visit(page: Any, log: NetworkLog, cdp: Any) -> list[dict]:
    """Loads the page again with an empty cache, as a first visit on a phone would: the requests it made."""
    log.take()
    cdp.send("Network.clearBrowserCache")
    page.goto(page.url)
    return log.take()

# One file per test process when the suite runs in parallel (pytest-xdist names them gw0, gw1...).
FIGURES = SCREENSHOTS / f"figures{'-' + os.environ['PYTEST_XDIST_WORKER'] if 'PYTEST_XDIST_WORKER' in os.environ else ''}.json"


@pytest.fixture(scope="session")
def figures() -> Iterator[dict[str, Any]]:
    """Measurements the tests take, written next to the screenshots for a person to read."""
    found: dict[str, Any] = {}
    yield found
    if found:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        FIGURES.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
