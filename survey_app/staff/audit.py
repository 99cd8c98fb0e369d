"""The audit log, readable by staff."""
from flask import render_template, request
from sqlalchemy import select

from ..auth import roles_required
from ..extensions import db
from ..models import AuditEvent
from . import blueprint

PAGE_SIZE = 100
MAX_ID = 2**31 - 1


@blueprint.get("/audit")
@roles_required("admin", "staff")
def audit_log():
    before = request.args.get("before", type=int)
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
    # An id past what the column holds is a database error, not an empty page: the newest page instead.
    if before and 0 < before <= MAX_ID:
        query = query.where(AuditEvent.id < before)
    events = db.session.scalars(query).all()
    return render_template("staff/audit.html", events=events, page_size=PAGE_SIZE)
