"""A fresh app and database for every test.

SQLite by default, each test on its own copy of a database filled once per run; with
`TEST_DATABASE_URL` set (`.ci/run` sets it to the local PostgreSQL server) the same tests
run there, each in a freshly created and filled schema. Either is removed when the test ends.
"""
from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, make_url, text
from werkzeug.routing import Rule

from survey_app import create_app, storage
from survey_app.cli.survey_files import DEFAULT_SURVEY_FILE, read_definition
from survey_app.extensions import db, dispose_engines

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
# Units of work that start servers or wait on a network: given out first, so that no test process
# is left waiting for one of them at the end of a parallel run. Each process that runs browser
# tests starts one gunicorn and one Chromium for all of them (tests/browser/conftest.py).
SERVER_MODULES = ("tests/browser/", "tests/reliability/", "tests/security/test_served.py")


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadscope` as pytest-xdist does it (one module to one process, so that module-scoped
    servers start once), with the server-starting units first.
    pytest-xdist gives out the modules with the most tests first, which leaves the slow modules
    with few tests, the browser and server ones, for the end."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ServersFirst(LoadScopeScheduling):
        def _assign_work_unit(self, node) -> None:
            if not any(self.assigned_work.values()):
                # The first unit given out: the queue is complete here, in pytest-xdist's order.
                first = [scope for scope in self.workqueue if scope.startswith(SERVER_MODULES)]
                for scope in reversed(first):
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return ServersFirst(config, log)


# Where the SQLite test databases are kept: memory-backed storage, where it exists, as on Linux.
# Each commit to a file on a disk waits for the disk to confirm it (about 2 ms on this project's
# machines, far more when the disk is busy): that was more than half of the tests' time.
MEMORY_FOLDER = Path("/dev/shm")


@contextmanager
def sqlite_folder(folder: Path) -> Iterator[Path]:
    """A new folder in memory-backed storage when there is one with room to spare (a container's
    /dev/shm can be as small as 64 MB), otherwise `folder`."""
    if not (MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK)
            and shutil.disk_usage(MEMORY_FOLDER).free > 512 * 1024 * 1024):
        yield folder
        return
    in_memory = Path(tempfile.mkdtemp(prefix="survey-test-", dir=MEMORY_FOLDER))
    try:
        yield in_memory
    finally:
        shutil.rmtree(in_memory, ignore_errors=True)


@contextmanager
def fresh_database_url(folder: Path, prefix: str = "test") -> Iterator[str]:
    """An empty database: a SQLite file (in memory-backed storage if the machine has it, otherwise
    in `folder`), or a new PostgreSQL schema (dropped afterwards) when TEST_DATABASE_URL is set."""
    if not POSTGRES_URL:
        with sqlite_folder(folder) as kept_in:
            yield f"sqlite:///{kept_in / 'test.db'}"
        return
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        # A commit does not wait for the server's disk (synchronous_commit, for these connections only):
        # the tests stop no database server, and the wait was most of their time.
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(tmp_path: Path):
    with fresh_database_url(tmp_path) as url:
        yield url


class IsolatedClient(FlaskClient):
    """Each request gets an app context of its own, as under a real server, so nothing
    kept in `g` (the CSRF token, the logged-in user) leaks from one request to the next."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


class SharedBytecode(BytecodeCache):
    """Compiled templates shared by every test's app. Jinja keys each entry by the
    template's source checksum, so an edited template is compiled again."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_BYTECODE = SharedBytecode()


_compile_builder = Rule._compile_builder
BUILDERS: dict[tuple, object] = {}


def _shared_builder(rule: Rule, append_unknown: bool = True):
    """URL builders shared by every test's app, as compiled templates are. For each URL rule of each
    new app, Werkzeug writes a small function that builds its URLs and compiles it: nine tenths of
    `create_app`, which every test calls. The function's code depends only on what is in the key
    (the rule as parsed and its defaults); the rule itself is bound to it afterwards."""
    key = (rule.rule, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())), append_unknown)
    if key not in BUILDERS:
        BUILDERS[key] = _compile_builder(rule, append_unknown)
    return BUILDERS[key]


Rule._compile_builder = _shared_builder  # type: ignore[method-assign]


def build_app(database_url: str) -> Flask:
    """The app as the tests use it; the caller sets SURVEY_ENV=testing."""
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "SESSION_COOKIE_SECURE": False,
    })
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = TEMPLATE_BYTECODE
    return app


def fill_database(definition: dict) -> None:
    """The tables, the partner organisations and the default survey."""
    db.create_all()
    storage.upsert_partners(storage.read_partners_csv(Path("survey_app/data/partners.csv")))
    storage.load_survey(copy.deepcopy(definition))


@pytest.fixture(scope="session")
def default_definition() -> dict:
    """The default survey, parsed once."""
    return read_definition(DEFAULT_SURVEY_FILE)


@pytest.fixture(scope="session")
def filled_sqlite_file(tmp_path_factory: pytest.TempPathFactory, default_definition: dict) -> Path | None:
    """On SQLite, a database filled once, which each test copies; PostgreSQL fills each schema."""
    if POSTGRES_URL:
        return None
    path = tmp_path_factory.mktemp("filled") / "filled.db"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("SURVEY_ENV", "testing")
        app = build_app(f"sqlite:///{path}")
        with app.app_context():
            fill_database(default_definition)
            db.session.remove()
            dispose_engines()
    # Closing the last connection moved everything out of the write-ahead log into the file.
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch, default_definition: dict,
        filled_sqlite_file: Path | None):
    """A fresh app on a fresh database holding the partners and the default survey."""
    monkeypatch.setenv("SURVEY_ENV", "testing")
    if filled_sqlite_file:
        shutil.copyfile(filled_sqlite_file, make_url(database_url).database)
    app = build_app(database_url)
    with app.app_context():
        if not filled_sqlite_file:
            fill_database(default_definition)
        try:
            yield app
        finally:
            db.session.remove()
            dispose_engines()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def run_flask(env: dict[str, str], *args: str, input: str | None = None):
    """`flask --app wsgi ARGS` in the servers' environment, run in this process (a new Python
    importing the app takes a few seconds more); the command's result, its output included."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        app = create_app()
        try:
            return app.test_cli_runner().invoke(args=list(args), input=input)
        finally:
            with app.app_context():
                dispose_engines()


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


class Respondent:
    """Walks the public survey like a person with a browser: follows redirects,
    sends the page's CSRF token, answers one page at a time."""

    def __init__(self, client, slug: str = "family-voices") -> None:
        self.client = client
        self.slug = slug
        self.page = None

    def open(self, query: str = ""):
        self.page = self.client.get(f"/s/{self.slug}{query}")
        return self.page

    def start(self, query: str = ""):
        self.open(query)
        self.page = self.client.post(f"/s/{self.slug}/start", data={"csrf_token": csrf_token(self.page.text)},
                                     follow_redirects=True)
        return self.page

    @property
    def path(self) -> str:
        return self.page.request.path

    def answer(self, action: str = "next", **answers):
        data = {"csrf_token": csrf_token(self.page.text), "action": action, **answers}
        self.page = self.client.post(self.path, data=data, follow_redirects=True)
        return self.page


FULL_ANSWERS = [
    {"role": "parent", "state": "MN"},
    {"grade_bands": ["k5", "g6_8"], "child_el": "yes"},
    {"home_languages": ["so", "en"]},
    {"top_issues": ["language_access", "safety", "mental_health"]},
    {"school_communication": "2", "interpreter_offered": "sometimes", "one_change": "More interpreters, please."},
]


@pytest.fixture
def respondent(client):
    return Respondent(client)


# Every user the tests create has this password.
PASSWORD = "a long enough password"


def log_in(client, email: str) -> None:
    page = client.get("/login")
    reply = client.post("/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD})
    assert reply.status_code == 302


@pytest.fixture
def staff_client(app, client):
    """The client, logged in as staff@example.org, a staff member."""
    storage.create_user("staff@example.org", PASSWORD, "staff")
    log_in(client, "staff@example.org")
    return client


# The recordings of the survey with recordings (school-voices in tests/media_surveys.py), by file name,
# each a tone of its own pitch.
RECORDING_TONES = {"likes-hmn.ogg": 440, "likes-ar.wav": 330, "why-hmn.m4a": 550, "yes-hmn.mp3": 660,
                   "yes-ar.mp3": 770, "welcome-hmn.mp3": 880, "thanks-ar.ogg": 220}


def tone(name: str, frequency: int, seconds: float = 1.0) -> bytes:
    """A short sine tone in the format the name's suffix says, made by ffmpeg."""
    suffix = Path(name).suffix
    fmt = {".m4a": "ipod", ".ogg": "ogg", ".wav": "wav", ".mp3": "mp3"}[suffix]
    # An MP4 container written to a pipe needs its index first, in fragments.
    codec = {".m4a": ["-c:a", "aac", "-movflags", "frag_keyframe+empty_moov"],
             ".ogg": ["-c:a", "libopus"]}.get(suffix, [])
    return subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                           f"sine=frequency={frequency}:duration={seconds}", *codec, "-f", fmt, "-"],
                          capture_output=True, check=True).stdout


@pytest.fixture(scope="session")
def recordings() -> dict[str, bytes]:
    """The survey's recordings, made once per test process (tests change copies of the dict)."""
    return {name: tone(name, frequency) for name, frequency in RECORDING_TONES.items()}
