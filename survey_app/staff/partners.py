"""Staff manage the partner organisations and their users."""
from __future__ import annotations

import secrets
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import lazy_pgettext as _p
from flask_babel import pgettext
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from .. import audit, state_facts, storage
from ..extensions import db
from ..models import Partner, User
from ..security.auth import roles_required
from . import blueprint

# The code goes into every link a partner shares, so it stays short and URL-safe.
CODE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def state_names() -> dict[str, str]:
    """The states partners work in, as `data/states.csv` lists them: code -> name."""
    return {code: facts.name for code, facts in state_facts.all_states().items()}


def _state_choices() -> list[SelectChoice]:
    return [SelectChoice("", _p("staff", "Choose a state")),
            *(SelectChoice(code, name) for code, name in state_names().items())]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class PartnerForm(FlaskForm):
    code = StringField(
        _p("staff", "Code"), filters=[_strip],
        description=_p("staff", "Lower-case letters, digits and hyphens, such as mira or casa-latina. It appears in "
                                "every link the partner shares: changing it stops links and flyers already shared "
                                "from crediting this partner."),
        validators=[InputRequired(_p("staff", "Enter a code.")),
                    Length(max=40, message=_p("staff", "The code must be 40 characters or fewer.")),
                    Regexp(CODE_PATTERN, message=_p("staff", "The code can only use lower-case letters, digits "
                                                             "and hyphens, such as mira or casa-latina."))])
    name = StringField(_p("staff", "Name"), filters=[_strip],
                       validators=[InputRequired(_p("staff", "Enter the organisation's name.")),
                                   Length(max=200, message=_p("staff", "The name must be 200 characters or fewer."))])
    state_code = SelectField(_p("staff", "State"), choices=_state_choices,
                             validators=[InputRequired(_p("staff", "Choose the state the partner works in."))])
    website = StringField(_p("staff", "Website (optional)"), filters=[_strip],
                          validators=[Optional(), Length(max=200, message=_p(
                              "staff", "The website must be 200 characters or fewer."))])
    focus = TextAreaField(_p("staff", "Focus (optional)"), filters=[_strip], validators=[Optional()])
    response_target = IntegerField(
        _p("staff", "Target number of responses (optional)"),
        description=_p("staff", "How many responses the partner aims to collect. The partner sees its progress "
                                "towards it, and can change it too."),
        validators=[Optional(), NumberRange(min=1, max=10_000_000, message=_p(
            "staff", "Enter the target as a whole number of at least 1, or leave it empty."))])
    active = BooleanField(_p("staff", "Active"), default=True,
                          description=_p("staff", "Links of a partner that is not active still open the survey, "
                                                  "but answers are no longer credited to it."))

    def __init__(self, *args: Any, partner: Partner | None = None, **kwargs: Any) -> None:
        super().__init__(*args, obj=partner, **kwargs)
        self.partner = partner

    def validate_code(self, field: StringField) -> None:
        taken = db.session.scalar(select(Partner.id).where(Partner.code == field.data))
        if taken is not None and (self.partner is None or taken != self.partner.id):
            raise ValidationError(pgettext("staff", "Another partner already uses this code. Choose a different one."))

    def values(self) -> dict[str, Any]:
        """The partner's fields as typed, optional ones as empty text rather than None."""
        values: dict[str, Any] = {name: getattr(self, name).data or "" for name in storage.PARTNER_FIELDS}
        values["active"] = bool(self.active.data)
        values["response_target"] = self.response_target.data
        return values


class PartnerUserForm(FlaskForm):
    email = StringField(_p("staff", "Email address"), filters=[_strip],
                        validators=[InputRequired(_p("staff", "Enter an email address.")),
                                    Length(max=254, message=_p("staff", "The email address is too long.")),
                                    Regexp(EMAIL_PATTERN, message=_p("staff", "Enter an email address in the "
                                                                              "right format, like name@example.org."))])

    def validate_email(self, field: StringField) -> None:
        if db.session.scalar(select(User.id).where(User.email == field.data.lower())) is not None:
            raise ValidationError(pgettext("staff", "A user with this email address already exists."))


def _partner_or_404(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        abort(404)
    return partner


def _partner_users(partner: Partner) -> list[User]:
    return list(db.session.scalars(select(User).where(User.partner_id == partner.id, User.role == "partner")
                                   .order_by(User.email)))


@blueprint.get("/partners")
@roles_required("admin", "staff")
def partners():
    rows = db.session.scalars(select(Partner).order_by(Partner.state_code, Partner.name)).all()
    user_counts = dict(db.session.execute(select(User.partner_id, func.count(User.id))
                                          .where(User.role == "partner").group_by(User.partner_id)).all())
    return render_template("staff/partners.html", partners=rows, user_counts=user_counts, states=state_names())


@blueprint.route("/partners/new", methods=["GET", "POST"])
@roles_required("admin", "staff")
def partner_new():
    form = PartnerForm()
    if form.validate_on_submit():
        partner = storage.create_partner(**form.values())
        audit.record("partner_created", code=partner.code, name=partner.name, state_code=partner.state_code,
                     active=partner.active)
        flash(pgettext("staff", "%(name)s was added.", name=partner.name), "success")
        return redirect(url_for("staff.partners"))
    return render_template("staff/partners_form.html", form=form, partner=None)


@blueprint.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@roles_required("admin", "staff")
def partner_edit(partner_id: int):
    partner = _partner_or_404(partner_id)
    form = PartnerForm(partner=partner)
    if form.validate_on_submit():
        changed = storage.update_partner(partner, form.values())
        if changed:
            audit.record("partner_updated", partner_id=partner.id, code=partner.code, changes=changed)
        flash(pgettext("staff", "%(name)s was saved.", name=partner.name), "success")
        return redirect(url_for("staff.partners"))
    return render_template("staff/partners_form.html", form=form, partner=partner)


@blueprint.route("/partners/<int:partner_id>/users", methods=["GET", "POST"])
@roles_required("admin", "staff")
def partner_users(partner_id: int):
    partner = _partner_or_404(partner_id)
    form = PartnerUserForm()
    if form.validate_on_submit():
        # Shown once on the next page and never stored in the clear, as `flask create-user` does.
        password = secrets.token_urlsafe(15)
        try:
            user = storage.create_user(form.email.data, password, "partner", partner)
        except storage.UserExists:
            form.email.errors.append(pgettext("staff", "A user with this email address already exists."))
            return render_template("staff/partners_users.html", partner=partner, users=_partner_users(partner),
                                   form=form)
        audit.record("user_created", email=user.email, role=user.role, partner=partner.code)
        return render_template("staff/partners_user_created.html", partner=partner, user=user, password=password)
    return render_template("staff/partners_users.html", partner=partner, users=_partner_users(partner), form=form)


@blueprint.post("/partners/<int:partner_id>/users/<int:user_id>/<any(disable, enable):action>")
@roles_required("admin", "staff")
def partner_user_active(partner_id: int, user_id: int, action: str):
    partner = _partner_or_404(partner_id)
    user = db.session.get(User, user_id)
    if user is None or user.partner_id != partner.id or user.role != "partner":
        abort(404)
    storage.set_user_active(user, action == "enable")
    audit.record("user_enabled" if action == "enable" else "user_disabled", email=user.email, partner=partner.code)
    message = (pgettext("staff", "%(email)s can log in again.", email=user.email) if action == "enable"
               else pgettext("staff", "%(email)s can no longer log in.", email=user.email))
    flash(message, "success")
    return redirect(url_for("staff.partner_users", partner_id=partner.id))
