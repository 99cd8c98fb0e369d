"""Rate limits with Flask-Limiter: generous on the public survey (many families can
share one address at a community meeting; a kiosk counts on its own), tight on log-in
per address. Wrong passwords for one account are slowed down by `login_throttle`,
which keeps its counters in this limiter's storage.

Limits are counted under a keyed hash of the address, never the address itself,
and each counter expires with its window (in memory by default, Redis in production
via `RATELIMIT_STORAGE_URI`)."""
from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, Flask, current_app, request
from flask_limiter import Limiter

from .kiosk_sessions import active_kiosk


def address_key() -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    address = (request.remote_addr or "unknown").encode()
    return "a:" + hmac.new(secret, address, hashlib.sha256).hexdigest()[:32]


class PostLimiter(Limiter):
    """Every limit of this app is on POST, so other requests skip the limiter altogether.
    (A request filter says the same only after the limiter has looked up the view's limits.)"""

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if request.method == "POST":
            super()._check_request_limit(callable_name, in_middleware)


def visitor_key() -> str:
    """A kiosk counts under its own random id, so the families answering on their phones
    over the same Wi-Fi do not use up its limit, nor it theirs; anyone else by address."""
    kiosk = active_kiosk()
    return "k:" + kiosk["id"] if kiosk is not None else address_key()


def init_app(app: Flask, public: Blueprint, auth: Blueprint) -> Limiter:
    """One limiter per app: its limits and counters belong to that app alone."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter = PostLimiter(key_func=address_key, app=app)
    limiter.limit(lambda: current_app.config["RATELIMIT_PUBLIC"], methods=["POST"],
                  key_func=visitor_key)(public)
    limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_ADDRESS"], methods=["POST"],
                  key_func=address_key)(auth)
    app.extensions["rate_limiter"] = limiter
    return limiter
