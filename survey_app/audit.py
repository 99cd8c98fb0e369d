"""The audit log: log-ins, failed log-ins, exports and downloads, changes to users,
partners and surveys. It records who and what, never anything about a respondent
and never a visitor's address."""
from __future__ import annotations

from typing import Any

from flask_login import current_user

from . import storage
from .models import User


def record(action: str, user: User | None = None, **detail: Any) -> None:
    """Store one event (`storage.add_audit_event`). `user` defaults to the logged-in user."""
    if user is None and current_user and current_user.is_authenticated:
        user = current_user
    storage.add_audit_event(action, user.id if user else None, detail)
