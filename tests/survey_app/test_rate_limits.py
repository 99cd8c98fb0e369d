"""Rate limits: log-in is throttled per address (wrong passwords per account and address
in tests/security/test_login_throttle.py); the public survey has a generous limit that
a kiosk never hits; Redis works as the shared store."""
from __future__ import annotations

import os
import uuid

import pytest
import redis

from survey_app import create_app, storage
from survey_app.extensions import db, dispose_engines
from tests.conftest import Respondent, csrf_token

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def try_login(client, email: str, password: str = "wrong password"):
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": password})


def test_rate_limit_login_per_address(app, client):
    app.config["RATELIMIT_LOGIN_ADDRESS"] = "3 per minute"
    replies = [try_login(client, f"person{n}@example.org").status_code for n in range(4)]
    assert replies == [200, 200, 200, 429]
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert try_login(other, "person0@example.org").status_code == 200  # another address is not blocked


def test_rate_limit_page_is_translated(app, client):
    app.config["RATELIMIT_PUBLIC"] = "1 per minute"  # counted per page of the survey
    respondent = Respondent(client)
    respondent.start("?lang=es")
    respondent.answer(role="parent", state="CA")
    blocked = respondent.answer(grade_bands=["k5"])
    assert blocked.status_code == 429
    assert '<html lang="es"' in blocked.text


def test_rate_limit_public_survey_lets_a_whole_meeting_through(app, client):
    """Forty families on one community Wi-Fi address each answer a page: nobody is turned away."""
    for _ in range(40):
        family = Respondent(app.test_client())
        assert family.start().status_code == 200
        assert family.answer(role="parent", state="MN").status_code == 200


def test_rate_limit_kiosk_counts_on_its_own(app, client):
    """A kiosk's submissions do not use up the limit of the families at the same address."""
    from sqlalchemy import select

    from survey_app.models import Partner

    app.config["RATELIMIT_PUBLIC"] = "3 per minute"
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("mira@example.org", "a long enough password", "partner", mira)
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": "mira@example.org",
                                "password": "a long enough password"})
    page = client.get("/partner/surveys/family-voices/kiosk")
    client.post("/partner/surveys/family-voices/kiosk", data={"csrf_token": csrf_token(page.text)})
    for _ in range(3):
        assert Respondent(app.test_client()).start().status_code == 200
    assert Respondent(app.test_client()).start().status_code == 429
    assert Respondent(client).start().status_code == 200


def test_rate_limit_keys_do_not_contain_the_address(app):
    from survey_app.security.rate_limits import address_key

    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        key = address_key()
    assert "203.0.113.9" not in key and len(key) == 34


@pytest.mark.skipif(not redis_available() and not os.environ.get("CI"), reason="no Redis on 127.0.0.1:6379")
def test_rate_limit_counts_in_real_redis(database_url, monkeypatch):
    monkeypatch.setenv("SURVEY_ENV", "testing")
    prefix = f"test-{uuid.uuid4().hex}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": prefix, "RATELIMIT_STORAGE_URI": REDIS_URL,
                      "RATELIMIT_KEY_PREFIX": prefix, "RATELIMIT_LOGIN_ADDRESS": "2 per minute"})
    client = app.test_client()
    store = redis.Redis.from_url(REDIS_URL)
    try:
        with app.app_context():
            db.create_all()
            replies = [try_login(client, "someone@example.org").status_code for _ in range(3)]
        assert replies == [200, 200, 429]
        keys = list(store.scan_iter(f"*{prefix}*"))
        assert keys, "the limiter stored nothing in Redis"
        ttls = {key: store.ttl(key) for key in keys}
        # counters expire with their window; wrong-password counts after a day
        assert all(0 < ttl <= 24 * 3600 for ttl in ttls.values()), ttls
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        with app.app_context():
            db.drop_all()
            dispose_engines()
