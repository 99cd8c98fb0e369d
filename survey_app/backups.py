"""Backing up the whole database to one file, and restoring it into an empty database.

SQLite is copied with its online backup API, so a backup taken while the app is serving is
consistent. PostgreSQL is dumped with `pg_dump` in its custom format and restored with
`pg_restore`, both from the PostgreSQL client package. Contact details stay sealed in the
backup: restoring them needs the same CONTACT_KEY.
"""
from __future__ import annotations

import shutil
import sqlite3
# pg_dump and pg_restore run with fixed arguments, never through a shell.
import subprocess  # nosec B404
import tempfile
from pathlib import Path

from sqlalchemy import Engine, inspect, make_url, text



class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


def backup(engine: Engine, out: Path) -> None:
    """Write the whole database to `out`."""
    if engine.dialect.name == "sqlite":
        _sqlite_copy(engine, source=None, target=out)
    elif engine.dialect.name == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--schema={_schema(engine)}", f"--file={out}", _libpq_url(engine)])
    else:
        raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")


def restore(engine: Engine, backup_file: Path) -> None:
    """Restore `backup_file` into the database, which must hold no tables yet."""
    if not backup_file.is_file():
        raise BackupError(f"There is no backup file {backup_file}.")
    if inspect(engine).get_table_names():
        raise BackupError("The database is not empty. Restore into a new, empty database.")
    if engine.dialect.name == "sqlite":
        _sqlite_copy(engine, source=backup_file, target=None)
    elif engine.dialect.name == "postgresql":
        _pg_restore(engine, backup_file)
    else:
        raise BackupError(f"Restoring {engine.dialect.name} databases is not supported.")


def _sqlite_copy(engine: Engine, source: Path | None, target: Path | None) -> None:
    """Copy between the app's SQLite database and a file, page by page, with SQLite's backup API."""
    engine.dispose()  # no pooled connection keeps an old view of the file
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory database has nothing to back up.")
    if source is not None:
        with sqlite3.connect(source) as check:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is not a readable SQLite backup.")
    with sqlite3.connect(source or database) as origin, sqlite3.connect(target or database) as destination:
        origin.backup(destination)


def _pg_restore(engine: Engine, backup_file: Path) -> None:
    """Everything in the dump but the schema itself, which an empty database already has."""
    listing = _run(["pg_restore", "--list", str(backup_file)])
    entries = [line for line in listing.splitlines() if line.split(";")[0].strip() and " SCHEMA " not in line]
    with tempfile.NamedTemporaryFile("w", suffix=".list", encoding="utf-8") as use_list:
        use_list.write("\n".join(entries) + "\n")
        use_list.flush()
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--use-list={use_list.name}", f"--dbname={_libpq_url(engine)}", str(backup_file)])


def _schema(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT current_schema()")).scalar_one())


def _libpq_url(engine: Engine) -> str:
    """The database URL as the PostgreSQL tools read it (no `+psycopg` driver name)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed; install the PostgreSQL client (postgresql-client).")
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
    return result.stdout
