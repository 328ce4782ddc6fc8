"""The copy of an identity document a staff applicant may attach to their request (issue 19, point 4).

Private: kept outside the media folder (DATA_DIR/identity-documents, the owner's only), shown to the applicant and
to those who decide, never cached; deleted as soon as the request is accepted, refused or withdrawn. A PDF is kept
as sent (checked by its header and trailer); a photo (JPEG, PNG) goes through the photo pipeline, which decodes it
with its pixel limits and writes a new JPEG without its metadata (no polyglot survives it).
"""
from __future__ import annotations

import asyncio
import logging
import secrets
import time
from pathlib import Path
from typing import Any

from backend.accounts import access
from backend.accounts.models import AccessKind, AccessRequest
from backend.audit import service as audit
from backend.config import Settings
from backend.errors import NotFound, PayloadTooLarge, ValidationFailed
from backend.media import documents

log = logging.getLogger("guichet.access")


def folder(settings: Settings) -> Path:
    path = Path(settings.data_dir) / "identity-documents"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _checked(data: bytes, settings: Settings) -> tuple[bytes, str]:
    """(bytes to keep, type) of an upload, or a clear refusal (media/documents.py). CPU-bound: run in a thread."""
    doc = documents.check(data, settings, field="document", max_bytes=settings.identity_document_max_bytes)
    return doc.data, doc.kind


async def attach(*, viewer: Any, request_id: int, data: bytes, settings: Settings) -> AccessRequest:
    user = viewer.require_user()
    req = await AccessRequest.get_or_none(id=request_id, applicant_id=user.id)
    if req is None:
        raise NotFound("No such request of yours.", code="unknown_access_request")
    if req.status not in access.OPEN or req.kind not in (AccessKind.ACCOUNT, AccessKind.SECRETARY):
        raise ValidationFailed("An identity document goes with an open request for an account or to be secretary.",
                               code="invalid", field="document")
    if len(data) > settings.identity_document_max_bytes:
        raise PayloadTooLarge(f"A document may weigh at most {settings.identity_document_max_bytes // 1_048_576} MB.",
                              field="document", params={"mb": settings.identity_document_max_bytes // 1_048_576})
    if not data:
        raise ValidationFailed("This file is empty.", code="required", field="document")
    kept, kind = await asyncio.to_thread(_checked, data, settings)
    name = f"{req.id}-{secrets.token_hex(16)}.{'pdf' if kind == 'pdf' else 'jpg'}"
    path = folder(settings) / name
    await asyncio.to_thread(path.write_bytes, kept)
    path.chmod(0o600)
    previous = req.document_name
    req.document_name, req.document_type = name, kind
    await req.save(update_fields=["document_name", "document_type"])
    if previous:
        (folder(settings) / previous).unlink(missing_ok=True)
    await audit.record(action="access.document_added", actor=user, organisation_id=req.organisation_id,
                       target=f"access:{req.id}", detail={"type": kind})
    return req


async def document_of(*, viewer: Any, request_id: int, settings: Settings) -> tuple[Path, str]:
    """The file and its media type, for the applicant and those who decide; unknown to anyone else."""
    user = viewer.require_user()
    req = await AccessRequest.get_or_none(id=request_id).select_related("organisation", "service")
    if req is None or not req.document_name or (req.applicant_id != user.id and not await access.may_decide(viewer, req)):
        raise NotFound("No such document.", code="unknown_document")
    return folder(settings) / req.document_name, documents.TYPES[req.document_type]


async def discard(req: AccessRequest, settings: Settings) -> None:
    """After the decision or the withdrawal: the copy goes."""
    if not req.document_name:
        return
    name = req.document_name
    await AccessRequest.filter(id=req.id).update(document_name="", document_type="")
    (folder(settings) / name).unlink(missing_ok=True)


async def sweep(settings: Settings) -> int:
    """Removes the copies no open request holds (an account deleted takes its requests with it)."""
    held = set(await AccessRequest.exclude(document_name="").values_list("document_name", flat=True))
    recent = time.time() - 300  # a copy being attached is written before its request names it
    gone = 0
    for path in folder(settings).iterdir():
        if path.name not in held and path.stat().st_mtime < recent:
            path.unlink(missing_ok=True)
            gone += 1
    return gone
