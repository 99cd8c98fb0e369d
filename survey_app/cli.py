"""Commands run as `flask --app wsgi <command>`."""
from __future__ import annotations

import secrets
from pathlib import Path

import click
import yaml
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import select

from forms import translation_files
from forms.definition import DefinitionError, normalise

from . import config, demo, exports, storage, surveys, translation_status
from .extensions import db
from .models import Partner, User

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_SURVEY_FILE = config.PROJECT_ROOT / "surveys" / "family-voices.yaml"


def read_definition(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def write_definition(path: Path, raw: dict) -> None:
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(DEFINITION_HEADER + text, encoding="utf-8")


DEFINITION_HEADER = (
    "# A survey definition shaped like an XLSForm (settings / survey / choices), with\n"
    "# per-language text in `label::<code>` columns. docs/translators.md explains how to\n"
    "# translate it; docs/expressions.md explains `relevant` and `constraint`.\n"
)


def init_app(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the database, then load the partners and the default survey."""
        upgrade(directory=str(config.PROJECT_ROOT / "migrations"))
        added = storage.upsert_partners(storage.read_partners_csv(DATA / "partners.csv"))
        version, created = storage.load_survey(read_definition(DEFAULT_SURVEY_FILE))
        click.echo(f"Database ready: {added} partner(s) added; survey "
                   f"'{version.survey.slug}' version {version.version}{' (new)' if created else ''}.")
        if db.session.scalar(select(User.id).limit(1)) is None:
            click.echo("No users yet. Create the first admin with:\n"
                       "  .venv/bin/flask --app wsgi create-user you@example.org --role admin")

    @app.cli.command("load-survey")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def load_survey(path: Path) -> None:
        """Load a survey definition: a new survey, or a new version of an existing one."""
        try:
            version, created = storage.load_survey(read_definition(path))
        except (DefinitionError, yaml.YAMLError) as error:
            raise click.ClickException(f"{path}: {error}") from None
        state = "loaded as version" if created else "unchanged, still version"
        click.echo(f"Survey '{version.survey.slug}' {state} {version.version}.")

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", type=click.Choice(User.ROLES), required=True)
    @click.option("--partner", "partner_code", help="The partner organisation's code, for partner users.")
    @click.option("--prompt", "prompt_password", is_flag=True,
                  help="Type the password instead of having one generated.")
    def create_user(email: str, role: str, partner_code: str | None, prompt_password: bool) -> None:
        """Create an admin, staff or partner user."""
        partner = None
        if partner_code:
            partner = db.session.scalar(select(Partner).where(Partner.code == partner_code))
            if partner is None:
                raise click.ClickException(f"No partner with code '{partner_code}'.")
        if db.session.scalar(select(User).where(User.email == email.strip().lower())):
            raise click.ClickException(f"A user with email {email} already exists.")
        if prompt_password:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
            if len(password) < 12:
                raise click.ClickException("Use a password of at least 12 characters.")
        else:
            password = secrets.token_urlsafe(15)
        try:
            storage.create_user(email, password, role, partner)
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Created {role} user {email}.")
        if not prompt_password:
            click.echo(f"Password (shown once): {password}")

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
            definitions = {slug: surveys.newest_version(slug).definition
                           for slug, status, _count in surveys.response_counts() if status == "open"}
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
