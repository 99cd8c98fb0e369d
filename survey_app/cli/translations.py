"""Commands for translators' files: translations-check, survey-po-export, survey-po-import."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from forms import translation_files
from forms.survey import DefinitionError
from forms.normalising import normalise

from .. import surveys
from ..i18n import translation_status
from .survey_files import read_definition, write_definition


@click.command("translations-check")
@click.option("--definition", "files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Check a survey file instead of the surveys in the database (repeatable).")
@with_appcontext
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


@click.command("survey-po-export")
@click.argument("survey_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("language")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def survey_po_export(survey_file: Path, language: str, out: Path) -> None:
    """Write one language of a survey file to a .po file for translators."""
    out.write_bytes(translation_files.export_po(read_definition(survey_file), language))
    click.echo(f"Wrote {out}.")


@click.command("survey-po-import")
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


COMMANDS = (translations_check, survey_po_export, survey_po_import)
