"""Photos made with Pillow for the tests: real files of every kind the pipeline must accept or refuse."""
from __future__ import annotations

import io
import zipfile
from fractions import Fraction

from PIL import Image

GPS_POINT = (46.6731, 6.8542)  # inside Brenles


def _dms(value: float) -> tuple:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = Fraction((value - degrees - minutes / 60) * 3600).limit_denominator(10000)
    return (Fraction(degrees), Fraction(minutes), seconds)


def jpeg(width: int = 4000, height: int = 3000, *, gps: tuple[float, float] | None = GPS_POINT,
         orientation: int = 6, comment: bytes | None = None) -> bytes:
    """A camera-like JPEG: the top half red, the bottom half blue, EXIF orientation and GPS."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, height // 2, width, height))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "TestCam"
    if gps:
        exif[0x8825] = {1: "N", 2: _dms(gps[0]), 3: "E", 4: _dms(gps[1])}
    out = io.BytesIO()
    extra = {"comment": comment} if comment else {}
    image.save(out, "JPEG", quality=85, exif=exif, **extra)
    return out.getvalue()


def png(width: int = 800, height: int = 600, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 120, 10, 128) if mode == "RGBA" else 1).save(out, "PNG")
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (0, 90, 200)).save(out, "WEBP")
    return out.getvalue()


def heic() -> bytes:
    from pillow_heif import register_heif_opener
    register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 90, 20)).save(out, "HEIF")
    return out.getvalue()


def truncated() -> bytes:
    data = jpeg(1200, 900, gps=None, orientation=1)
    return data[: len(data) // 2]


def bomb() -> bytes:
    """225 million pixels that compress to a few kilobytes."""
    out = io.BytesIO()
    Image.new("1", (15000, 15000), 0).save(out, "PNG", optimize=True)
    return out.getvalue()


def zip_polyglot() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("evil.html", "<script>alert(1)</script>")
    return jpeg(800, 600, gps=None, orientation=1) + archive.getvalue()


def html_polyglot() -> bytes:
    return jpeg(800, 600, gps=None, orientation=1, comment=b"<html><script>alert(document.cookie)</script></html>")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
TEXT_AS_JPG = b"This is not an image at all, just text named photo.jpg\n"
