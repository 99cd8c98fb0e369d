"""Files sent to the browser as attachments, streamed: CSV as it is written, a workbook or an
SPSS/Stata file from a temporary file on disk (a large campaign's runs to tens of megabytes)."""
from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any

from flask import Response, stream_with_context

from .writers import CHUNK, Sheet, csv_chunks, write_xlsx

TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
}


def attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    return Response(stream_with_context(csv_chunks(header, rows)), mimetype=TYPES["csv"],
                    headers=attachment(filename))


def xlsx_download(filename: str, sheets: dict[str, Sheet]) -> tuple[Response, int]:
    """The workbook and how many rows its first sheet has."""
    return file_download(filename, "xlsx", lambda handle: write_xlsx(handle, sheets))


def file_download(filename: str, fmt: str, write: Callable[[IO[bytes]], int]) -> tuple[Response, int]:
    """`write(handle)` fills a temporary file, which is then sent a chunk at a time and removed."""
    handle = tempfile.NamedTemporaryFile(suffix=f".{fmt}")
    try:
        count = write(handle)
        handle.flush()
    except BaseException:
        handle.close()
        raise
    return Response(_file_chunks(handle), mimetype=TYPES[fmt], headers=attachment(filename)), count


def _file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()
