"""The cells of an XLSForm as pyxform reads them: plain text, text per language, the column names
as written, and the notices of what is accepted but ignored. Shared by the sheets' readers."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .survey import DefinitionError
from .languages import language_code

# pyxform keeps text columns without a language under this name until the default language is known.
NO_LANGUAGE = "default"
_MIDNIGHT = re.compile(r"(?<=^\d{4}-\d{2}-\d{2}) 00:00:00$")


class XLSFormError(DefinitionError):
    """A form that cannot be used; the message names the sheet, row and column and says what to do.

    A kind of `DefinitionError`, so code that already reports broken definitions reports these too."""


def language_keys(column: str, value: Any, language: str, where: str, header: str) -> dict[str, str]:
    """`{"English (en)": "Yes", "default": "Yes"}` as {"label::en": "Yes"}, refusing two columns for one language."""
    if not isinstance(value, dict):
        return {f"{column}::{language}": text_of(value)} if text_of(value) else {}
    return {f"{column}::{code}": text for code, text in translations(value, language, where, header).items()}


def translations(value: Mapping[str, Any], language: str, where: str, header: str) -> dict[str, str]:
    found: dict[str, str] = {}
    written_as: dict[str, str] = {}
    for written, text in value.items():
        if isinstance(text, dict):
            raise XLSFormError(f'{where}, column "{header}::{written}": a column name has one language, as in '
                               f'"{header}::English (en)".')
        code = language if written == NO_LANGUAGE else language_code(written)
        if code is None:
            raise XLSFormError(
                f'{where.split(", row")[0]}, column "{header}::{written}": "{written}" is not a language this service '
                f'can recognise. Put the code in brackets after the name, as in "{header}::{written} (xx)", where '
                "xx is the language's code.")
        if code in found and text_of(text):
            first = written_as[code]
            first_header = header if first == NO_LANGUAGE else f"{header}::{first}"
            this_header = header if written == NO_LANGUAGE else f"{header}::{written}"
            raise XLSFormError(f'{where}: the columns "{first_header}" and "{this_header}" are both in the language '
                               f'"{code}" (a column without a language is in the default language). Keep one.')
        if text_of(text):
            found[code] = text_of(text)
            written_as[code] = written
    return found


# The media columns a form may carry, as XLSForm names them (`media::audio::Hmong (hmn)`, `audio::Hmong (hmn)`,
# `image::Hmong (hmn)`, `image`).
MEDIA_KINDS = ("audio", "image")


def media_keys(path: tuple[str, ...], value: Any, language: str, where: str,
               headers: Mapping[tuple[str, ...], str], cells: dict[str, str]) -> dict[str, str]:
    """A media cell, at pyxform's `path` ("media", "audio"), as {"audio::hmn": "q1-hmn.mp3"}; `cells`
    gets where each file is first named, for messages about the file."""
    kind = path[-1]
    written = value if isinstance(value, dict) else {NO_LANGUAGE: value}
    found: dict[str, str] = {}
    for language_written, name in written.items():
        column = headers.get(path if language_written == NO_LANGUAGE else (*path, language_written)) or kind
        found.update(language_keys(kind, {language_written: name}, language, where, column.rsplit("::", 1)[0]))
        if text_of(name):
            cells.setdefault(text_of(name), f'{where}, column "{column}"')
    return found


def at_path(row: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = row
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return text_of(value.get(NO_LANGUAGE) or next(iter(value.values()), ""))
    # A date typed into a cell reads as the spreadsheet shows it, without pyxform's midnight.
    return _MIDNIGHT.sub("", str(value).strip())


def written_header(headers: Mapping[tuple[str, ...], str], path: tuple[str, ...], value: Any = None) -> str:
    """The column as written in row 1, for messages: `read_only` rather than pyxform's ("bind", "readonly")."""
    if isinstance(value, dict) and len(value) == 1:
        path = (*path, next(iter(value)))
    return headers.get(path) or "::".join(path)


class Notices:
    """What was accepted but ignored, one line per kind, with the rows it applies to."""

    def __init__(self) -> None:
        self._rows: dict[str, list[int]] = {}

    def add(self, message: str, row: int | None = None) -> None:
        rows = self._rows.setdefault(message, [])
        if row is not None:
            rows.append(row)

    def messages(self) -> list[str]:
        found = []
        for message, rows in self._rows.items():
            if rows:
                sheet, _, rest = message.partition(", ")
                label = "row" if len(rows) == 1 else "rows"
                message = f"{sheet}, {label} {_row_list(rows)}, {rest}"
            found.append(message)
        return found


def _row_list(rows: list[int]) -> str:
    shown = ", ".join(str(row) for row in rows[:8])
    return shown + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")
