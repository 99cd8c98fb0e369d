"""Commands that delete what is no longer kept: purge-contacts and purge (run daily from cron)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from .. import audit, storage, surveys


@click.command("purge-contacts")
@click.option("--survey", "slug", help="Delete every contact detail given for this survey.")
@click.option("--expired", is_flag=True, help="Delete only details past their retention date (any survey).")
@with_appcontext
def purge_contacts(slug: str | None, expired: bool) -> None:
    """Delete opted-in contact details."""
    if not slug and not expired:
        raise click.ClickException("Say which: --survey SLUG, or --expired.")
    survey = surveys.find_survey(slug) if slug else None
    if slug and survey is None:
        raise click.ClickException(f"No survey '{slug}'.")
    removed = storage.purge_contacts(survey, expired_only=expired)
    audit.record("contacts_purged", user=None, survey=slug or "", expired_only=expired, count=removed)
    click.echo(f"Deleted {removed} contact record(s).")


@click.command("purge")
@click.option("--expired", is_flag=True, help="Delete what is past its retention period.")
@with_appcontext
def purge(expired: bool) -> None:
    """Delete what the retention periods say is no longer kept (run it daily from cron):
    drafts untouched for DRAFT_RETENTION_DAYS, contact details past CONTACT_RETENTION_DAYS."""
    if not expired:
        raise click.ClickException("Say what to delete: --expired.")
    removed = storage.purge_expired()
    audit.record("purged_expired", user=None, **removed)
    click.echo(f"Deleted {removed['drafts']} unfinished draft(s), {removed['contacts']} contact record(s) "
               f"and {removed['contact_tickets']} unused contact ticket(s).")


COMMANDS = (purge_contacts, purge)
