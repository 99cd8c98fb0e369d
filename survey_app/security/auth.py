"""Log-in for staff and partner users (respondents never log in)."""
from __future__ import annotations

import hashlib
import hmac
import time
from functools import wraps
from typing import Callable
from urllib.parse import urlsplit

from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_pgettext as _p
from flask_babel import npgettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from .. import audit, storage
from ..extensions import db, login_manager
from ..i18n import locale
from ..models import User
from . import login_throttle

blueprint = Blueprint("auth", __name__)
login_manager.login_view = "auth.login"
# Nothing is flashed: a flashed message would wait in the session and appear on whichever page
# rendered messages next, after logging in. The log-in page says it itself, from `next`.
login_manager.login_message = None
# Flask-Login's own protection keeps a hash of the address and browser in the cookie, where
# anyone holding the cookie could test guesses of the address; the session version below
# ends stolen sessions instead, on the server.
login_manager.session_protection = None


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session names the user and the user's session version: after a password
    change or a reset, older sessions name an old version and are refused."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.can_log_in or user.session_version != int(version):
        return None
    return user


class LoginForm(FlaskForm):
    email = EmailField(_p("staff", "Email address"), validators=[InputRequired(_p("staff", "Enter your email address.")),
                                                        Length(max=254)])
    password = PasswordField(_p("staff", "Password"), validators=[InputRequired(_p("staff", "Enter your password.")),
                                                         Length(max=1000)])


def _account(email: str) -> User | None:
    cleaned = email.strip().lower()
    # No address holds control characters, and PostgreSQL refuses a NUL in a query.
    if any(ord(character) < 32 for character in cleaned):
        return None
    return db.session.scalar(select(User).where(User.email == cleaned))


def check_password(email: str, password: str) -> User | None:
    user = _account(email)
    if user is None or not user.can_log_in:
        # Spend the same effort as a real check, so timing does not reveal which emails exist.
        storage.password_hasher().hash(password)
        return None
    try:
        storage.password_hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    storage.rehash_password_if_needed(user, password)
    return user


def audit_email(typed: str) -> str:
    """What the audit log, which all staff read, keeps of the email typed at a failed log-in:
    the address when it is a well-formed address of an existing account, otherwise a short
    keyed hash (the field may hold a password typed in the wrong box, or anything at all)."""
    cleaned = typed.strip().lower()[:254]
    try:
        validate_email(cleaned, check_deliverability=False)
        known = _account(cleaned) is not None
    except EmailNotValidError:
        known = False
    if known:
        return cleaned
    secret = current_app.config["SECRET_KEY"].encode()
    return "unknown, hash " + hmac.new(secret, typed.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:12]


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    # Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so "/<backslash>evil.example"
    # or "/<TAB>/evil.example" would leave the site; a line break would also split the Location header.
    if not target.isprintable() or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


def home_for(user: User) -> str:
    if user.role == "translator":
        return url_for("review.index")
    return url_for("partner.home") if user.role == "partner" else url_for("staff.home")


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        wait = login_throttle.wait_before_try(form.email.data)
        if wait:
            message = npgettext("staff", "Too many wrong passwords for this account from here. "
                                "Try again in %(num)d second.",
                                "Too many wrong passwords for this account from here. "
                                "Try again in %(num)d seconds.", wait)
            return render_template("auth/login.html", form=form, failed=False, wait_message=message), 429
        user = check_password(form.email.data, form.password.data)
        if user is not None:
            login_throttle.forget_failures(form.email.data)
            login_user(user)
            # Flask-Login writes that hash of address and browser even with its protection off.
            session.pop("_id", None)
            session["seen"] = int(time.time())
            audit.record("login", user)
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
        login_throttle.record_failure(form.email.data)
        audit.record("login_failed", email=audit_email(form.email.data))
        failed = True
    return render_template("auth/login.html", form=form, failed=failed)


@blueprint.post("/logout")
@login_required
def logout():
    # Every copy of the cookie names the old session version, so none opens anything again.
    storage.end_sessions(current_user)
    logout_user()
    return redirect(url_for("auth.login"))


@blueprint.post("/account/language")
def set_language():
    """The language of the user's own pages, from the menu on every staff and partner page.
    Before logging in it is kept in the session; after, with the user."""
    form = FlaskForm()
    code = request.form.get("language", "")
    if not form.validate_on_submit() or code not in locale.staff_codes():
        abort(400)
    session[locale.STAFF_SESSION_KEY] = code
    if current_user.is_authenticated:
        storage.set_user_language(current_user, code)
    back = _safe_next(request.form.get("next"))
    return redirect(back or (home_for(current_user) if current_user.is_authenticated else url_for("auth.login")))


def end_idle_sessions() -> None:
    """A staff or partner session ends after a period without requests, so a
    borrowed or shared computer does not stay logged in."""
    if "_user_id" not in session or not current_user.is_authenticated:
        return
    now = int(time.time())
    last_seen = session.get("seen", now)
    if now - last_seen > current_app.config["STAFF_IDLE_MINUTES"] * 60:
        logout_user()
        session.pop("seen", None)
        return
    session["seen"] = now


blueprint.before_app_request(end_idle_sessions)


def roles_required(*roles: str) -> Callable:
    """Only users with one of `roles` pass; others get 403, anonymous users the log-in page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
