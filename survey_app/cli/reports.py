"""Commands that read the responses out: export (CSV), summary (the staff reports' top issues) and
report-parts (the responses stored as the reports read them)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import storage
from ..exports import responses, writers
from ..reporting import figures, parts, snapshots
from .surveys import survey_or_fail


@click.command("export")
@click.option("--survey", "slug", required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def export(slug: str, out: Path) -> None:
    """Write every response of a survey to a CSV file, one row per response."""
    survey_or_fail(slug)
    with out.open("w", encoding="utf-8", newline="") as handle:
        rows = writers.write_csv(handle, *responses.table(responses.rows(slug)))
    click.echo(f"Wrote {rows} responses to {out}.")


@click.command("summary")
@click.option("--survey", "slug", required=True)
@click.option("--state", "states", multiple=True, help="Only this state (repeatable; ALL for everyone).")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@with_appcontext
def summary(slug: str, states: tuple[str, ...], fmt: str) -> None:
    """Print the top issues per state as the staff reports show them, small groups suppressed."""
    survey = survey_or_fail(slug)
    current_app.config["REPORTS_REFRESH_IN_BACKGROUND"] = False  # a command waits for the figures
    try:
        text = figures.summary_text(snapshots.snapshot(survey), list(states), fmt,
                                    current_app.config["MIN_GROUP_SIZE"])
    except KeyError as error:
        raise click.ClickException(str(error.args[0])) from None
    click.echo(text, nl=False)


@click.command("report-parts")
@click.option("--survey", "slug", required=True)
@click.option("--again", is_flag=True, help="Delete the stored parts first and read every response again.")
@with_appcontext
def report_parts(slug: str, again: bool) -> None:
    """Store a survey's responses as its reports read them, once for every server (after an
    upgrade, a restore, or to have the first report after a start fast)."""
    survey = survey_or_fail(slug)
    if again:
        storage.forget_report_parts(survey.id)
    current_app.config["REPORTS_PART_RESPONSES"] = 1  # every settled response goes into a part
    snapshots.read_now(survey)
    count, stored = parts.stored(survey.id)
    click.echo(f"{stored} responses of '{slug}' are stored in {count} report parts.")


COMMANDS = (export, summary, report_parts)
