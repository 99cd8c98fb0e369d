"""Commands for staff, partner and translator accounts: create-user, reset-password, disable-user."""
from __future__ import annotations

import secrets

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .. import audit, storage
from ..extensions import db
from ..models import Partner, User


def _new_password(prompt_password: bool) -> str:
    if not prompt_password:
        return secrets.token_urlsafe(15)
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 12:
        raise click.ClickException("Use a password of at least 12 characters.")
    return password


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    return user


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(User.ROLES), required=True)
@click.option("--partner", "partner_code",
              help="The partner organisation's code, for partner users (and translators a partner found).")
@click.option("--language", help="The language code a translator reviews, e.g. kea.")
@click.option("--prompt", "prompt_password", is_flag=True,
              help="Type the password instead of having one generated.")
@with_appcontext
def create_user(email: str, role: str, partner_code: str | None, language: str | None,
                prompt_password: bool) -> None:
    """Create an admin, staff, partner or translator user."""
    partner = None
    if partner_code:
        partner = db.session.scalar(select(Partner).where(Partner.code == partner_code))
        if partner is None:
            raise click.ClickException(f"No partner with code '{partner_code}'.")
    exists = click.ClickException(f"A user with email {email} already exists.")
    if db.session.scalar(select(User).where(User.email == email.strip().lower())):
        raise exists  # before asking for a password
    password = _new_password(prompt_password)
    try:
        storage.create_user(email, password, role, partner, language)
    except storage.UserExists:
        raise exists from None  # added by another process meanwhile
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {role} user {email}.")
    if not prompt_password:
        click.echo(f"Password (shown once): {password}")


@click.command("reset-password")
@click.argument("email")
@click.option("--prompt", "prompt_password", is_flag=True, help="Type the new password instead of generating one.")
@with_appcontext
def reset_password(email: str, prompt_password: bool) -> None:
    """Give a user a new password; their open sessions end."""
    user = _user(email)
    password = _new_password(prompt_password)
    storage.set_password(user, password)
    audit.record("password_reset", user=None, email=user.email, by="command line")
    click.echo(f"New password set for {user.email}; their sessions have ended.")
    if not prompt_password:
        click.echo(f"Password (shown once): {password}")


@click.command("disable-user")
@click.argument("email")
@click.option("--enable", is_flag=True, help="Enable the user again instead.")
@with_appcontext
def disable_user(email: str, enable: bool) -> None:
    """Disable (or, with --enable, re-enable) a user; a disabled user's sessions end at once."""
    user = _user(email)
    storage.set_user_active(user, enable)
    audit.record("user_enabled" if enable else "user_disabled", user=None, email=user.email, by="command line")
    click.echo(f"{user.email} is now {'enabled' if enable else 'disabled'}.")


COMMANDS = (create_user, reset_password, disable_user)
