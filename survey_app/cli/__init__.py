"""Commands run as `flask --app wsgi <command>`: each group lives in its own module as plain click
commands, and `init_app` (called by the app factory) registers them all."""
from __future__ import annotations

from flask import Flask

from . import backups, reports, retention, surveys, translations, users

COMMANDS = (*surveys.COMMANDS, *users.COMMANDS, *retention.COMMANDS, *translations.COMMANDS,
            *reports.COMMANDS, *backups.COMMANDS)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
