"""The one CSV writer and the one XLSX writer behind every download and the `export` command.

Both take a header and rows of cells, and neither holds the whole file in memory: the CSV comes out
a chunk of text at a time, the workbook is written by XlsxWriter in constant-memory mode (each row
goes out as the next starts). A CSV starts with a UTF-8 byte order mark so that Excel opens Arabic
or Chinese answers correctly. Every text cell goes through `neutralise()`, so a spreadsheet never
runs an answer as a formula; the workbook also writes text as text, never as a formula or a link.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

import xlsxwriter

BOM = "\ufeff"
CHUNK = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Sheet = tuple[Sequence[str], Iterable[Sequence[Any]]]


def neutralise(value: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (numbers stay numbers)."""
    if value.startswith(FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _cell(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The file as text, a chunk at a time, so memory stays flat however many rows."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(handle: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """The CSV file written to `handle`; returns how many rows."""
    written = 0

    def counted() -> Iterator[Sequence[Any]]:
        nonlocal written
        for row in rows:
            written += 1
            yield row

    for chunk in csv_chunks(header, counted()):
        handle.write(chunk)
    return written


def write_xlsx(handle: IO[bytes], sheets: dict[str, Sheet]) -> int:
    """A workbook with one worksheet per entry of `sheets` (name: header and rows), bold headers;
    returns how many rows the first sheet has."""
    workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True})
    counts = []
    for name, (header, rows) in sheets.items():
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, header, bold)
        number = 0
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(number, column, neutralise(value))
                elif isinstance(value, bool):
                    sheet.write_boolean(number, column, value)
                elif value is not None:
                    sheet.write_number(number, column, value)
        counts.append(number)
    workbook.close()
    return counts[0] if counts else 0
