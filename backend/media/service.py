"""The photo pipeline: sniff the type, refuse bombs and polyglots, read GPS, orient, strip, resize, store."""
from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator

from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener
from tortoise.expressions import Q

from backend import sql
from backend.ratelimit import service as ratelimit
from backend.errors import ImageTooLarge, ImageUnreadable, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from backend.media.models import Photo
from backend.media.store import store_of

register_heif_opener()
Image.MAX_IMAGE_PIXELS = None  # our own limit is checked from the header, before any pixel is decoded
DISPLAY_SIDE = 2048
THUMB_SIDE = 480
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
# Markers of another format hidden in an image: a ZIP archive, HTML or script, PHP, SVG.
_FOREIGN = re.compile(rb"PK\x03\x04|PK\x05\x06|<\s*(html|script|body|iframe|svg|\?php)", re.IGNORECASE)


@dataclass
class PreparedPhoto:
    """A photo decoded, upright and re-encoded without metadata, not yet on disk."""

    digest: str
    display: bytes
    thumbnail: bytes
    width: int
    height: int
    gps: tuple[float, float] | None


def sniff(data: bytes) -> str:
    """The image type from its magic bytes; the name and the declared type are never trusted."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "heif"
    raise UnsupportedMediaType("Only JPEG, PNG, WebP and HEIC photos are accepted.", field="photo")


def _check_not_polyglot(data: bytes, kind: str) -> None:
    end = {"jpeg": b"\xff\xd9", "png": b"IEND\xaeB`\x82"}.get(kind)
    trailing = b""
    if end is not None:
        cut = data.rfind(end)
        trailing = data[cut + len(end):] if cut >= 0 else b""
    if _FOREIGN.search(data) or len(trailing.strip(b"\x00")) > 64:
        raise ValidationFailed("This file hides other content inside the image; send a plain photo.",
                               code="image_polyglot", field="photo")


def _rational(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ZeroDivisionError, ValueError):
        num, den = value
        return num / den


def read_gps(image: Image.Image) -> tuple[float, float] | None:
    """The position recorded by the camera, if any (EXIF GPS IFD), as (lat, lon)."""
    try:
        gps = image.getexif().get_ifd(0x8825)
        if not gps or 2 not in gps or 4 not in gps:
            return None
        lat = sum(_rational(v) / 60 ** i for i, v in enumerate(gps[2]))
        lon = sum(_rational(v) / 60 ** i for i, v in enumerate(gps[4]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError):
        return None
    if gps.get(1, "N") in ("S", b"S"):
        lat = -lat
    if gps.get(3, "E") in ("W", b"W"):
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return round(lat, 6), round(lon, 6)


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # A new file with no metadata: Pillow would copy the source's COM segment (info["comment"]) on its own.
    image.info = {}
    image.save(out, "JPEG", quality=82, optimize=True, comment=b"")
    return out.getvalue()


def prepare(data: bytes, *, max_pixels: int, max_full_decode_pixels: int | None = None) -> PreparedPhoto:
    """Decodes and re-encodes one photo (CPU-bound: run it in a thread).

    A JPEG is decoded at a fraction of its size (DCT scaling), so its cost hardly grows with its pixels; other
    formats (PNG, HEIC, WebP) are decoded whole, and `max_full_decode_pixels` bounds that work."""
    if not data:
        raise ImageUnreadable("This file is empty.", field="photo")
    kind = sniff(data)
    _check_not_polyglot(data, kind)
    try:
        image = Image.open(io.BytesIO(data))
        limit = max_pixels if kind == "jpeg" or max_full_decode_pixels is None else min(max_pixels,
                                                                                       max_full_decode_pixels)
        if image.width * image.height > limit:
            raise ImageTooLarge(f"This image has {image.width * image.height // 1_000_000} million pixels; "
                                f"at most {limit // 1_000_000} million are accepted"
                                f"{'' if kind == 'jpeg' else ' in this format'}.", field="photo",
                                params={"megapixels": limit // 1_000_000})
        gps = read_gps(image)
        orientation = image.getexif().get(0x0112, 1)
        if kind == "jpeg":
            image.draft("RGB", (DISPLAY_SIDE // 2, DISPLAY_SIDE // 2))
        image.load()
        if orientation != 1:
            image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        elif image.mode == "L":
            image = image.convert("RGB")
        image.thumbnail((DISPLAY_SIDE, DISPLAY_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
        display = _encode(image)
        thumb = image.copy()
        # A gap of 2 reduces by whole factors first: a third of the photo's time, for a 480 px image that
        # nobody tells from a full Lanczos one.
        thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
        thumbnail = _encode(thumb)
    except (ImageTooLarge, ValidationFailed):
        raise
    except Image.DecompressionBombError:
        raise ImageTooLarge(field="photo") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ImageUnreadable(field="photo") from None
    return PreparedPhoto(hashlib.sha256(display).hexdigest(), display, thumbnail, image.width, image.height, gps)


async def prepare_all(uploads: list[bytes], *, settings: Any, gate: asyncio.Semaphore,
                      caller: str = "") -> list[PreparedPhoto]:
    """Prepares photos off the event loop, at most `IMAGE_WORKERS` at once across the process, within the
    caller's hourly photo budget (PHOTOS_PER_HOUR: decoding is the costliest thing anyone can ask of us)."""
    if len(uploads) > settings.max_photos:
        raise ValidationFailed(f"At most {settings.max_photos} photos per request.", code="too_many_photos",
                               field="photo", params={"max": settings.max_photos})
    for data in uploads:
        if len(data) > settings.max_photo_bytes:
            raise PayloadTooLarge(f"A photo may weigh at most {settings.max_photo_bytes // 1_048_576} MB.",
                                  field="photo", params={"mb": settings.max_photo_bytes // 1_048_576})

    if uploads and caller:
        await ratelimit.consume(key=f"photos:{caller}", limit=settings.photos_per_hour, window_seconds=3600,
                                amount=len(uploads), message="Too many photos sent this hour; try again later.")

    async def one(data: bytes) -> PreparedPhoto:
        async with gate:
            return await asyncio.to_thread(prepare, data, max_pixels=settings.max_photo_megapixels * 1_000_000,
                                           max_full_decode_pixels=settings.max_full_decode_megapixels * 1_000_000)

    return list(await asyncio.gather(*(one(d) for d in uploads)))


class StagedFiles:
    """Files written under temporary names with a transaction: `commit()` renames them once it succeeded,
    `discard()` removes them when it failed; `pending` holds (temporary, final) pairs."""

    def __init__(self) -> None:
        self.pending: list[tuple[Path, Path]] = []

    def commit(self) -> None:
        for temp, final in self.pending:
            os.replace(temp, final)
        self.pending.clear()

    def discard(self) -> None:
        for temp, _ in self.pending:
            temp.unlink(missing_ok=True)
        self.pending.clear()


class PhotoWriter:
    """Writes prepared photos to the store before their rows; `commit()` makes them final once the transaction
    succeeded, `discard()` drops them when it failed (store.py: a folder renames, a bucket has nothing to do).

    The database rows and the files therefore appear together or not at all.
    """

    def __init__(self, settings: Any, photos: list[PreparedPhoto]):
        self.store = store_of(settings)
        self.photos = photos
        self.pending: list[Any] = []

    def _paths(self, digest: str, now: datetime) -> tuple[str, str]:
        folder = f"{now:%Y}/{now:%m}"
        return f"{folder}/{digest}.jpg", f"{folder}/{digest}_t.jpg"

    def _write(self, now: datetime) -> list[tuple[str, str]]:
        names = []
        for photo in self.photos:
            display, thumb = self._paths(photo.digest, now)
            for rel, content in ((display, photo.display), (thumb, photo.thumbnail)):
                self.pending.append(self.store.stage(rel, content))
            names.append((display, thumb))
        return names

    def commit(self) -> None:
        for staged in self.pending:
            self.store.commit(staged)
        self.pending.clear()

    def discard(self) -> None:
        for staged in self.pending:
            self.store.discard(staged)
        self.pending.clear()

    async def stage(self, *, request: Any, uploaded_by: Any, role: str, conn: Any) -> list[Photo]:
        """Writes the temporary files and the Photo rows (in the caller's transaction)."""
        now = datetime.now(timezone.utc)
        names = await asyncio.to_thread(self._write, now)
        rows = []
        for photo, (display, thumb) in zip(self.photos, names):
            rows.append(await Photo.create(request=request, path=display, thumbnail_path=thumb, width=photo.width,
                                           height=photo.height, bytes=len(photo.display), role=role,
                                           uploaded_by=uploaded_by, using_db=conn))
        if rows:  # the request's count, in the same transaction (lists then skip the photo query for most rows)
            where = sql.Where().add("id = {}", request.id)
            await conn.execute_query(f"UPDATE service_request SET photo_count = photo_count + {len(rows)} WHERE {where}",
                                     where.values)
        return rows


@asynccontextmanager
async def files_follow(writer: PhotoWriter | None) -> AsyncIterator[None]:
    """The staged photo files stay if the block (its transaction) succeeds, and go if it fails."""
    try:
        yield
    except BaseException:
        if writer is not None:
            writer.discard()
        raise
    if writer is not None:
        writer.commit()


async def forget_files(settings: Any, names: list[str]) -> int:
    """Removes these stored photos, but not one that a Photo row still holds (one picture sent to two requests
    is one file): called once their rows are gone. How many were removed."""
    names = sorted(set(names))
    if not names:
        return 0
    held = set()
    for row in await Photo.filter(Q(path__in=names) | Q(thumbnail_path__in=names)).values("path", "thumbnail_path"):
        held |= {row["path"], row["thumbnail_path"]}
    gone = [n for n in names if n not in held]
    store = store_of(settings)
    await asyncio.to_thread(lambda: [store.delete(n) for n in gone])
    return len(gone)


async def photos_of(request_ids: list[int]) -> dict[int, list[dict]]:
    """The photos of these requests as plain rows, in the order they were added."""
    out: dict[int, list[dict]] = {}
    if not request_ids:
        return out
    where = sql.Where().any_of("request_id", request_ids)
    rows = await sql.rows("SELECT request_id, path, thumbnail_path, width, height, role, hidden FROM photo "
                          f"WHERE {where} ORDER BY id", where.values, quick=True)
    for row in rows:
        out.setdefault(row["request_id"], []).append(row)
    return out


async def holders_of_file(path: str) -> list[Photo]:
    """Every Photo row of this file (as a display copy or a thumbnail), with its request: one content may be sent
    to several requests."""
    return await Photo.filter(Q(path=path) | Q(thumbnail_path=path)).prefetch_related("request")


async def set_hidden(*, request_id: int, path: str, hidden: bool, conn: Any) -> int:
    """Hides a photo of this request from the public, or shows it again; how many rows changed (0: not its photo)."""
    return await Photo.filter(Q(path=path) | Q(thumbnail_path=path), request_id=request_id).using_db(conn) \
        .update(hidden=hidden)


def dump_photo(photo: dict) -> dict:
    return {"url": f"/media/{photo['path']}", "thumbnail_url": f"/media/{photo['thumbnail_path']}",
            "width": photo["width"], "height": photo["height"], "role": photo["role"],
            "hidden": bool(photo.get("hidden"))}
