"""The audit log: log-ins, failed log-ins, exports and downloads, changes to users,
partners and surveys. It records who and what, never anything about a respondent
and never a visitor's address."""
from __future__ import annotations

from typing import Any

from flask_login import current_user

from .extensions import db
from .models import AuditEvent, User


def record(action: str, user: User | None = None, **detail: Any) -> None:
    """Add one event and commit it. `user` defaults to the logged-in user."""
    if user is None and current_user and current_user.is_authenticated:
        user = current_user
    db.session.add(AuditEvent(action=action, user_id=user.id if user else None, detail=detail))
    db.session.commit()
