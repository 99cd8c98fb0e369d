"""Guessing passwords: wrong passwords slow down the next try for that account from that
address, and only there. A stranger cannot lock a staff member out, and the counters are
shared by every worker through the limiter's storage (Redis in production)."""
from __future__ import annotations

import os
import time
import uuid

import pytest
import redis

from survey_app import create_app, storage
from survey_app.extensions import db, dispose_engines
from tests.conftest import csrf_token

PASSWORD = "a long enough password"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
STAFF = "staff@example.org"
HOME, STRANGER = "192.0.2.10", "203.0.113.66"


def attempt(client, address: str, password: str = "wrong password", email: str = STAFF) -> int:
    client.environ_base["REMOTE_ADDR"] = address
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf_token(page.text), "email": email,
                                       "password": password}).status_code


@pytest.fixture
def staff_user(app):
    storage.create_user(STAFF, PASSWORD, "staff")


def test_login_throttle_a_stranger_cannot_lock_the_account_out(app, staff_user):
    stranger = app.test_client()
    refused = [attempt(stranger, STRANGER) for _ in range(20)].count(429)
    assert refused >= 10  # the stranger is slowed down ...
    assert attempt(app.test_client(), HOME, PASSWORD) == 302  # ... the staff member is not


def test_login_throttle_delay_grows_with_each_failure(app, staff_user):
    app.config["LOGIN_FREE_FAILURES"] = 1
    guesser = app.test_client()
    assert attempt(guesser, STRANGER) == 200  # the free failure
    assert attempt(guesser, STRANGER) == 200  # one try per second now
    reply_code = attempt(guesser, STRANGER, PASSWORD)
    assert reply_code == 429  # even the right password waits its turn
    time.sleep(1.1)
    assert attempt(guesser, STRANGER) == 200  # the next window is two seconds
    time.sleep(1.1)
    guesser.environ_base["REMOTE_ADDR"] = STRANGER
    page = guesser.get("/login")
    waited = guesser.post("/login", data={"csrf_token": csrf_token(page.text), "email": STAFF,
                                          "password": PASSWORD})
    assert waited.status_code == 429
    assert "Try again in 1 second." in waited.text
    time.sleep(1.0)
    assert attempt(guesser, STRANGER, PASSWORD) == 302


def test_login_throttle_success_clears_the_count(app, staff_user):
    app.config["LOGIN_FREE_FAILURES"] = 3
    user = app.test_client()
    assert [attempt(user, HOME) for _ in range(2)] == [200, 200]
    assert attempt(user, HOME, PASSWORD) == 302
    assert [attempt(app.test_client(), HOME) for _ in range(3)] == [200, 200, 200]


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_available() and not os.environ.get("CI"), reason="no Redis on 127.0.0.1:6379")
def test_login_throttle_workers_share_counts_in_redis(database_url, monkeypatch):
    """Two apps stand for two gunicorn workers; their only common state is Redis."""
    monkeypatch.setenv("SURVEY_ENV", "testing")
    prefix = f"test-{uuid.uuid4().hex}"
    config = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "shared-secret", "RATELIMIT_KEY_PREFIX": prefix,
              "RATELIMIT_STORAGE_URI": REDIS_URL, "LOGIN_FREE_FAILURES": 4, "SESSION_COOKIE_SECURE": False}
    workers = [create_app(config), create_app(config)]
    store = redis.Redis.from_url(REDIS_URL)
    try:
        with workers[0].app_context():
            db.create_all()
            storage.create_user(STAFF, PASSWORD, "staff")
        replies = []
        for number in range(12):
            worker = workers[number % 2]
            with worker.app_context():
                replies.append(attempt(worker.test_client(), STRANGER))
        # 4 free failures, one try in the first one-second window, then every try waits:
        # counted per worker, each would have let 5 through.
        assert replies[:5] == [200] * 5 and set(replies[5:]) == {429}, replies
        with workers[1].app_context():
            assert attempt(workers[1].test_client(), HOME, PASSWORD) == 302
        keys = [key.decode() for key in store.scan_iter(f"*{prefix}*")]
        assert any("login:" in key for key in keys), keys
        assert not any(STRANGER in key or STAFF in key for key in keys), keys
        # Every key expires within a day; a one-second window's key may have expired since the scan (-2).
        remaining = [store.pttl(key) for key in keys]
        assert all(ms == -2 or 0 <= ms <= 24 * 3600 * 1000 for ms in remaining), remaining
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        with workers[0].app_context():
            db.drop_all()
        for worker in workers:
            with worker.app_context():
                dispose_engines()
