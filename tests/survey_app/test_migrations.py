"""Upgrading a database that already holds responses keeps every response, and the
migrations build the schema the models describe."""
from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text
from sqlalchemy.sql.schema import DEFAULT_NAMING_CONVENTION

from survey_app import create_app
from survey_app.config import PROJECT_ROOT
from survey_app.extensions import db, dispose_engines
from survey_app.models import Answer, Response, Survey, User

MIGRATIONS = str(PROJECT_ROOT / "migrations")


def test_migrations_upgrade_from_first_schema_keeps_responses(database_url, monkeypatch):
    monkeypatch.setenv("SURVEY_ENV", "testing")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test"})
    with app.app_context():
        try:
            upgrade(directory=MIGRATIONS, revision="0001_initial")
            columns = {c["name"] for c in inspect(db.engine).get_columns("responses")}
            assert "entered_by_id" not in columns  # really the old schema
            with db.engine.begin() as connection:
                connection.execute(text("INSERT INTO surveys (id, slug, status, created_at) "
                                        "VALUES (1, 'old-survey', 'open', '2026-01-01 00:00:00')"))
                connection.execute(text(
                    "INSERT INTO survey_versions (id, survey_id, version, definition, definition_hash, created_at) "
                    "VALUES (1, 1, 1, :definition, 'x', '2026-01-01 00:00:00')"), {"definition": json.dumps({})})
                connection.execute(text(
                    "INSERT INTO users (id, email, password_hash, role, active, created_at) "
                    "VALUES (1, 'old@example.org', 'hash', 'staff', :yes, '2026-01-01 00:00:00')"), {"yes": True})
                for number in range(50):
                    connection.execute(text(
                        "INSERT INTO responses (id, survey_version_id, language, channel, submitted_at) "
                        "VALUES (:id, 1, 'so', 'web', '2026-02-01 10:00:00')"), {"id": f"00000000-0000-4000-8000-{number:012d}"})
                    connection.execute(text("INSERT INTO answers (response_id, question, value) VALUES (:id, 'state', 'MN')"),
                                       {"id": f"00000000-0000-4000-8000-{number:012d}"})
            upgrade(directory=MIGRATIONS)
            assert db.session.scalar(select(func.count()).select_from(Response)) == 50
            assert db.session.scalar(select(func.count()).select_from(Answer)) == 50
            assert db.session.scalars(select(Survey)).one().public_results is False
            assert db.session.scalars(select(User)).one().session_version == 1
            db.session.remove()  # release the read locks before the schema changes again
            downgrade(directory=MIGRATIONS, revision="0001_initial")
            assert db.session.scalar(select(func.count()).select_from(Response)) == 50
        finally:
            db.session.remove()
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            dispose_engines()


@pytest.mark.parametrize("made_before_names", [False, True])
def test_migrations_match_the_models(database_url, monkeypatch, made_before_names):
    """What autogenerate would write after the last migration: nothing, types, server defaults
    and constraint names included; also for a database made before constraints had names."""
    monkeypatch.setenv("SURVEY_ENV", "testing")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test"})
    with app.app_context():
        try:
            if made_before_names:
                with monkeypatch.context() as unnamed:
                    unnamed.setattr(db.metadata, "naming_convention", DEFAULT_NAMING_CONVENTION)
                    upgrade(directory=MIGRATIONS, revision="0003_accounts_audit_contacts")
            upgrade(directory=MIGRATIONS)
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "compare_server_default": True})
                assert compare_metadata(context, db.metadata) == []
                names = {(table, constraint["name"]) for table in ("partners", "survey_versions", "drafts")
                         for constraint in [*inspect(connection).get_unique_constraints(table),
                                            *inspect(connection).get_foreign_keys(table)]}
            assert names == {("partners", "uq_partners_code"),
                             ("survey_versions", "uq_survey_versions_survey_id_version"),
                             ("survey_versions", "fk_survey_versions_survey_id_surveys"),
                             ("drafts", "fk_drafts_partner_id_partners"),
                             ("drafts", "fk_drafts_survey_version_id_survey_versions")}
        finally:
            db.session.remove()
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            dispose_engines()
