"""Staff downloads: summary tables with suppression, the streamed response export, the
workbook with its codebook, byte order marks, formula neutralisation and the audit log."""
from __future__ import annotations

import csv
import io

import openpyxl
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent
from tests.survey_app.report_fixtures import FORMULA, SLUG, XSS

BOM = b"\xef\xbb\xbf"


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(BOM), "Excel needs the byte order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(data[len(BOM):].decode("utf-8"))))


def downloads() -> list[dict]:
    return [event.detail for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "staff_download").order_by(AuditEvent.id))]


def test_staff_exports_summary_csv_matches_the_report(staff):
    reply = staff.get(f"/staff/exports/{SLUG}/summary.csv")
    assert reply.mimetype == "text/csv" and "attachment" in reply.headers["Content-Disposition"]
    rows = {(r["state"], r["issue"]): r for r in read_csv(reply.data)}
    safety = rows[("MN", "safety")]
    assert (safety["respondents"], safety["count"], safety["share"], safety["ci_low"], safety["ci_high"],
            safety["rank"]) == ("12", "11", "0.9167", "0.6461", "0.9851", "1")
    assert (safety["share_other_states"], safety["significant"]) == ("0.2593", "yes")
    assert rows[("MN", "mental_health")]["count"] == "suppressed"
    assert rows[("MN", "mental_health")]["share"] == "suppressed"
    assert rows[("ALL", "language_access")]["count"] == "37"
    assert downloads() == [{"what": "summary", "survey": SLUG, "format": "csv"}]


def test_staff_exports_summary_never_shows_a_suppressed_state(staff):
    for fmt in ("csv", "xlsx"):
        data = staff.get(f"/staff/exports/{SLUG}/summary.{fmt}").data
        if fmt == "csv":
            values = [r for r in read_csv(data) if r["state"] in ("TN", "WA")]
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["top issues"]
            header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
            values = [dict(zip(header, r)) for r in body if r[0] in ("TN", "WA")]
        assert len(values) == 32
        for value in values:
            for column in ("respondents", "count", "share", "ci_low", "ci_high", "rank"):
                assert value[column] == "suppressed", (fmt, value)


def test_staff_exports_summary_xlsx_has_the_table_and_notes(staff):
    reply = staff.get(f"/staff/exports/{SLUG}/summary.xlsx?start=2026-10-03")
    assert reply.mimetype.endswith("spreadsheetml.sheet")
    assert "from-2026-10-03" in reply.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(reply.data))
    assert workbook.sheetnames == ["top issues", "about"]
    rows = list(workbook["top issues"].iter_rows(values_only=True))
    first_mn = next(r for r in rows if r[0] == "MN")
    assert first_mn[2:6] == ("safety", "Safety at school, including fear of immigration enforcement", 12, 11)
    notes = " ".join(str(cell) for r in workbook["about"].iter_rows(values_only=True) for cell in r)
    assert "2026-10-03" in notes and "Holm" in notes and "fewer than 10" in notes


def test_staff_exports_breakdown_csv(staff):
    rows = read_csv(staff.get(f"/staff/exports/{SLUG}/MN/breakdown.csv?breakdown=role").data)
    parents = {r["issue"]: r for r in rows if r["group"] == "parent"}
    assert parents["safety"]["count"] == "11" and parents["safety"]["group_name"] == "Parent or guardian"
    assert parents["mental_health"]["count"] == "suppressed"
    assert staff.get(f"/staff/exports/{SLUG}/MN/breakdown.csv?breakdown=nonsense").status_code == 400


def test_staff_exports_responses_csv_is_streamed_with_bom_and_neutralised(staff):
    reply = staff.get(f"/staff/exports/{SLUG}/responses.csv")
    assert reply.is_streamed
    rows = read_csv(reply.data)
    assert len(rows) == 39
    comments = {r["one_change"] for r in rows}
    assert "'" + FORMULA in comments and FORMULA not in comments
    assert XSS in comments and "我们需要更多的翻译。" in comments
    assert {r["top_issues/safety"] for r in rows if r["state"] == "MN"} == {"0", "1"}
    assert downloads() == [{"what": "responses", "survey": SLUG, "format": "csv"}]


def test_staff_exports_responses_xlsx_with_codebook_sheet(staff):
    reply = staff.get(f"/staff/exports/{SLUG}/responses.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(reply.data), read_only=True)
    assert workbook.sheetnames == ["responses", "codebook"]
    header, *rows = [list(r) for r in workbook["responses"].iter_rows(values_only=True)]
    assert len(rows) == 39
    comments = [r[header.index("one_change")] for r in rows]
    assert "'" + FORMULA in comments and FORMULA not in comments
    codebook = [list(r) for r in workbook["codebook"].iter_rows(values_only=True)]
    assert ["top_issues/safety", "top_issues", "choice", "safety",
            "Safety at school, including fear of immigration enforcement"] in codebook
    assert downloads() == [{"what": "responses", "survey": SLUG, "format": "xlsx", "responses": 39}]


def test_staff_exports_codebook_csv_lists_every_question_and_code(staff):
    rows = read_csv(staff.get(f"/staff/exports/{SLUG}/codebook.csv").data)
    questions = {r["question"] for r in rows if r["type"] not in ("choice", "response")}
    assert {"role", "state", "grade_bands", "home_languages", "top_issues", "school_communication",
            "interpreter_offered", "one_change"} <= questions
    state = {r["code"]: r["label_en"] for r in rows if r["question"] == "state" and r["type"] == "choice"}
    assert state["MN"] == "Minnesota" and len(state) == 8
    issues = [r for r in rows if r["question"] == "top_issues" and r["type"] == "choice"]
    assert len(issues) == 16 and all(r["column"] == f"top_issues/{r['code']}" for r in issues)
    assert {r["column"] for r in rows if r["type"] == "response"} == {
        "response_id", "submitted_at", "survey_version", "language", "partner", "channel"}


def test_staff_exports_bad_dates_are_refused(staff):
    assert staff.get(f"/staff/exports/{SLUG}/summary.csv?start=yesterday").status_code == 400
