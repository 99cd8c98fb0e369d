"""Two app servers (separate gunicorn instances, as on two machines) in front of one
database and one Redis: what one server does, the other sees."""
from __future__ import annotations

import copy
import os
import subprocess
import time

import pytest
import redis
from sqlalchemy import create_engine, func, select, text

from survey_app.models import Response

from tests.conftest import fresh_database_url
from tests.reliability.conftest import ANSWERS, BIN, ROOT, Family, Server

REDIS_URL = "redis://127.0.0.1:6379/12"


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not redis_available() and not os.environ.get("CI"),
                                reason="no Redis on 127.0.0.1:6379")


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One database made by the real `init-db`, for both servers and all tests here."""
    with fresh_database_url(tmp_path_factory.mktemp("multi"), prefix="multi") as url:
        env = {**os.environ, "SURVEY_ENV": "production", "SECRET_KEY": "multi-server-test-key",
               "SESSION_COOKIE_SECURE": "0", "DATABASE_URL": url, "PYTHONPATH": str(ROOT),
               "RATELIMIT_STORAGE_URI": REDIS_URL, "SURVEY_CACHE_SECONDS": "1", "RATELIMIT_PUBLIC": "6 per minute"}
        result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "init-db"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        yield url, env


@pytest.fixture(scope="module")
def two_servers(shared):
    servers = [Server(shared[1], workers=1), Server(shared[1], workers=1)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(autouse=True)
def fresh_counters():
    redis.Redis.from_url(REDIS_URL).flushdb()
    yield
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_multi_server_rate_limits_are_counted_once_for_both(two_servers):
    first, second = two_servers
    family = Family(first.url)
    family.get("/s/family-voices")
    statuses = []
    for attempt in range(10):
        family.base = (first, second)[attempt % 2].url
        statuses.append(family.post("/s/family-voices/again", {}))
    assert statuses.count(429) == 4, statuses  # 6 per minute in all, not 6 on each server


def test_multi_server_a_submission_retried_on_the_other_is_stored_once(two_servers, shared):
    first, second = two_servers
    family = Family(first.url)
    family.answer_all_but_last()
    before = copy.deepcopy(family.jar._cookies)  # the phone's state when it sent the last page
    assert family.submit_last() == 302
    # The answer to that request was lost; the phone retries against the other server.
    family.jar._cookies = before
    family.base = second.url
    assert family.post("/s/family-voices/5", {**ANSWERS[-1], "action": "next"}) == 302
    assert family.location.endswith("/s/family-voices/thanks")
    engine = create_engine(shared[0])
    try:
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(Response.__table__)).scalar() == 1
            assert connection.execute(text("SELECT id FROM responses")).scalar() == family.id
    finally:
        engine.dispose()


# Last: it closes the survey that the other tests answer.
def test_multi_server_a_survey_closed_on_one_is_closed_on_the_other(two_servers, shared):
    first, second = two_servers
    family = Family(second.url)
    assert family.get("/s/family-voices") == 200  # the second server has the survey in its cache
    password = "a long enough password for staff"
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "create-user", "lead@example.org", "--role", "admin",
                             "--prompt"], cwd=ROOT, env=shared[1], input=f"{password}\n{password}\n",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    staff = Family(first.url)  # staff close the survey on the first server
    assert staff.get("/login") == 200
    assert staff.post("/login", {"email": "lead@example.org", "password": password}) == 302
    assert staff.get("/staff/surveys/family-voices") == 200
    assert staff.post("/staff/surveys/family-voices/close", {}) == 302
    time.sleep(1.5)  # SURVEY_CACHE_SECONDS, and a little
    for server in (first, second):
        status, html = Family(server.url).request("/s/family-voices")
        assert status == 200 and "closed" in html.lower()
        assert 'action="/s/family-voices/start"' not in html
