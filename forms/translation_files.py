"""Survey text for translators: one language of a survey as a gettext `.po` file
(which Poedit, Weblate and Lokalize open), and back into the definition.

Each entry's context (`msgctxt`) says where the text lives, e.g. `survey:role:label`
or `choices:issue:safety`; its `msgid` is the default-language text and its
`msgstr` the translation. Works on the flat, XLSForm-shaped definition.
"""
from __future__ import annotations

import io
import re
from datetime import datetime, timezone
from typing import Any, Iterator, Mapping

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from .survey import SETTINGS_TRANSLATED, TRANSLATED
from .normalising import split_column

REVIEW_HEADER = "X-Review-Status"


def _texts(raw: Mapping[str, Any], language: str) -> Iterator[tuple[str, dict[str, Any], str, str]]:
    """(context, row, column, current text) for every translatable text in `language`."""
    for column in SETTINGS_TRANSLATED:
        yield f"settings:{column}", raw["settings"], column, _get(raw["settings"], column, language)
    for number, row in enumerate(raw["survey"], start=1):
        name = row.get("name") or f"row{number}"
        for column in TRANSLATED:
            yield f"survey:{name}:{column}", row, column, _get(row, column, language)
    for row in raw["choices"]:
        yield f"choices:{row['list_name']}:{row['name']}", row, "label", _get(row, "label", language)


def _get(row: Mapping[str, Any], column: str, language: str) -> str:
    for key, value in row.items():
        found, code = split_column(str(key))
        if found == column and code == language and value is not None:
            return str(value)
    return ""


def _set(row: dict[str, Any], column: str, language: str, text: str) -> None:
    for key in list(row):
        found, code = split_column(str(key))
        if found == column and code == language:
            row[key] = text
            return
    row[f"{column}::{language}"] = text


def review_status(raw: Mapping[str, Any], language: str) -> str:
    return _get(raw["settings"], "review", language)


def export_po(raw: Mapping[str, Any], language: str) -> bytes:
    source = raw["settings"].get("default_language", "en")
    catalog = Catalog(locale=None, project=str(raw["settings"].get("form_id")), charset="utf-8",
                      creation_date=datetime.now(timezone.utc))
    catalog.language_team = language
    for context, row, column, text in _texts(raw, source):
        if text:
            catalog.add(text, _get(row, column, language), context=context)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False)
    header = f'"{REVIEW_HEADER}: {review_status(raw, language) or "draft"}\\n"\n'
    text = buffer.getvalue().decode()
    marker = '"Generated-By:'
    return (text.replace(marker, header + marker, 1) if marker in text else text).encode()


def import_po(raw: dict[str, Any], language: str, po_file: bytes) -> int:
    """Write the file's translations into `raw` (in place); returns how many were set.
    An entry whose English has changed since export is skipped, not guessed."""
    catalog = read_po(io.BytesIO(po_file))
    source = raw["settings"].get("default_language", "en")
    # Survey texts are exported as singular messages, so each translation is one string.
    entries = {(m.context, m.id): m.string for m in catalog if m.id and m.string and isinstance(m.string, str)}
    # Babel's catalog keeps only the standard headers, so the review line is read from the text.
    found = re.search(rb'^"' + REVIEW_HEADER.encode() + rb':\s*(.*?)\\n"$', po_file, re.MULTILINE)
    status = found.group(1).decode() if found else None
    count = 0
    for context, row, column, text in _texts(raw, source):
        translation = entries.get((context, text))
        if text and translation:
            _set(row, column, language, translation.strip())
            count += 1
    if status:
        _set(raw["settings"], "review", language, status.strip())
    return count


def completeness(raw: Mapping[str, Any], language: str) -> tuple[int, int]:
    """(translated, total) texts of the survey in `language`."""
    source = raw["settings"].get("default_language", "en")
    pairs = [(text, _get(row, column, language)) for _c, row, column, text in _texts(raw, source) if text]
    return sum(1 for _text, translated in pairs if translated), len(pairs)
