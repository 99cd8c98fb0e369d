"""Pages that list one row per issue or per language ask the database a fixed number of
statements, however many rows they show: what the rows need is read in one statement per kind."""
from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event

from survey_app import policy, policy_texts, review, storage
from survey_app.cli.survey_files import DATA, read_definition
from survey_app.extensions import db
from survey_app.i18n.locale import DEFAULT, LANGUAGES
from survey_app.models import PolicyText

SCHOOL_MEALS = Path(__file__).resolve().parent.parent / "data" / "school-meals.yaml"


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    sent: list[str] = []

    def count(_connection, _cursor, statement, _parameters, _context, _executemany) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def add_issue_lines(first: int, last: int) -> None:
    """The reference file's lines (English and translations) of the survey's issues `first` to `last`."""
    issues = list(policy.issue_options(DEFAULT))[first:last]
    with (DATA / "issue_lines.csv").open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["issue_code"] in issues]
    english = {row["issue_code"]: row["line"] for row in rows if row["language"] == DEFAULT}
    db.session.add_all(PolicyText(subject=policy_texts.issue_subject(row["issue_code"]), language=row["language"],
                                  text=row["line"], english=english[row["issue_code"]]) for row in rows)
    db.session.commit()


def statements_for(client, path: str) -> int:
    client.get(path)   # a first view fills the app's caches, as on a running server
    with statements() as sent:
        assert client.get(path).status_code == 200
    return len(sent)


def test_issue_lines_page_statements_do_not_grow_with_issues(staff_client):
    add_issue_lines(0, 2)
    two = statements_for(staff_client, "/staff/issue-lines")
    add_issue_lines(2, 12)
    assert statements_for(staff_client, "/staff/issue-lines") == two


def test_review_index_statements_do_not_grow_with_languages(staff_client, monkeypatch):
    add_issue_lines(0, 4)
    others = [language for language in LANGUAGES if language.code != DEFAULT]
    monkeypatch.setattr(review, "LANGUAGES", others[:2])
    two = statements_for(staff_client, "/review/")
    monkeypatch.setattr(review, "LANGUAGES", others[:12])
    assert statements_for(staff_client, "/review/") == two


def test_review_index_statements_do_not_grow_with_surveys(staff_client):
    add_issue_lines(0, 4)
    one = statements_for(staff_client, "/review/")
    storage.load_survey(read_definition(SCHOOL_MEALS))
    assert "school-meals" in staff_client.get("/review/").text
    assert statements_for(staff_client, "/review/") == one
