"""Opted-in contact details: admins only, never in exports or partner views."""
from flask import render_template
from sqlalchemy import select

from .. import audit, contacts
from ..extensions import db
from ..models import Contact, Partner, Survey
from ..security.auth import roles_required
from . import blueprint


@blueprint.get("/contacts")
@roles_required("admin")
def contact_list():
    # By the random id: an order by arrival would pair each contact with the response before it.
    rows = db.session.execute(
        select(Contact, Survey.slug, Partner.code).join(Survey, Contact.survey_id == Survey.id)
        .outerjoin(Partner, Contact.partner_id == Partner.id).order_by(Contact.id)
    ).all()
    people = [(contact, slug, partner, contacts.unseal(contact.sealed)) for contact, slug, partner in rows] \
        if contacts.enabled() else []
    audit.record("contacts_viewed", count=len(people))
    return render_template("staff/contacts.html", people=people, enabled=contacts.enabled())
