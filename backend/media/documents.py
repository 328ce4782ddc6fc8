"""Files that answer a procedure's questions (issue 17, point 2): a proof of address, a plan, a certificate.

Checked by their content, never by their name or the type the client claims: a PDF is kept as sent once its
header and trailer say it is one; a photo (JPEG, PNG) goes through the photo pipeline, which decodes it within its
pixel limits and writes a new JPEG without its metadata (no polyglot survives it). Anything else is refused.

Private: kept in DATA_DIR/request-files/<ref>/<question>.<ext>, outside the media folder the public reads; served
only to the request's author and its staff (GET /api/v1/requests/{ref}/files/{code}). Written under temporary
names with the request's transaction and renamed after it commits, like photos; a row deleted (erasure, retention)
leaves its file to `sweep`, which callers run at once and the worker every round.
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.config import Settings
from backend.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from backend.media import service as media
from backend.media.models import Attachment
from backend.media.store import write_temporary

log = logging.getLogger("guichet.documents")
TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg"}
EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg"}


@dataclass(frozen=True)
class CheckedDocument:
    """An upload that passed the content check: the bytes to keep and their kind."""

    data: bytes
    kind: str  # pdf | jpeg
    name: str


def folder(settings: Settings) -> Path:
    return Path(settings.data_dir) / "request-files"


def clean_name(name: str, kind: str) -> str:
    """A file name safe to show and to offer for download: letters, digits, dots, dashes; the right extension."""
    stem = unicodedata.normalize("NFKD", Path(name or "").stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:80] or "document"
    return f"{stem}.{EXTENSIONS[kind]}"


def check(data: bytes, settings: Settings, *, field: str, name: str = "", max_bytes: int | None = None) -> CheckedDocument:
    """The document to keep, or a clear refusal. CPU-bound for photos: run it in a thread."""
    limit = max_bytes or settings.max_file_bytes
    if not data:
        raise ValidationFailed("This file is empty.", code="required", field=field)
    if len(data) > limit:
        raise PayloadTooLarge(f"A file may weigh at most {limit // 1_048_576} MB.", field=field,
                              params={"mb": limit // 1_048_576})
    if data[:5] == b"%PDF-":
        if b"%%EOF" not in data[-2048:]:
            raise ValidationFailed("This PDF is cut short.", code="unsupported_document", field=field)
        return CheckedDocument(data, "pdf", clean_name(name, "pdf"))
    try:
        photo = media.prepare(data, max_pixels=settings.max_photo_megapixels * 1_000_000,
                              max_full_decode_pixels=settings.max_full_decode_megapixels * 1_000_000)
    except PayloadTooLarge:  # too many pixels (a decompression bomb among them)
        raise PayloadTooLarge("This image has too many pixels.", code="image_too_large", field=field) from None
    except (UnsupportedMediaType, ValidationFailed):  # not an image, unreadable, or two files in one
        raise ValidationFailed("Attach a PDF, a JPEG or a PNG.", code="unsupported_document", field=field) from None
    return CheckedDocument(photo.display, "jpeg", clean_name(name, "jpeg"))


async def check_all(uploads: dict[str, tuple[str, bytes]], settings: Settings) -> dict[str, CheckedDocument]:
    """{question: (file name, bytes)} checked one after the other, off the event loop."""
    out = {}
    for code, (name, data) in uploads.items():
        out[code] = await asyncio.to_thread(check, data, settings, field=f"attributes.{code}", name=name)
    return out


class DocumentWriter(media.StagedFiles):
    """Stages the documents of a new request with its transaction: temporary files and rows; `commit()` renames
    the files, `discard()` removes them (the same contract as media.PhotoWriter)."""

    def __init__(self, settings: Settings, documents: dict[str, CheckedDocument]):
        super().__init__()
        self.root = folder(settings)
        self.documents = documents

    def _write(self, ref: str) -> list[tuple[str, CheckedDocument]]:
        out = []
        for code, doc in self.documents.items():
            rel = f"{ref}/{code}.{EXTENSIONS[doc.kind]}"
            final = self.root / rel
            temp = write_temporary(final, doc.data, folder_mode=0o700)
            temp.chmod(0o600)
            self.pending.append((temp, final))
            out.append((rel, doc))
        return out

    async def stage(self, *, request: Any, conn: Any, **_: Any) -> list[Attachment]:
        written = await asyncio.to_thread(self._write, request.ref)
        return [await Attachment.create(request=request, code=rel.split("/")[-1].rsplit(".", 1)[0], name=doc.name,
                                        kind=doc.kind, bytes=len(doc.data), path=rel, using_db=conn)
                for rel, doc in written]


class Writers:
    """Several writers staged, committed and discarded as one (a request's photos and its documents)."""

    def __init__(self, *writers: Any):
        self.writers = [w for w in writers if w is not None]

    def __bool__(self) -> bool:
        return bool(self.writers)

    async def stage(self, **kwargs: Any) -> None:
        for writer in self.writers:
            await writer.stage(**kwargs)

    def commit(self) -> None:
        for writer in self.writers:
            writer.commit()

    def discard(self) -> None:
        for writer in self.writers:
            writer.discard()


async def of_requests(request_ids: list[int]) -> dict[int, list[Attachment]]:
    out: dict[int, list[Attachment]] = {}
    for row in await Attachment.filter(request_id__in=request_ids).order_by("id") if request_ids else []:
        out.setdefault(row.request_id, []).append(row)  # type: ignore[attr-defined]
    return out


async def forget(request_ids: list[int]) -> int:
    """Deletes the documents of these requests (erasure, retention); their files go at the next `sweep`."""
    if not request_ids:
        return 0
    return await Attachment.filter(request_id__in=request_ids).delete()


TEMP_GRACE_SECONDS = 600


def _sweep(root: Path, held: set[str]) -> int:
    if not root.is_dir():
        return 0
    recent = time.time() - TEMP_GRACE_SECONDS
    gone = 0
    for request_dir in root.iterdir():
        for path in request_dir.iterdir() if request_dir.is_dir() else []:
            rel = f"{request_dir.name}/{path.name}"
            # A temporary file is a creation in flight (or one that crashed: it goes after a while); a final name
            # appears only once its row is committed, so a final file no row holds is one whose row was deleted.
            young = path.name.startswith(".") and path.stat().st_mtime > recent
            if rel not in held and not young:
                path.unlink(missing_ok=True)
                gone += 1
        if request_dir.is_dir() and not any(request_dir.iterdir()):
            request_dir.rmdir()
    return gone


async def sweep(settings: Settings) -> int:
    """Removes the files no row holds any more: at once after an erasure, and every round of the worker."""
    held = set(await Attachment.all().values_list("path", flat=True))
    try:
        return await asyncio.to_thread(_sweep, folder(settings), held)
    except OSError as exc:  # a race with a creation making its folder; the next round finishes
        log.warning("request files sweep: %r", exc)
        return 0
