"""Pictures as families' phones show them: PNG, JPEG, WebP or GIF in, one small WebP out.

Every picture is decoded and drawn again, never passed through: at most `MAX_SIDE` pixels on its
long side (a phone's screen is narrower), as WebP at a quality where a photo or a drawing still
reads well (a photo of 800 x 600 is some 40 kB), and with nothing but the pixels: EXIF (which can
hold where and when a photo was taken, and the phone that took it), XMP, ICC profiles and comments
are left behind. WebP is shown by every current phone browser (Safari since iOS 14) and is about a
third smaller than JPEG at the same look; it keeps a drawing's transparency. A GIF is shown still,
as its first frame. A file that is not one of these, or cannot be decoded, is refused with its name.
"""
from __future__ import annotations

import io
import re
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

CONTENT_TYPE = "image/webp"
SUFFIX = ".webp"
SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")
MAX_SIDE = 800
MAX_BYTES = 5 * 1024 * 1024
# A small file can describe a huge picture; decoding one this large would take the server's memory.
MAX_PIXELS = 40_000_000
_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
_QUALITY = 70
# The stored name says the picture's size, so a page can reserve its place before it arrives.
SIZE_IN_NAME = re.compile(r"-(\d+)x(\d+)\.webp$")


class ImageError(ValueError):
    """A picture that could not be used; the message says why, for the file's name."""


def convert(data: bytes, name: str) -> tuple[bytes, int, int]:
    """`data` as a small WebP without metadata, with its width and height."""
    if len(data) > MAX_BYTES:
        raise ImageError(f'"{name}" is larger than {MAX_BYTES // (1024 * 1024)} MB. Save it smaller '
                         f"(a picture needs no more than {MAX_SIDE} pixels on its long side) and try again.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=_FORMATS) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise ImageError(f'"{name}" is {opened.width} x {opened.height} pixels, too many to read. '
                                     f"Save it with no more than {MAX_SIDE} pixels on its long side.")
                opened.seek(0)
                # A phone's photo may be stored sideways with EXIF saying how to turn it.
                picture = ImageOps.exif_transpose(opened)
                picture.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError,
            Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        if isinstance(error, ImageError):
            raise
        raise ImageError(_unreadable(name)) from None
    picture = picture.convert("RGBA" if _transparent(picture) else "RGB")
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image holds the pixels only: nothing of the file's metadata comes along.
    clean = Image.new(picture.mode, picture.size)
    clean.paste(picture)
    out = io.BytesIO()
    clean.save(out, "WEBP", quality=_QUALITY, method=6)
    return out.getvalue(), clean.width, clean.height


def size_of(stored: str) -> tuple[int, int] | None:
    """(width, height) from a stored picture's name, None for another name."""
    found = SIZE_IN_NAME.search(stored)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _transparent(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)


def _unreadable(name: str) -> str:
    return f'"{name}" could not be read as a picture. Save it as PNG, JPEG or WebP and try again.'
