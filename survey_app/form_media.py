"""The recordings a form names, from the files beside it to the database.

Each `audio::<language>` and `image::<language>` cell (and the settings' `description_audio`,
`thanks_audio`, `description_image` and `thanks_image`) names a file in the form's folder or .zip (`forms.attachments`). Each file is converted once (`audio`),
stored under the SHA-256 of what is served (`storage.store_media`), and the cell then holds that
stored name, so the survey's definition, and with it its version, changes when a recording does.
A cell may also hold a stored name already, as `download-survey` writes them: such a form loads
again without its files. A missing or unreadable file is refused with the sheet, row and column
that name it.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

from forms.attachments import MEDIA_SUFFIXES, FormBundle
from forms.survey import MEDIA, SETTINGS_IMAGE, SETTINGS_MEDIA, DefinitionError
from forms.workbook_limits import check_workbook
from forms.xlsform import XLSFormReading, read_xlsform_with_notices

from . import audio, images, storage

# A recording's SHA-256, or a picture's with its width and height (`images.size_of`).
STORED_NAME = re.compile(r"^[0-9a-f]{64}(\.mp3|-[0-9]{1,4}x[0-9]{1,4}\.webp)$")


class MediaError(DefinitionError):
    """A recording or picture the form names that cannot be used; the message names its cell and the file."""


def read_form(bundle: FormBundle) -> XLSFormReading:
    """The bundle's form, read and checked (a workbook for size first), with its recordings stored
    (not yet committed: `storage.load_survey` does that with the version that names them)."""
    if bundle.form_name.lower().endswith((".xlsx", ".xlsm")):
        check_workbook(bundle.form)
    reading = read_xlsform_with_notices(bundle.form, bundle.form_name, bundle.files)
    reading.raw = attach_media(reading.raw, bundle.files, reading.media_cells)
    return reading


def attach_media(raw: Mapping[str, Any], files: Mapping[str, bytes], cells: Mapping[str, str]) -> dict[str, Any]:
    """`raw` with each media cell's file name replaced by the stored recording's name."""
    stored: dict[str, str] = {}
    attached = {"settings": dict(raw.get("settings") or {}),
                "survey": [dict(row) for row in raw.get("survey") or []],
                "choices": [dict(row) for row in raw.get("choices") or []]}
    for row, key, where in _media_cells(attached):
        name = str(row[key]).strip()
        cell = cells.get(name, where)
        if name not in stored:
            stored[name] = _stored_name(name, files, cell)
        row[key] = stored[name]
    return attached


def _media_cells(raw: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(row, column, where) for each media cell; `where` as the flat definition numbers it."""
    for key in list(raw["settings"]):
        if key.partition("::")[0] in SETTINGS_MEDIA and raw["settings"][key]:
            yield raw["settings"], key, f'settings, column "{key}"'
    for sheet in ("survey", "choices"):
        for number, row in enumerate(raw[sheet], start=1):
            for key in list(row):
                if key.partition("::")[0] in MEDIA and row[key]:
                    yield row, key, f'{sheet} row {number}, column "{key}"'


def _stored_name(name: str, files: Mapping[str, bytes], cell: str) -> str:
    if name not in files:
        if STORED_NAME.match(name) and storage.has_media(name):
            return name
        raise MediaError(f'{cell}: there is no file "{name}" beside the form. Put it in the folder or .zip with '
                         "the form, or correct the name in the cell.")
    suffix = PurePosixPath(name).suffix.lower()
    if _column_kind(cell) == "image":
        if suffix not in images.SUFFIXES:
            raise MediaError(f'{cell}: "{name}" is not a picture this service takes. Use PNG, JPEG, WebP or GIF.')
        try:
            return store_picture(files[name], name)
        except images.ImageError as error:
            raise MediaError(f"{cell}: {error}") from None
    if suffix not in MEDIA_SUFFIXES:
        raise MediaError(f'{cell}: "{name}" is not a recording this service takes. Use MP3, M4A, AAC, Ogg, Opus '
                         "or WAV.")
    try:
        return store_recording(files[name], name)
    except audio.AudioError as error:
        raise MediaError(f"{cell}: {error}") from None


def _column_kind(cell: str) -> str:
    """"image" for a cell in an image column ('survey sheet, row 4, column "image::Hmong (hmn)"', or the
    settings' "thanks_image")."""
    column = cell.rpartition('column "')[2].rstrip('"')
    return "image" if column.removeprefix("media::").partition("::")[0] in ("image", *SETTINGS_IMAGE) else "audio"


def store_recording(data: bytes, name: str) -> str:
    """A recording converted as families get it and stored (committed with what names it); its stored name."""
    served = audio.convert(data, name)
    stored = hashlib.sha256(served).hexdigest() + audio.SUFFIX
    storage.store_media(stored, audio.CONTENT_TYPE, served)
    return stored


def store_picture(data: bytes, name: str) -> str:
    """A picture re-encoded as families get it and stored (committed with what names it); its stored name."""
    served, width, height = images.convert(data, name)
    stored = f"{hashlib.sha256(served).hexdigest()}-{width}x{height}{images.SUFFIX}"
    storage.store_media(stored, images.CONTENT_TYPE, served)
    return stored
