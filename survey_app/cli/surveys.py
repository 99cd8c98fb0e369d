"""Commands for the database and its surveys: init-db, load-survey, publish-survey, close-survey,
download-survey and demo-responses."""
from __future__ import annotations

import csv
from pathlib import Path

import click
import yaml
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from forms.attachments import AttachmentError
from forms.survey import DefinitionError
from forms.workbook_limits import WorkbookTooLarge
from forms.xlsform import stored_to_raw, write_xlsform

from .. import audit, config, demo, storage, surveys
from ..extensions import db
from ..i18n import translation_status
from ..models import Survey, User
from .survey_files import DATA, DEFAULT_SURVEY_FILE, DEFAULT_SURVEY_XLSFORM, read_survey_file


def survey_or_fail(form_id: str) -> Survey:
    survey = surveys.find_survey(form_id)
    if survey is None or not survey.versions:
        raise click.ClickException(f"No survey '{form_id}'.")
    return survey


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database, then load the partners and the default survey."""
    upgrade(directory=str(config.PROJECT_ROOT / "migrations"))
    added = storage.upsert_partners(storage.read_partners_csv(DATA / "partners.csv"))
    with (DATA / "policy_levers.csv").open(newline="", encoding="utf-8") as levers:
        storage.load_policy_levers(csv.DictReader(levers))
    with (DATA / "issue_lines.csv").open(newline="", encoding="utf-8") as lines:
        storage.load_issue_lines(csv.DictReader(lines))
    default_file = DEFAULT_SURVEY_XLSFORM if DEFAULT_SURVEY_XLSFORM.exists() else DEFAULT_SURVEY_FILE
    version, created = storage.load_survey(read_survey_file(default_file), status="open")
    click.echo(f"Database ready: {added} partner(s) added; survey "
               f"'{version.survey.slug}' version {version.version}{' (new)' if created else ''}.")
    if db.session.scalar(select(User.id).limit(1)) is None:
        click.echo("No users yet. Create the first admin with:\n"
                   "  .venv/bin/flask --app wsgi create-user you@example.org --role admin")


@click.command("load-survey")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@with_appcontext
def load_survey(path: Path) -> None:
    """Load a survey definition (an XLSForm: .xlsx, .xls, .csv, .md, alone or in a folder or .zip
    with its recordings; or .yaml): a new survey, as a draft, or a new version."""
    notices: list[str] = []
    try:
        version, created = storage.load_survey(read_survey_file(path, notices), status="draft")
    except (WorkbookTooLarge, AttachmentError) as error:
        db.session.rollback()
        audit.record("survey_upload_refused", user=None, reason=str(error), by="command line")
        raise click.ClickException(f"{path}: {error}") from None
    except (DefinitionError, yaml.YAMLError, UnicodeDecodeError) as error:
        db.session.rollback()
        raise click.ClickException(f"{path}: {error}") from None
    for notice in notices:
        click.echo(f"Accepted but ignored: {notice}")
    state = "loaded as version" if created else "unchanged, still version"
    slug = version.survey.slug
    if created:
        audit.record("survey_uploaded", user=None, slug=slug, version=version.version, by="command line")
    click.echo(f"Survey '{slug}' {state} {version.version}.")
    click.echo("Languages:")
    statuses = translation_status.survey_language_status(
        version.definition, surveys.parsed(version).languages, current_app.extensions["catalog_status"])
    for line in translation_status.offer_lines(statuses):
        click.echo(line)
    if version.survey.status == "draft":
        click.echo(f"It is a draft: publish it with  flask --app wsgi publish-survey {slug}")


@click.command("publish-survey")
@click.argument("form_id")
@with_appcontext
def publish_survey(form_id: str) -> None:
    """Open a draft or closed survey, so its link can be answered."""
    survey = survey_or_fail(form_id)
    before = storage.set_survey_status(survey, "open")
    if before == "open":
        click.echo(f"Survey '{form_id}' is already open.")
        return
    audit.record("survey_published", user=None, slug=form_id, version=survey.versions[-1].version,
                 previous=before, by="command line")
    click.echo(f"Survey '{form_id}' is open (it was {before}); it is answered at /s/{form_id}.")


@click.command("close-survey")
@click.argument("form_id")
@with_appcontext
def close_survey(form_id: str) -> None:
    """Close an open survey: its link shows a message instead (reopen with publish-survey)."""
    survey = survey_or_fail(form_id)
    if survey.status == "draft":
        raise click.ClickException(f"Survey '{form_id}' is a draft: it was never published.")
    if storage.set_survey_status(survey, "closed") == "closed":
        click.echo(f"Survey '{form_id}' is already closed.")
        return
    audit.record("survey_closed", user=None, slug=form_id, by="command line")
    click.echo(f"Survey '{form_id}' is closed.")


@click.command("download-survey")
@click.argument("form_id")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--version", "number", type=int, help="A version number (default: the newest).")
@with_appcontext
def download_survey(form_id: str, out: Path, number: int | None) -> None:
    """Write a survey as an XLSForm workbook (.xlsx), which load-survey reads back unchanged."""
    survey = survey_or_fail(form_id)
    chosen = next((v for v in survey.versions if v.version == number), None) if number else survey.versions[-1]
    if chosen is None:
        raise click.ClickException(f"Survey '{form_id}' has no version {number}.")
    out.write_bytes(write_xlsform(stored_to_raw(chosen.definition)))
    click.echo(f"Wrote version {chosen.version} of '{form_id}' to {out}.")


@click.command("demo-responses")
@click.option("--n", "count", type=click.IntRange(1, 5_000_000), default=500, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--survey", "slug", default=None, help="Survey slug (default: the default survey).")
@with_appcontext
def demo_responses(count: int, seed: int, slug: str | None) -> None:
    """Store realistic synthetic responses, for demonstrations and benchmarks."""
    slug = slug or current_app.config["DEFAULT_SURVEY"]
    version = surveys.newest_version(slug)
    if version is None:
        raise click.ClickException(f"No survey '{slug}'. Run init-db first.")
    try:
        stored = demo.store_demo_responses(version, count, seed)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Stored {stored} synthetic responses for '{slug}'.")


COMMANDS = (init_db, load_survey, publish_survey, close_survey, download_survey, demo_responses)
