"""Failed log-ins slow down the next try, per account and address together.

After `LOGIN_FREE_FAILURES` wrong passwords for one account from one address, that
pair may try once per delay, and the delay doubles with every further failure (up to
`LOGIN_DELAY_MAX_SECONDS`). A guesser at another address gets a delay of their own, so
nobody can lock a staff member out by typing their email address wrongly on purpose.

The counters live in the rate limiter's storage (`RATELIMIT_STORAGE_URI`, Redis in
production), so every worker and server sees the same count. Their keys are a keyed
hash of the email and the address together; neither is written anywhere else.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import time

from flask import current_app, request
from limits.storage import Storage

# A forgotten password is usually fixed within a day; counters older than that are dropped.
FAILURES_EXPIRE_SECONDS = 24 * 3600


def _storage() -> Storage:
    return current_app.extensions["rate_limiter"].storage


def _pair_key(email: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    pair = f"{email.strip().lower()}\0{request.remote_addr or 'unknown'}".encode()
    digest = hmac.new(secret, b"login-pair\0" + pair, hashlib.sha256).hexdigest()[:32]
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")
    return f"{prefix}/login:{digest}" if prefix else f"login:{digest}"


def delay_after(failures: int) -> int:
    """Seconds between tries after `failures` wrong passwords: none at first, then 1, 2, 4 ..."""
    free = current_app.config["LOGIN_FREE_FAILURES"]
    if failures < free:
        return 0
    return min(2 ** (failures - free), current_app.config["LOGIN_DELAY_MAX_SECONDS"])


def wait_before_try(email: str) -> int:
    """0 when this pair may try a password now (and the try is counted as taken);
    otherwise how many seconds it must wait."""
    key = _pair_key(email)
    storage = _storage()
    delay = delay_after(storage.get(key + ":failures"))
    if delay == 0:
        return 0
    # The slot is taken atomically, so parallel requests on several workers get one try between them.
    if storage.incr(key + ":slot", delay) == 1:
        return 0
    return max(1, math.ceil(storage.get_expiry(key + ":slot") - time.time()))


def record_failure(email: str) -> None:
    _storage().incr(_pair_key(email) + ":failures", FAILURES_EXPIRE_SECONDS)


def forget_failures(email: str) -> None:
    key = _pair_key(email)
    _storage().clear(key + ":failures")
    _storage().clear(key + ":slot")
