"""Commands run as `flask --app wsgi <command>`."""
from __future__ import annotations

import csv
import secrets
from pathlib import Path

import click
import yaml
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import select

from forms import translation_files
from forms.definition import DefinitionError, normalise
from forms.workbook_limits import WorkbookTooLarge, check_workbook
from forms.xlsform import read_xlsform_with_notices, stored_to_raw, write_xlsform

from . import audit, backups, config, demo, exports, storage, surveys, translation_status
from .reporting import figures, parts, snapshots
from .extensions import db
from .models import Partner, User

try:
    # libyaml's loader reads the default survey ten times faster than the pure-Python one.
    from yaml import CSafeLoader as SafeLoader
except ImportError:
    from yaml import SafeLoader  # type: ignore[assignment]

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_SURVEY_FILE = config.PROJECT_ROOT / "surveys" / "family-voices.yaml"
# The same survey as an XLSForm, generated from the YAML file; init-db loads it when it is there.
DEFAULT_SURVEY_XLSFORM = DEFAULT_SURVEY_FILE.with_suffix(".xlsx")


def read_definition(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=SafeLoader)


def read_survey_file(path: Path, notices: list[str] | None = None) -> dict:
    """A survey definition from an XLSForm (.xlsx, .xls, .csv, .md) or a YAML file; what the form
    asks for that is ignored here is added to `notices`. A workbook is checked for size first."""
    if path.suffix.lower() in (".yaml", ".yml"):
        return read_definition(path)
    if path.suffix.lower() == ".xlsx":
        check_workbook(path.read_bytes())
    reading = read_xlsform_with_notices(path)
    if notices is not None:
        notices.extend(reading.notices)
    return reading.raw


def _survey_or_fail(form_id: str):
    survey = surveys.find_survey(form_id)
    if survey is None or not survey.versions:
        raise click.ClickException(f"No survey '{form_id}'.")
    return survey


def write_definition(path: Path, raw: dict) -> None:
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(DEFINITION_HEADER + text, encoding="utf-8")


DEFINITION_HEADER = (
    "# A survey definition shaped like an XLSForm (settings / survey / choices), with\n"
    "# per-language text in `label::<code>` columns. docs/translators.md explains how to\n"
    "# translate it; docs/expressions.md explains `relevant` and `constraint`.\n"
)


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


def init_app(app: Flask) -> None:
    app.cli.add_command(backups.backup_command)
    app.cli.add_command(backups.restore_command)

    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the database, then load the partners and the default survey."""
        upgrade(directory=str(config.PROJECT_ROOT / "migrations"))
        added = storage.upsert_partners(storage.read_partners_csv(DATA / "partners.csv"))
        with (DATA / "policy_levers.csv").open(newline="", encoding="utf-8") as levers:
            storage.load_policy_levers(csv.DictReader(levers))
        default_file = DEFAULT_SURVEY_XLSFORM if DEFAULT_SURVEY_XLSFORM.exists() else DEFAULT_SURVEY_FILE
        version, created = storage.load_survey(read_survey_file(default_file), status="open")
        click.echo(f"Database ready: {added} partner(s) added; survey "
                   f"'{version.survey.slug}' version {version.version}{' (new)' if created else ''}.")
        if db.session.scalar(select(User.id).limit(1)) is None:
            click.echo("No users yet. Create the first admin with:\n"
                       "  .venv/bin/flask --app wsgi create-user you@example.org --role admin")

    @app.cli.command("load-survey")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def load_survey(path: Path) -> None:
        """Load a survey definition (an XLSForm: .xlsx, .xls, .csv, .md; or .yaml): a new survey, as a
        draft, or a new version."""
        notices: list[str] = []
        try:
            version, created = storage.load_survey(read_survey_file(path, notices), status="draft")
        except WorkbookTooLarge as error:
            db.session.rollback()
            audit.record("survey_upload_refused", user=None, reason=str(error), by="command line")
            raise click.ClickException(f"{path}: {error}") from None
        except (DefinitionError, yaml.YAMLError, UnicodeDecodeError) as error:
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

    @app.cli.command("publish-survey")
    @click.argument("form_id")
    def publish_survey(form_id: str) -> None:
        """Open a draft or closed survey, so its link can be answered."""
        survey = _survey_or_fail(form_id)
        before = storage.set_survey_status(survey, "open")
        if before == "open":
            click.echo(f"Survey '{form_id}' is already open.")
            return
        audit.record("survey_published", user=None, slug=form_id, version=survey.versions[-1].version,
                     previous=before, by="command line")
        click.echo(f"Survey '{form_id}' is open (it was {before}); it is answered at /s/{form_id}.")

    @app.cli.command("close-survey")
    @click.argument("form_id")
    def close_survey(form_id: str) -> None:
        """Close an open survey: its link shows a message instead (reopen with publish-survey)."""
        survey = _survey_or_fail(form_id)
        if survey.status == "draft":
            raise click.ClickException(f"Survey '{form_id}' is a draft: it was never published.")
        if storage.set_survey_status(survey, "closed") == "closed":
            click.echo(f"Survey '{form_id}' is already closed.")
            return
        audit.record("survey_closed", user=None, slug=form_id, by="command line")
        click.echo(f"Survey '{form_id}' is closed.")

    @app.cli.command("download-survey")
    @click.argument("form_id")
    @click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
    @click.option("--version", "number", type=int, help="A version number (default: the newest).")
    def download_survey(form_id: str, out: Path, number: int | None) -> None:
        """Write a survey as an XLSForm workbook (.xlsx), which load-survey reads back unchanged."""
        survey = _survey_or_fail(form_id)
        chosen = next((v for v in survey.versions if v.version == number), None) if number else survey.versions[-1]
        if chosen is None:
            raise click.ClickException(f"Survey '{form_id}' has no version {number}.")
        out.write_bytes(write_xlsform(stored_to_raw(chosen.definition)))
        click.echo(f"Wrote version {chosen.version} of '{form_id}' to {out}.")

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", type=click.Choice(User.ROLES), required=True)
    @click.option("--partner", "partner_code",
                  help="The partner organisation's code, for partner users (and translators a partner found).")
    @click.option("--language", help="The language code a translator reviews, e.g. kea.")
    @click.option("--prompt", "prompt_password", is_flag=True,
                  help="Type the password instead of having one generated.")
    def create_user(email: str, role: str, partner_code: str | None, language: str | None,
                    prompt_password: bool) -> None:
        """Create an admin, staff, partner or translator user."""
        partner = None
        if partner_code:
            partner = db.session.scalar(select(Partner).where(Partner.code == partner_code))
            if partner is None:
                raise click.ClickException(f"No partner with code '{partner_code}'.")
        if db.session.scalar(select(User).where(User.email == email.strip().lower())):
            raise click.ClickException(f"A user with email {email} already exists.")
        password = _new_password(prompt_password)
        try:
            storage.create_user(email, password, role, partner, language)
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Created {role} user {email}.")
        if not prompt_password:
            click.echo(f"Password (shown once): {password}")

    @app.cli.command("reset-password")
    @click.argument("email")
    @click.option("--prompt", "prompt_password", is_flag=True, help="Type the new password instead of generating one.")
    def reset_password(email: str, prompt_password: bool) -> None:
        """Give a user a new password; their open sessions end."""
        user = _user(email)
        password = _new_password(prompt_password)
        storage.set_password(user, password)
        audit.record("password_reset", user=None, email=user.email, by="command line")
        click.echo(f"New password set for {user.email}; their sessions have ended.")
        if not prompt_password:
            click.echo(f"Password (shown once): {password}")

    @app.cli.command("disable-user")
    @click.argument("email")
    @click.option("--enable", is_flag=True, help="Enable the user again instead.")
    def disable_user(email: str, enable: bool) -> None:
        """Disable (or, with --enable, re-enable) a user; a disabled user's sessions end at once."""
        user = _user(email)
        storage.set_user_active(user, enable)
        audit.record("user_enabled" if enable else "user_disabled", user=None, email=user.email, by="command line")
        click.echo(f"{user.email} is now {'enabled' if enable else 'disabled'}.")

    @app.cli.command("purge-contacts")
    @click.option("--survey", "slug", help="Delete every contact detail given for this survey.")
    @click.option("--expired", is_flag=True, help="Delete only details past their retention date (any survey).")
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

    @app.cli.command("purge")
    @click.option("--expired", is_flag=True, help="Delete what is past its retention period.")
    def purge(expired: bool) -> None:
        """Delete what the retention periods say is no longer kept (run it daily from cron):
        drafts untouched for DRAFT_RETENTION_DAYS, contact details past CONTACT_RETENTION_DAYS."""
        if not expired:
            raise click.ClickException("Say what to delete: --expired.")
        removed = storage.purge_expired()
        audit.record("purged_expired", user=None, **removed)
        click.echo(f"Deleted {removed['drafts']} unfinished draft(s), {removed['contacts']} contact record(s) "
                   f"and {removed['contact_tickets']} unused contact ticket(s).")

    @app.cli.command("demo-responses")
    @click.option("--n", "count", type=click.IntRange(1, 5_000_000), default=500, show_default=True)
    @click.option("--seed", type=int, default=1, show_default=True)
    @click.option("--survey", "slug", default=None, help="Survey slug (default: the default survey).")
    def demo_responses(count: int, seed: int, slug: str | None) -> None:
        """Store realistic synthetic responses, for demonstrations and benchmarks."""
        slug = slug or current_app.config["DEFAULT_SURVEY"]
        version = surveys.newest_version(slug)
        if version is None:
            raise click.ClickException(f"No survey '{slug}'. Run init-db first.")
        stored = demo.store_demo_responses(version, count, seed)
        click.echo(f"Stored {stored} synthetic responses for '{slug}'.")

    @app.cli.command("translations-check")
    @click.option("--definition", "files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="Check a survey file instead of the surveys in the database (repeatable).")
    def translations_check(files: tuple[Path, ...]) -> None:
        """Print how complete each language is; fail if an offered language has a gap."""
        if files:
            definitions = {}
            for path in files:
                definition = normalise(read_definition(path))
                definitions[definition["settings"]["form_id"]] = definition
        else:
            newest = {slug: surveys.newest_version(slug) for slug, status, _count in surveys.response_counts()
                      if status == "open"}
            definitions = {slug: version.definition for slug, version in newest.items() if version is not None}
        lines, ok = translation_status.report(Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"]), definitions)
        click.echo("\n".join(lines))
        if not ok:
            raise click.ClickException("Some offered languages are incomplete or have broken placeholders.")

    @app.cli.command("survey-po-export")
    @click.argument("survey_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.argument("language")
    @click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
    def survey_po_export(survey_file: Path, language: str, out: Path) -> None:
        """Write one language of a survey file to a .po file for translators."""
        out.write_bytes(translation_files.export_po(read_definition(survey_file), language))
        click.echo(f"Wrote {out}.")

    @app.cli.command("survey-po-import")
    @click.argument("survey_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.argument("language")
    @click.argument("po_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def survey_po_import(survey_file: Path, language: str, po_file: Path) -> None:
        """Put a translator's .po file back into the survey file (then load-survey it)."""
        raw = read_definition(survey_file)
        count = translation_files.import_po(raw, language, po_file.read_bytes())
        try:
            normalise(raw)
        except DefinitionError as error:
            raise click.ClickException(f"The survey would not load after the import: {error}") from None
        write_definition(survey_file, raw)
        click.echo(f"Imported {count} texts in '{language}' into {survey_file}.")

    @app.cli.command("export")
    @click.option("--survey", "slug", required=True)
    @click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
    def export(slug: str, out: Path) -> None:
        """Write every response of a survey to a CSV file, one row per response."""
        if surveys.find_survey(slug) is None:
            raise click.ClickException(f"No survey '{slug}'.")
        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            rows = exports.write_csv(slug, handle)
        click.echo(f"Wrote {rows} responses to {out}.")

    @app.cli.command("report-parts")
    @click.option("--survey", "slug", required=True)
    @click.option("--again", is_flag=True, help="Delete the stored parts first and read every response again.")
    def report_parts(slug: str, again: bool) -> None:
        """Store a survey's responses as its reports read them, once for every server (after an
        upgrade, a restore, or to have the first report after a start fast)."""
        survey = snapshots.find_survey(slug)
        if survey is None:
            raise click.ClickException(f"No survey '{slug}'.")
        if again:
            storage.forget_report_parts(survey.id)
        current_app.config["REPORTS_PART_RESPONSES"] = 1  # every settled response goes into a part
        snapshots.read_now(survey)
        count, responses = parts.stored(survey.id)
        click.echo(f"{responses} responses of '{slug}' are stored in {count} report parts.")

    @app.cli.command("summary")
    @click.option("--survey", "slug", required=True)
    @click.option("--state", "states", multiple=True, help="Only this state (repeatable; ALL for everyone).")
    @click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
    def summary(slug: str, states: tuple[str, ...], fmt: str) -> None:
        """Print the top issues per state as the staff reports show them, small groups suppressed."""
        survey = snapshots.find_survey(slug)
        if survey is None:
            raise click.ClickException(f"No survey '{slug}'.")
        current_app.config["REPORTS_REFRESH_IN_BACKGROUND"] = False  # a command waits for the figures
        try:
            text = figures.summary_text(snapshots.snapshot(survey), list(states), fmt,
                                            current_app.config["MIN_GROUP_SIZE"])
        except KeyError as error:
            raise click.ClickException(str(error.args[0])) from None
        click.echo(text, nl=False)
