"""The optional follow-up: after answering, a person may choose to leave a way to
contact them. A separate step, after a separate question, stored apart from answers."""
from __future__ import annotations

from flask import abort, redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TelField
from wtforms.validators import Email, InputRequired, Length, Optional

from .. import contacts, storage, surveys
from . import blueprint, survey_or_404
from .views import CONTACT_TICKETS as TICKETS


class ContactForm(FlaskForm):
    agree = BooleanField(_l("Yes, I want a community group to contact me about this survey."),
                         validators=[InputRequired(_l("Tick the box if you want to be contacted."))])
    name = StringField(_l("Your first name (optional)"), validators=[Optional(), Length(max=100)])
    phone = TelField(_l("Phone number"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("Email address"), validators=[Optional(), Length(max=254),
                                                         Email(_l("Enter an email address like name@example.com."))])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not (self.phone.data or "").strip() and not (self.email.data or "").strip():
            self.phone.errors.append(_l("Give a phone number or an email address."))
            return False
        return valid


@blueprint.route("/s/<slug>/contact", methods=["GET", "POST"])
def contact(slug: str):
    survey = survey_or_404(slug)
    if not contacts.enabled() or not session.get("done", {}).get(slug):
        abort(404)
    ticket = session.get(TICKETS, {}).get(slug)
    if not ticket:
        # This response's contact was left already.
        return redirect(url_for("public.contact_saved", slug=slug))
    form = ContactForm()
    if form.validate_on_submit():
        partner = surveys.partner_by_code(session.get("refs", {}).get(slug))
        details = contacts.ContactDetails(name=(form.name.data or "").strip(), phone=(form.phone.data or "").strip(),
                                          email=(form.email.data or "").strip())
        language = session.get("lang") or survey.definition.default_language
        # A copy of an older cookie still names the ticket, but the ticket is gone: nothing is stored twice.
        storage.store_contact(survey, partner, details, language=language, ticket=ticket)
        session[TICKETS] = {key: value for key, value in session.get(TICKETS, {}).items() if key != slug}
        return redirect(url_for("public.contact_saved", slug=slug))
    return render_template("public/contact.html", survey=survey, definition=survey.definition,
                           offered=survey.offered, slug=slug, form=form)


@blueprint.get("/s/<slug>/contact/saved")
def contact_saved(slug: str):
    survey = survey_or_404(slug)
    return render_template("public/contact_saved.html", survey=survey, definition=survey.definition,
                           offered=survey.offered, slug=slug)
