"""Fixtures shared by the web app's tests: staff, partner and admin accounts, the
hand-worked campaign of report_fixtures.py, and a client logged in for each role; and
what finds the pictures and recordings on a page and the `any` parts of a URL rule."""
from __future__ import annotations

import hashlib
import re
import threading

import pytest
from sqlalchemy import select

from analysis import read as analysis_read
from survey_app import audio, storage
from survey_app.extensions import db
from survey_app.models import Partner, User
from survey_app.reporting import parts, snapshots
from tests.conftest import PASSWORD, csrf_token, log_in
from tests.survey_app.report_fixtures import add_campaign

# A question's or an answer's picture is fetched when scrolled to (loading="lazy"); that of a welcome or
# thank-you text, under the title, at once.
IMAGE = re.compile(r'<img class="picture picture-(\w+)" src="([^"]+)" alt="" width="(\d+)" height="(\d+)"'
                   r'(?: loading="lazy")? decoding="async">')
LAZY = re.compile(r'<img class="picture picture-(\w+)" [^>]*loading="lazy"')
AUDIO_SOURCE = re.compile(r'<audio controls preload="none" src="([^"]+)"')
# A URL rule's `<any(a, b):name>` part: its options and its name.
ANY_CONVERTER = re.compile(r"<any\(([^)]*)\):(\w+)>")


def audio_sources(html: str) -> list[str]:
    return AUDIO_SOURCE.findall(html)


CONVERTED: dict[tuple[str, str], bytes] = {}


@pytest.fixture
def converted_once(monkeypatch):
    """Each recording converted by ffmpeg once per test process, for tests that load the same
    recordings again to test something else (test_survey_audio.py tests the conversion itself)."""
    convert = audio.convert

    def once(data: bytes, name: str) -> bytes:
        key = (name, hashlib.sha256(data).hexdigest())
        if key not in CONVERTED:
            CONVERTED[key] = convert(data, name)
        return CONVERTED[key]

    monkeypatch.setattr(audio, "convert", once)


@pytest.fixture
def users(app):
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("staff@example.org", PASSWORD, "staff")
    storage.create_user("admin@example.org", PASSWORD, "admin")
    storage.create_user("mira@example.org", PASSWORD, "partner", mira)


@pytest.fixture
def campaign(app, users):
    add_campaign()


@pytest.fixture
def staff(app, client, campaign):
    log_in(client, "staff@example.org")
    return client


@pytest.fixture
def partner_client(app, campaign):
    other = app.test_client()
    log_in(other, "mira@example.org")
    return other


@pytest.fixture
def held_first_read(app, monkeypatch):
    """The first read of the responses starts but does not finish until `release()` is called,
    and a page waits no time for it: as with a million responses just after a restart."""
    app.config["REPORTS_REFRESH_IN_BACKGROUND"] = True
    app.config["REPORTS_FIRST_READ_WAIT"] = 0
    app.extensions.pop("report_data", None)  # nothing read yet
    gate = threading.Event()
    original = analysis_read.read_responses

    def held(*args, **kwargs):
        gate.wait(60)
        return original(*args, **kwargs)

    monkeypatch.setattr(parts, "read_responses", held)

    def release() -> None:
        gate.set()
        with app.app_context():
            snapshots.finish_refreshes(timeout=60)

    try:
        yield release
    finally:
        release()


@pytest.fixture
def sessions(app):
    """A client for each role (anonymous, two partners, staff, admin), and the ids routes need."""
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    nyic = db.session.scalar(select(Partner).where(Partner.code == "nyic"))
    accounts = {"partner_a": ("a@example.org", "partner", mira), "partner_b": ("b@example.org", "partner", nyic),
                "staff": ("staff@example.org", "staff", None), "admin": ("admin@example.org", "admin", None)}
    clients = {"anonymous": app.test_client()}
    for role, (email, kind, partner) in accounts.items():
        storage.create_user(email, PASSWORD, kind, partner)
        client = app.test_client()
        page = client.get("/login")
        client.post("/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD})
        clients[role] = client
    user = db.session.scalar(select(User).where(User.email == "a@example.org"))
    return clients, {"partner": mira.id, "user": user.id}
