"""A small .xlsx can unpack to something huge. Staff uploads and `load-survey` refuse a workbook
past the limits before any parser reads it: quickly, with a message that says what to fix,
storing nothing (the refusal itself is in the audit log)."""
from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forms import workbook_limits
from survey_app import storage
from survey_app.extensions import db
from survey_app.models import AuditEvent, SurveyVersion
from tests.conftest import csrf_token

PASSWORD = "a long enough password"
VALID = Path("tests/forms/xlsforms/school-feedback.xlsx")
SURVEY_SHEET = "xl/worksheets/sheet1.xml"


def swollen(extra: Callable[[], Iterable[bytes]]) -> bytes:
    """A valid XLSForm whose survey sheet gets `extra` XML after its last row, streamed into the zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(VALID) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename != SURVEY_SHEET:
                target.writestr(entry.filename, content)
                continue
            before, after = content.split(b"</sheetData>")
            with target.open(SURVEY_SHEET, "w", force_zip64=True) as sheet:
                sheet.write(before)
                for chunk in extra():
                    sheet.write(chunk)
                sheet.write(b"</sheetData>" + after)
    return out.getvalue()


def two_million_rows() -> Iterable[bytes]:
    for _ in range(20):
        yield b"<row/>" * 100_000


def one_huge_cell(characters: int) -> Callable[[], Iterable[bytes]]:
    def cell() -> Iterable[bytes]:
        yield b'<row r="7"><c r="A7" t="inlineStr"><is><t>'
        for _ in range(characters // 1_000_000):
            yield b"x" * 1_000_000
        yield b"</t></is></c></row>"
    return cell


def far_column() -> Iterable[bytes]:
    yield b'<row r="7"><c r="XFD7" t="inlineStr"><is><t>x</t></is></c></row>'


CASES = {
    "two million rows": (two_million_rows, "rows past row 10000"),
    "a 200 MB cell": (one_huge_cell(200_000_000), "Unpacked, the workbook is"),
    "a 15 MB cell": (one_huge_cell(15_000_000), "holds 15000000 characters"),
    "a cell in the last column": (far_column, "column 16384"),
}


@pytest.fixture(scope="module")
def workbooks() -> dict[str, bytes]:
    return {name: swollen(extra) for name, (extra, _message) in CASES.items()}


def versions() -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyVersion))


@pytest.mark.parametrize("case", CASES)
def test_workbook_limits_upload_is_refused_quickly_and_nothing_is_stored(app, client, workbooks, case):
    content = workbooks[case]
    assert len(content) < 2 * 1024 * 1024  # small enough to be uploaded
    storage.create_user("staff@example.org", PASSWORD, "staff")
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": "staff@example.org",
                                "password": PASSWORD})
    stored = versions()
    token = csrf_token(client.get("/staff/surveys").text)
    began = time.monotonic()
    reply = client.post("/staff/surveys", content_type="multipart/form-data",
                        data={"csrf_token": token, "workbook": (io.BytesIO(content), "form.xlsx")})
    assert time.monotonic() - began < 10
    assert reply.status_code == 200 and CASES[case][1] in reply.text
    assert versions() == stored
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "survey_upload_refused")).all()
    assert len(refused) == 1 and CASES[case][1] in refused[0].detail["reason"]


@pytest.mark.parametrize("case", ["two million rows", "a 200 MB cell"])
def test_workbook_limits_load_survey_is_refused_and_nothing_is_stored(app, runner, workbooks, tmp_path, case):
    path = tmp_path / "form.xlsx"
    path.write_bytes(workbooks[case])
    stored = versions()
    began = time.monotonic()
    result = runner.invoke(args=["load-survey", str(path)])
    assert time.monotonic() - began < 10
    assert result.exit_code != 0 and CASES[case][1] in result.output
    assert versions() == stored


def test_workbook_limits_a_real_xlsform_passes(workbooks):
    for path in Path("tests/forms/xlsforms").glob("*.xlsx"):
        workbook_limits.check_workbook(path.read_bytes())
