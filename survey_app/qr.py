"""QR codes for survey links, as SVG for print and PNG for messages and slides.

Error correction level M survives a creased or slightly smudged flyer while keeping the
code small; the quiet zone of four modules is what phone cameras need to find it."""
from __future__ import annotations

import io

import segno

QUIET_ZONE = 4  # modules, as the QR standard asks
DARK = "#000"
LIGHT = "#fff"


def _code(url: str) -> segno.QRCode:
    # A fixed level keeps every flyer's code equally robust; micro codes are not read by all phones.
    return segno.make(url, error="m", boost_error=False, micro=False)


def qr_svg(url: str) -> bytes:
    """The link as an SVG document that scales to any size (a viewBox, no fixed width)."""
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="svg", scale=10, border=QUIET_ZONE, dark=DARK, light=LIGHT, omitsize=True)
    return buffer.getvalue()


def qr_png(url: str, scale: int = 10) -> bytes:
    """The link as a PNG image, `scale` pixels per module."""
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="png", scale=scale, border=QUIET_ZONE, dark=DARK, light=LIGHT)
    return buffer.getvalue()
