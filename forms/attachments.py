"""A form with its attachments: an XLSForm and the media files beside it, in a folder or a .zip,
as ODK Central and KoboToolbox take form attachments.

Nothing is unpacked to disk: the files are read into memory under limits checked before each read
(how many, how large each and all together, how much a file may have been compressed), so a zip
bomb is refused from the zip's directory and a name such as `../../etc/passwd` is refused, never
followed. Attachments are found by their file name, wherever they sit in the bundle, as the
`audio` or `image` cell names them.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .survey import DefinitionError

FORM_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".md")
MEDIA_SUFFIXES = (".mp3", ".m4a", ".aac", ".mp4", ".ogg", ".oga", ".opus", ".wav", ".webm", ".flac")
MAX_FILES = 500
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
# Audio hardly compresses; a zip entry that unpacks to more than this many times its size is a trap.
MAX_RATIO = 100
# Left by operating systems in folders and zips; never part of a form.
_IGNORED_PARTS = ("__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini")


class AttachmentError(DefinitionError):
    """A bundle that cannot be read safely; the message names the file and says what to do."""


@dataclass
class FormBundle:
    """The XLSForm's name and content, and each other file by its name."""
    form_name: str
    form: bytes
    files: dict[str, bytes] = field(default_factory=dict)


def read_path(path: Path) -> FormBundle:
    """A form from the command line: a folder, a .zip, or the XLSForm file alone."""
    if path.is_dir():
        return read_folder(path)
    return read_upload(path.read_bytes(), path.name)


def read_upload(content: bytes, filename: str) -> FormBundle:
    """An uploaded file: a .zip holding a form and its files, or the XLSForm alone."""
    if filename.lower().endswith(".zip") or is_zip(content):
        return read_zip(content)
    return FormBundle(filename, content)


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" and _zip_holds_a_form(data)


def _zip_holds_a_form(data: bytes) -> bool:
    """An .xlsx workbook is a zip too: a bundle is a zip with a form inside, a workbook is not."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(_is_form(name) for name in archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False


def _is_form(name: str) -> bool:
    base = PurePosixPath(name).name
    return base.lower().endswith(FORM_SUFFIXES) and not base.startswith(("~$", ".")) and not _ignored(name)


def _ignored(name: str) -> bool:
    return any(part in _IGNORED_PARTS or part.startswith("._") for part in PurePosixPath(name).parts)


def read_zip(data: bytes) -> FormBundle:
    """The form and attachments of a .zip, checked from its directory before anything is unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise AttachmentError("The .zip file could not be opened. Make it again and try again.") from None
    with archive:
        entries = [entry for entry in archive.infolist() if not entry.is_dir() and not _ignored(entry.filename)]
        _check_count(len(entries))
        total = 0
        for entry in entries:
            _check_name(entry.filename)
            _check_size(entry.filename, entry.file_size)
            if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
                raise AttachmentError(f'"{entry.filename}" in the .zip unpacks to {entry.file_size} bytes from '
                                      f"{entry.compress_size}: it is not a form, a recording or a picture.")
            total += entry.file_size
        _check_total(total)
        contents: dict[str, bytes] = {}
        for entry in entries:
            try:
                with archive.open(entry) as stream:
                    # Read one byte past the limit: the directory's sizes may lie.
                    content = stream.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
                raise AttachmentError(f'"{entry.filename}" in the .zip could not be read (damaged or encrypted). '
                                      "Make the .zip again without a password.") from None
            _check_size(entry.filename, len(content))
            contents[entry.filename] = content
    return _bundle(contents)


def read_folder(folder: Path) -> FormBundle:
    """The form and attachments of a folder (and its sub-folders); links out of it are not followed."""
    root = folder.resolve()
    contents: dict[str, bytes] = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or _ignored(relative):
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            raise AttachmentError(f'"{relative}" is a link to a file outside the folder. Copy the file into the '
                                  "folder instead.")
        _check_count(len(contents) + 1)
        size = path.stat().st_size
        _check_size(relative, size)
        total += size
        _check_total(total)
        contents[relative] = path.read_bytes()
    return _bundle(contents)


def _bundle(contents: dict[str, bytes]) -> FormBundle:
    forms = [name for name in contents if _is_form(name)]
    if not forms:
        raise AttachmentError("There is no XLSForm (.xlsx, .xls, .csv or .md) in it. Put the form beside its "
                              "recordings and try again.")
    # A .csv beside a workbook is a list of choices (select_one_from_file), not a second form.
    forms = [name for name in forms if not name.lower().endswith(".csv")] or forms
    if len(forms) > 1:
        raise AttachmentError(f"There are {len(forms)} forms in it ({', '.join(sorted(forms))}); it may hold one. "
                              "Keep one form with its recordings.")
    files: dict[str, bytes] = {}
    for name, content in contents.items():
        if name == forms[0]:
            continue
        base = PurePosixPath(name).name
        if base in files:
            raise AttachmentError(f'Two files are named "{base}". Files are found by their name, so each name '
                                  "may be used once. Rename one, and the cell that names it.")
        files[base] = content
    return FormBundle(PurePosixPath(forms[0]).name, contents[forms[0]], files)


def _check_name(name: str) -> None:
    normal = posixpath.normpath(name.replace("\\", "/"))
    if name.startswith(("/", "\\")) or normal.startswith("..") or ":" in PurePosixPath(normal).parts[0]:
        raise AttachmentError(f'The .zip holds "{name}", a name that points outside the .zip. Make the .zip '
                              "again from the folder that holds the form.")


def _check_count(count: int) -> None:
    if count > MAX_FILES:
        raise AttachmentError(f"It holds more than {MAX_FILES} files. Keep only the form and the files it names.")


def _check_size(name: str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise AttachmentError(f'"{name}" is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. A recording of a '
                              "question is much smaller: shorten it or save it at a lower quality.")


def _check_total(total: int) -> None:
    if total > MAX_TOTAL_BYTES:
        raise AttachmentError(f"Unpacked, it holds more than {MAX_TOTAL_BYTES // (1024 * 1024)} MB. Keep only the "
                              "form and the files it names.")
