"""A partner's own responses: exact counts, weekly progress towards a target, downloads, and no
way to reach another partner's responses."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select

from survey_app import storage, surveys
from survey_app.demo import store_demo_responses
from survey_app.exports.responses import META_COLUMNS
from survey_app.extensions import db
from survey_app.models import Answer, AuditEvent, Partner, Response
from survey_app.models import new_uuid
from survey_app.reporting.partner import TOTAL, count_table, weekly_progress
from tests.conftest import csrf_token

PASSWORD = "a long enough password"
MARKER = "NYIC-ONLY-4d1f"  # free text only partner B's respondents wrote
DAY = datetime(2026, 10, 1, 12, 0)


@pytest.fixture
def users(app):
    partners = {p.code: p for p in db.session.scalars(select(Partner))}
    storage.create_user("mira@example.org", PASSWORD, "partner", partners["mira"])
    storage.create_user("nyic@example.org", PASSWORD, "partner", partners["nyic"])
    storage.create_user("staff@example.org", PASSWORD, "staff")
    storage.create_user("admin@example.org", PASSWORD, "admin")
    return partners


def log_in(client, email: str) -> None:
    page = client.get("/login")
    reply = client.post("/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD})
    assert reply.status_code == 302


def add_responses(partner: Partner | None, n: int, *, language: str = "en", channel: str = "web",
                  state: str = "MA", day: datetime = DAY, one_change: str | None = None) -> list[str]:
    """`n` complete responses, written directly, for counts that are known exactly."""
    version = surveys.newest_version("family-voices")
    ids = []
    for i in range(n):
        response = Response(id=new_uuid(), survey_version_id=version.id, partner_id=partner.id if partner else None,
                            language=language, channel=channel, submitted_at=day + timedelta(minutes=i))
        values = [("role", "parent"), ("state", state), ("home_languages", "es"), ("top_issues", "safety"),
                  ("school_communication", "3"), ("interpreter_offered", "never")]
        if one_change:
            values.append(("one_change", one_change))
        response.answers = [Answer(question=q, value=v) for q, v in values]
        db.session.add(response)
        ids.append(response.id)
    db.session.commit()
    return ids


@pytest.fixture
def campaign(users):
    """Partner A (mira) with a known spread of responses; partner B (nyic) with its own."""
    mira, nyic = users["mira"], users["nyic"]
    add_responses(mira, 12, day=DAY)
    add_responses(mira, 5, language="es", channel="kiosk", day=DAY + timedelta(days=1))
    add_responses(mira, 3, language="pt", channel="paper", state="NY", day=DAY + timedelta(days=1))
    b_ids = add_responses(nyic, 25, language="ar", state="NY", one_change=MARKER)
    add_responses(None, 4)
    return b_ids


def rows_of(table: pd.DataFrame) -> dict[str, int]:
    return {row.value: int(row.count) for row in table.itertuples()}


def test_partner_reports_count_table_is_exact_with_a_total():
    values = pd.Series(["b"] * 12 + ["a"] * 15 + ["c"] * 4 + [None] * 2)
    assert rows_of(count_table(values)) == {"a": 15, "b": 12, "c": 4, TOTAL: 33}
    assert list(count_table(values)["value"]) == ["a", "b", "c", TOTAL]
    assert rows_of(count_table(pd.Series([], dtype=object))) == {TOTAL: 0}


def test_partner_reports_weekly_progress_runs_on_through_empty_weeks():
    submitted = pd.Series(["2026-10-01T12:00:00", "2026-10-02T09:00:00", "2026-10-16T23:59:00"])
    weeks = weekly_progress(submitted, target=6)
    assert [(row.week, row.count, row.running_total) for row in weeks.itertuples()] == [
        ("2026-09-28", 2, 2), ("2026-10-05", 0, 2), ("2026-10-12", 1, 3)]
    assert list(weeks["share_of_target"]) == pytest.approx([2 / 6, 2 / 6, 3 / 6])
    assert weekly_progress(submitted, None)["share_of_target"].isna().all()
    assert weekly_progress(pd.Series([], dtype=object), 10).empty


def test_partner_responses_counts_own_responses_exactly(client, campaign):
    log_in(client, "mira@example.org")
    page = client.get("/partner/responses")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "<th scope=\"row\">All your responses</th><td>20</td>" in text
    assert "<th scope=\"row\">English</th><td>12</td>" in text
    assert "<th scope=\"row\">Español (Spanish)</th><td>5</td>" in text
    assert "<th scope=\"row\">Português (Portuguese)</th><td>3</td>" in text
    assert "<th scope=\"row\">Kiosk</th><td>5</td>" in text
    assert "<th scope=\"row\">Massachusetts</th><td>17</td>" in text
    assert "<th scope=\"row\">New York</th><td>3</td>" in text
    # Why these are exact while the partnership's reports hide small groups.
    assert "the same ones you can download row by row" in text
    assert "(Arabic)</th>" not in text and "<td>25</td>" not in text  # partner B's responses


def test_partner_responses_show_weeks_running_total_and_target(client, campaign, users):
    add_responses(users["mira"], 4, day=DAY + timedelta(days=14))
    log_in(client, "mira@example.org")
    page = client.get("/partner/responses")
    text = " ".join(re.sub(r" class=\"(numeric|nowrap)\"", "", page.text).split())
    assert "<th scope=\"row\">2026-09-28</th><td>20</td><td>20</td>" in text
    assert "<th scope=\"row\">2026-10-05</th><td>0</td><td>20</td>" in text
    assert "<th scope=\"row\">2026-10-12</th><td>4</td><td>24</td>" in text
    assert "Responses per day" not in text
    assert "target" not in text.split("<h2")[1].lower() or "No target set" in text
    reply = client.post("/partner/responses/family-voices/target",
                        data={"csrf_token": csrf_token(page.text), "target": "60"}, follow_redirects=True)
    text = " ".join(re.sub(r" class=\"(numeric|nowrap)\"", "", reply.text).split())
    assert "24 of your target of 60 (40%)" in text
    assert '<progress class="progress" max="60" value="24">' in text
    assert "<th scope=\"row\">2026-10-12</th><td>4</td><td>24</td><td>40%</td>" in text
    assert db.session.get(Partner, users["mira"].id).response_target == 60


@pytest.mark.parametrize("typed", ["-5", "lots", "10000001"])
def test_partner_responses_target_must_be_a_positive_whole_number(client, campaign, users, typed):
    log_in(client, "mira@example.org")
    page = client.get("/partner/responses")
    reply = client.post("/partner/responses/family-voices/target",
                        data={"csrf_token": csrf_token(page.text), "target": typed})
    assert reply.status_code == 400
    assert "Enter the number of responses you aim for, as a whole number" in reply.text
    assert f'value="{typed}"' in reply.text
    assert db.session.get(Partner, users["mira"].id).response_target is None


def test_partner_responses_csv_is_own_rows_with_bom_and_neutralised(app, client, users):
    mira = users["mira"]
    add_responses(mira, 2, one_change="=HYPERLINK(\"http://evil.example\")")
    add_responses(mira, 1, language="ar", one_change="أريد مترجمًا")
    add_responses(mira, 1, one_change="@SUM(A1)")
    b_ids = add_responses(users["nyic"], 3, one_change=MARKER)
    log_in(client, "mira@example.org")
    reply = client.get("/partner/responses/family-voices/download.csv")
    assert reply.status_code == 200
    assert reply.mimetype == "text/csv" and "attachment" in reply.headers["Content-Disposition"]
    assert reply.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(reply.data.decode("utf-8-sig"))))
    assert list(rows[0])[:6] == META_COLUMNS
    assert len(rows) == 4 and {row["partner"] for row in rows} == {"mira"}
    changes = sorted(row["one_change"] for row in rows)
    assert changes == sorted(["'=HYPERLINK(\"http://evil.example\")"] * 2 + ["أريد مترجمًا", "'@SUM(A1)"])
    assert MARKER not in reply.text and not any(b_id in reply.text for b_id in b_ids)
    assert "email" not in reply.text.lower() and "contact" not in reply.text.lower()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "partner_download")).one()
    assert event.detail == {"survey": "family-voices", "partner": "mira", "format": "csv", "responses": 4}


def test_partner_responses_xlsx_is_own_rows_without_formulas(app, client, users):
    mira = users["mira"]
    add_responses(mira, 1, one_change="=1+2")
    add_responses(mira, 1, one_change="-cmd|' /C calc'!A0")
    add_responses(mira, 1, language="zh-Hans", one_change="需要翻译")
    b_ids = add_responses(users["nyic"], 3, one_change=MARKER)
    log_in(client, "mira@example.org")
    reply = client.get("/partner/responses/family-voices/download.xlsx")
    assert reply.status_code == 200 and reply.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(reply.data)).active
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header, body = table[0], table[1:]
    assert header[:6] == META_COLUMNS and len(body) == 3
    changes = {row[header.index("one_change")] for row in body}
    assert changes == {"'=1+2", "'-cmd|' /C calc'!A0", "需要翻译"}
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert {row[header.index("partner")] for row in body} == {"mira"}
    assert {row[header.index("top_issues/safety")] for row in body} == {1}
    flat = repr(table)
    assert MARKER not in flat and not any(b_id in flat for b_id in b_ids)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "partner_download")).one()
    assert event.detail["format"] == "xlsx" and event.detail["responses"] == 3


def test_partner_responses_with_demo_data_match_the_database(app, client, users):
    store_demo_responses(surveys.newest_version("family-voices"), 400, seed=11)
    mira = users["mira"]
    log_in(client, "mira@example.org")
    rows = list(csv.DictReader(io.StringIO(
        client.get("/partner/responses/family-voices/download.csv").data.decode("utf-8-sig"))))
    expected = set(db.session.scalars(select(Response.id).where(Response.partner_id == mira.id)))
    assert {row["response_id"] for row in rows} == expected and expected


# Every partner route added here, with partner B's response ids and made-up ids where a
# survey or language goes. None of them may show B's data.
def _matrix_paths(b_id: str) -> list[tuple[str, str]]:
    slugs = ["family-voices", b_id, "no-such-survey", "nyic", "1", "..%2Fstaff"]
    paths = [("GET", "/partner/responses"), ("GET", "/partner/responses?partner=nyic&partner_id=7")]
    for slug in slugs:
        paths += [
            ("GET", f"/partner/responses/{slug}"),
            ("GET", f"/partner/responses/{slug}?partner=nyic"),
            ("GET", f"/partner/responses/{slug}/download.csv"),
            ("GET", f"/partner/responses/{slug}/download.csv?partner=nyic"),
            ("GET", f"/partner/responses/{slug}/download.xlsx"),
            ("GET", f"/partner/surveys/{slug}/paper"),
            ("GET", f"/partner/surveys/{slug}/paper/en"),
            ("GET", f"/partner/surveys/{slug}/paper/{b_id}"),
            ("GET", f"/partner/surveys/{slug}/enter"),
            ("POST", f"/partner/surveys/{slug}/enter"),
            ("GET", f"/partner/surveys/{slug}/kiosk"),
        ]
        if slug != "family-voices":  # starting the real kiosk logs out: tested on its own
            paths.append(("POST", f"/partner/surveys/{slug}/kiosk"))
    return paths


def _visible(reply) -> str:
    if reply.mimetype.endswith("spreadsheetml.sheet"):
        sheet = openpyxl.load_workbook(io.BytesIO(reply.data)).active
        return repr([[cell.value for cell in row] for row in sheet.iter_rows()])
    return reply.get_data(as_text=True)


def test_partner_routes_never_show_another_partners_data(client, campaign):
    b_ids = campaign
    log_in(client, "mira@example.org")
    token = csrf_token(client.get("/partner/surveys/family-voices/enter").text)
    for method, path in _matrix_paths(b_ids[0]):
        if method == "GET":
            reply = client.get(path)
        else:
            reply = client.post(path, data={"csrf_token": token, "partner": "nyic", "form_language": "en"})
        assert reply.status_code in (200, 403, 404), (method, path, reply.status_code)
        text = _visible(reply)
        assert MARKER not in text, (method, path)
        assert not any(b_id in text for b_id in b_ids if b_id not in path), (method, path)
        assert client.get("/partner/").status_code == 200  # still logged in as mira
    # The one download that exists held mira's 20 responses only.
    rows = list(csv.DictReader(io.StringIO(
        client.get("/partner/responses/family-voices/download.csv").data.decode("utf-8-sig"))))
    assert len(rows) == 20 and {row["partner"] for row in rows} == {"mira"}


OWN_PATHS = [(m, p) for m, p in _matrix_paths("00000000-0000-4000-8000-000000000000") if "/family-voices" in p] + [
    ("GET", "/partner/responses"), ("POST", "/partner/surveys/family-voices/kiosk")]


@pytest.mark.parametrize("method, path", OWN_PATHS)
def test_partner_routes_send_anonymous_users_to_log_in(client, users, method, path):
    reply = client.open(path, method=method)
    if method == "GET":
        assert reply.status_code == 302 and "/login" in reply.location
    else:  # refused for the missing form token before anything else
        assert reply.status_code in (302, 400)


@pytest.mark.parametrize("email", ["staff@example.org", "admin@example.org"])
def test_partner_routes_refuse_staff(client, campaign, email):
    log_in(client, email)
    token = csrf_token(client.get("/staff/").text)
    for method, path in OWN_PATHS:
        reply = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert reply.status_code == 403, (method, path)
        assert MARKER not in reply.text
    assert client.get("/staff/").status_code == 200  # not logged out by the kiosk route


def test_partner_routes_use_slugs_not_sequential_ids(app):
    rules = [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("partner.")]
    mine = [rule for rule in rules if "responses" in rule or "kiosk" in rule or "paper" in rule or "enter" in rule]
    assert mine and not any("<int:" in rule for rule in mine)
