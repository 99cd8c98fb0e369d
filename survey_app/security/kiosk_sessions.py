"""Kiosk sessions: one device at a community meeting, where one family after another
answers the survey.

A partner user starts the kiosk from the portal. That logs the user out (the portal
must not stay open on a device the public uses) and leaves one thing in the signed
session: `session["kiosk"]`, naming the survey, the partner, the user and the user's
session version, and a random id of its own. While it is there, the public pages of
that survey store each response with channel "kiosk" and the partner, go back to the
start a few seconds after each thank-you page and after a few minutes without
activity, and drop the unfinished answers of whoever walked away.

The kiosk ends when the browser is closed: the session cookie is not kept beyond it.
It also ends, on this device and on any device its cookie was copied to, as soon as
the user could no longer log in: the user logs out anywhere, changes password, is
disabled, or the partner organisation is deactivated.

The public rate limit counts a kiosk under its own id rather than the address
(`rate_limits.visitor_key`), since a whole meeting answers from one address. The partner
portal starts a kiosk (`partner/kiosk.py`); the public pages and the rate limit read it here.
"""
from __future__ import annotations

from typing import Any

from flask import g, session, url_for

from ..extensions import db
from ..models import User

SESSION_KEY = "kiosk"
# Long enough to read a page of questions in a second language, short enough that the
# next person rarely finds someone else's answers on the screen.
IDLE_SECONDS = 180
THANKS_SECONDS = 8


def active_kiosk() -> dict[str, Any] | None:
    """The kiosk this browser serves, while the user who started it could still log in;
    a kiosk whose user can no longer is dropped from the session."""
    if "kiosk" not in g:
        g.kiosk = _checked(session.get(SESSION_KEY))
        if g.kiosk is None and SESSION_KEY in session:
            session.pop(SESSION_KEY)
    return g.kiosk


def _checked(kiosk: Any) -> dict[str, Any] | None:
    if not isinstance(kiosk, dict) or not isinstance(kiosk.get("user"), int):
        return None
    user = db.session.get(User, kiosk["user"])
    if (user is None or not user.can_log_in or user.session_version != kiosk.get("version")
            or user.partner is None or user.partner.code != kiosk.get("partner")):
        return None
    return kiosk


def kiosk_mode(slug: str) -> dict[str, Any] | None:
    """The kiosk this browser serves, when it serves survey `slug`."""
    kiosk = active_kiosk()
    return kiosk if kiosk is not None and kiosk.get("slug") == slug else None


def refresh_header(seconds: int, slug: str) -> str:
    """A `Refresh` header value: the browser goes back to the kiosk's start by itself,
    without JavaScript, exactly as `<meta http-equiv="refresh">` would."""
    return f"{seconds}; url={url_for('public.kiosk_reset', slug=slug)}"
