"""What an .xlsx workbook may hold before any parser reads it.

An .xlsx file is a zip of XML files, and zip compresses repetition extremely well: a 904 kB
upload held two million rows, a 541 kB one a single cell of 500 MB, and reading either took a
worker past its timeout. `check_workbook` reads only the zip's directory and then streams each
sheet's XML once, counting, without building anything; it refuses a workbook past any of the
limits below with a message that says what to fix. A survey's XLSForm is far below all of them.
It does not depend on how the workbook is parsed afterwards.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from typing import IO

from defusedxml.ElementTree import iterparse

from .survey import DefinitionError

MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
MAX_FILES = 200
MAX_ROWS = 10_000
MAX_COLUMNS = 500
MAX_CELL_CHARS = 10_000

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOCUMENT_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class WorkbookTooLarge(DefinitionError):
    """The workbook holds more than any survey needs; the message says what and where."""


def check_workbook(data: bytes) -> None:
    """Refuse a workbook too large to read safely. A file that is not a zip at all is left to
    the parser, which explains what kind of file it expected."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_FILES:
            raise WorkbookTooLarge(f"The workbook is made of {len(entries)} parts, more than {MAX_FILES}. "
                                   "Copy the survey, choices and settings sheets into a new workbook and try again.")
        unpacked = sum(entry.file_size for entry in entries)
        if unpacked > MAX_UNCOMPRESSED_BYTES:
            raise WorkbookTooLarge(
                f"Unpacked, the workbook is {unpacked // (1024 * 1024)} MB, more than "
                f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB. An XLSForm is much smaller: check that it holds "
                "only the survey, choices and settings sheets, with no very long cells or empty rows far below "
                "the survey.")
        names = set(archive.namelist())
        for title, path in _sheets(archive, names):
            with archive.open(path) as stream:
                _check_sheet(title, stream)
        if "xl/sharedStrings.xml" in names:
            with archive.open("xl/sharedStrings.xml") as stream:
                _check_shared_strings(stream)


def _sheets(archive: zipfile.ZipFile, names: set[str]) -> Iterator[tuple[str, str]]:
    """Each worksheet's title and the path of its XML; a worksheet the workbook does not name
    is still checked, under its file name."""
    named: dict[str, str] = {}
    if "xl/workbook.xml" in names and "xl/_rels/workbook.xml.rels" in names:
        with archive.open("xl/_rels/workbook.xml.rels") as stream:
            targets = {element.get("Id"): element.get("Target", "") for _event, element in iterparse(stream)
                       if element.tag == f"{_RELATIONSHIPS}Relationship"}
        with archive.open("xl/workbook.xml") as stream:
            for _event, element in iterparse(stream):
                if element.tag == f"{_MAIN}sheet":
                    target = targets.get(element.get(_DOCUMENT_ID), "")
                    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                    named[path] = element.get("name", path)
    for path in sorted(names):
        if path.startswith("xl/worksheets/") and path.endswith(".xml"):
            yield named.get(path, posixpath.basename(path)), path


def _check_sheet(title: str, stream: IO[bytes]) -> None:
    rows = cells = 0
    for _event, element in iterparse(stream):
        if element.tag == f"{_MAIN}c":
            cells += 1
            column = max(cells, _column_number(element.get("r", "")))
            if column > MAX_COLUMNS:
                raise WorkbookTooLarge(
                    f'Sheet "{title}" has a cell in column {column}, past column {MAX_COLUMNS}. Delete the columns '
                    "to the right of your survey's last column and try again.")
            length = sum(len(text) for text in element.itertext())
            if length > MAX_CELL_CHARS:
                raise WorkbookTooLarge(
                    f'Sheet "{title}", cell {element.get("r", "?")}, holds {length} characters, more than '
                    f"{MAX_CELL_CHARS}. Shorten it and try again.")
            element.clear()
        elif element.tag == f"{_MAIN}row":
            rows, cells = rows + 1, 0
            written = element.get("r", "")
            if max(rows, int(written) if written.isdecimal() else 0) > MAX_ROWS:
                raise WorkbookTooLarge(
                    f'Sheet "{title}" has rows past row {MAX_ROWS}. An XLSForm needs far fewer: delete the rows '
                    "below your survey's last row and try again.")
            element.clear()


def _check_shared_strings(stream: IO[bytes]) -> None:
    for _event, element in iterparse(stream):
        if element.tag == f"{_MAIN}si":
            length = sum(len(text) for text in element.itertext())
            if length > MAX_CELL_CHARS:
                raise WorkbookTooLarge(f"A cell holds {length} characters, more than {MAX_CELL_CHARS}. "
                                       "Find the very long cell, shorten it and try again.")
            element.clear()


def _column_number(reference: str) -> int:
    """`C7` -> 3; a cell without a reference counts as column 0 (its row's count is checked instead)."""
    number = 0
    for letter in reference:
        if not letter.isalpha():
            break
        number = number * 26 + ord(letter.upper()) - ord("A") + 1
    return number
