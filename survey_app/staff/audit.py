"""The audit log, readable by staff."""
from flask import render_template, request
from sqlalchemy import select

from ..auth import roles_required
from ..extensions import db
from ..models import AuditEvent
from . import blueprint

PAGE_SIZE = 100


@blueprint.get("/audit")
@roles_required("admin", "staff")
def audit_log():
    before = request.args.get("before", type=int)
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
    if before:
        query = query.where(AuditEvent.id < before)
    events = db.session.scalars(query).all()
    return render_template("staff/audit.html", events=events, page_size=PAGE_SIZE)
