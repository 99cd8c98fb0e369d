"""What staff upload, built in memory: a multipart request body and photo-like pictures."""
from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825


def multipart(fields: dict[str, str], field: str, content: bytes, filename: str = "upload.xlsx") -> tuple[bytes, str]:
    """A multipart body built in memory (the test client would spool a large one to a temporary file)."""
    boundary = "----boundary7f3a"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def picture(fmt: str, size: tuple[int, int] = (1600, 1200), gps: bool = False) -> bytes:
    """A photo-like picture (a gradient with grain), with GPS EXIF when asked."""
    gradient, grain = Image.linear_gradient("L").resize(size), Image.effect_noise(size, 24)
    image = Image.merge("RGB", (gradient, grain, Image.blend(gradient, grain, 0.5)))
    out = io.BytesIO()
    extra = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (13.0, 45.0, 3.0), 3: "E", 4: (100.0, 30.0, 7.0)})
        extra["exif"] = exif.tobytes()
    image.save(out, fmt, **extra)
    return out.getvalue()
