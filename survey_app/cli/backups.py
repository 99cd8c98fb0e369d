"""Commands that back up the whole database to one file and restore it: backup and restore."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..backups import BackupError, backup, restore
from ..extensions import db


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file to write.")
@with_appcontext
def backup_command(out: Path) -> None:
    """Back up the whole database (responses, drafts, sealed contacts, users) to one file."""
    try:
        backup(db.engine, out)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {out} ({out.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(backup_file: Path) -> None:
    """Restore a backup made by `backup` into an empty database."""
    try:
        restore(db.engine, backup_file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {backup_file}.")


COMMANDS = (backup_command, restore_command)
