"""The commands a maintainer runs: init-db, load-survey, create-user, demo-responses, export."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, inspect, select

from survey_app import create_app
from survey_app.extensions import db, dispose_engines
from survey_app.models import Answer, Partner, Response, SurveyVersion, User
from tests.conftest import FULL_ANSWERS, Respondent


@pytest.fixture
def empty_app(database_url, monkeypatch):
    monkeypatch.setenv("SURVEY_ENV", "testing")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test"})
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
            dispose_engines()


def test_init_db_migrates_seeds_and_keeps_data_on_rerun(empty_app):
    runner = empty_app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert "8 partner(s) added" in first.output and "version 1 (new)" in first.output
    assert "create-user" in first.output  # says how to make the first admin
    with empty_app.app_context():
        client = empty_app.test_client()
        respondent = Respondent(client)
        respondent.start("?ref=caal")
        for answers in FULL_ANSWERS:
            respondent.answer(**answers)
    second = runner.invoke(args=["init-db"])
    assert second.exit_code == 0, second.output
    assert "0 partner(s) added" in second.output
    with empty_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Partner)) == 8
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 1


def test_init_db_schema_matches_models(empty_app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    assert empty_app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    with empty_app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == []
        assert "alembic_version" in inspect(connection).get_table_names()


def test_load_survey_new_version_only_when_content_changes(app, runner, tmp_path):
    source = Path("surveys/family-voices.yaml")
    same = runner.invoke(args=["load-survey", str(source)])
    assert "unchanged, still version 1" in same.output
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    raw["choices"].append({"list_name": "role", "name": "grandparent", "label::en": "Grandparent"})
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["load-survey", str(changed)])
    assert result.exit_code == 0 and "loaded as version 2" in result.output


def test_load_survey_reports_broken_definition(runner, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("settings: {form_id: x}\nsurvey:\n  - {type: select_one nope, name: q, label::en: Q}\nchoices: []\n")
    result = runner.invoke(args=["load-survey", str(broken)])
    assert result.exit_code != 0
    assert "survey row 1 ('q'): the choice list 'nope' is not in the choices" in result.output


def test_create_user_generates_password_once_and_hashes_it(app, runner):
    result = runner.invoke(args=["create-user", "Lead@Example.org", "--role", "staff"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password (shown once): ")[1].strip()
    user = db.session.scalars(select(User)).one()
    assert user.email == "lead@example.org"
    assert user.password_hash.startswith("$argon2id$") and password not in user.password_hash


def test_create_user_prompts_for_password(app, runner):
    result = runner.invoke(args=["create-user", "p@example.org", "--role", "partner", "--partner", "mira", "--prompt"],
                           input="correct horse battery\ncorrect horse battery\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(User)).one().partner.code == "mira"


@pytest.mark.parametrize("args, message", [
    (["x@example.org", "--role", "partner"], "a partner user needs --partner"),
    (["x@example.org", "--role", "staff", "--partner", "mira"], "admin and staff users take none"),
    (["x@example.org", "--role", "partner", "--partner", "nope"], "No partner with code 'nope'"),
])
def test_create_user_rejects_wrong_partner(runner, args, message):
    result = runner.invoke(args=["create-user", *args])
    assert result.exit_code != 0 and message in result.output


def test_demo_responses_and_export_write_one_row_per_response(app, runner, client, tmp_path):
    respondent = Respondent(client)
    respondent.start("?ref=mira")
    for answers in FULL_ANSWERS[:-1]:
        respondent.answer(**answers)
    respondent.answer(**{**FULL_ANSWERS[-1], "one_change": "=HYPERLINK(\"http://evil\")"})
    result = runner.invoke(args=["demo-responses", "--n", "200", "--seed", "7"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "export.csv"
    result = runner.invoke(args=["export", "--survey", "family-voices", "--out", str(out)])
    assert result.exit_code == 0 and "Wrote 201 responses" in result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    assert header[:6] == ["response_id", "submitted_at", "survey_version", "language", "partner", "channel"]
    assert "top_issues/language_access" in header and "role" in header
    mine = next(row for row in rows if row["partner"] == "mira" and row["one_change"].startswith("'="))
    assert mine["top_issues/safety"] == "1" and mine["top_issues/newcomers"] == "0"
    assert mine["home_languages/so"] == "1"
    states = {row["state"] for row in rows}
    assert {"CA", "NY", "MN"} <= states
    assert all(row["top_issues/safety"] in {"0", "1"} for row in rows)
    assert max(sum(int(row[c]) for c in header if c.startswith("top_issues/")) for row in rows) <= 3


def test_demo_responses_follow_the_skip_logic_and_the_partners_states(app, runner):
    result = runner.invoke(args=["demo-responses", "--n", "300", "--seed", "5"])
    assert result.exit_code == 0 and "Stored 300 synthetic responses" in result.output
    answers: dict[str, dict[str, list[str]]] = {}
    for response_id, question, value in db.session.execute(select(Answer.response_id, Answer.question, Answer.value)):
        answers.setdefault(response_id, {}).setdefault(question, []).append(value)
    assert len(answers) == 300
    for given in answers.values():
        assert ("state_other" in given) <= (given["state"] == ["other"])
        # Grades are asked of parents and students only.
        assert ("grade_bands" in given) <= (given["role"][0] in {"parent", "student"})
        assert 1 <= len(given["top_issues"]) <= 3
    assert any("grade_bands" in given for given in answers.values())
    states = {response_id: given["state"][0] for response_id, given in answers.items()}
    came = db.session.execute(select(Response.id, Partner.state_code).join(Partner, Response.partner_id == Partner.id))
    pairs = list(came)
    assert pairs and all(states[response_id] == state for response_id, state in pairs)


def test_demo_responses_are_reproducible(app, runner):
    runner.invoke(args=["demo-responses", "--n", "20", "--seed", "3"])
    first = sorted(db.session.scalars(select(Response.id)))
    db.session.execute(db.text("DELETE FROM answers"))
    db.session.execute(db.text("DELETE FROM responses"))
    db.session.commit()
    runner.invoke(args=["demo-responses", "--n", "20", "--seed", "3"])
    assert sorted(db.session.scalars(select(Response.id))) == first
