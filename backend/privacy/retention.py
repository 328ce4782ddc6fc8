"""Retention: what personal data is kept how long (the RETENTION_* settings), and the purge the worker runs.

The purge is idempotent (what it already removed no longer matches), batched (BATCH rows per statement, so that a
first run on a years-old database never holds a long lock), and says what it did: a log line and an audit entry
`privacy.purged` with its counts, which the staff's retention page shows.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.expressions import F, Q, Subquery

from backend.accounts.models import Session
from backend.audit import service as audit
from backend.audit.models import AuditEntry
from backend.config import Settings
from backend.lostfound.models import Claim, Item
from backend.media import documents, service as media
from backend.media.models import Photo
from backend.push.models import Message, Outbox, OutboxStatus, PushSubscription
from backend.requests.models import OPEN_STATUSES, ServiceRequest
from backend.requests.service import utcnow

log = logging.getLogger("guichet.retention")
BATCH = 500
ERASED = "[effacé]"
EVERY_SECONDS = 6 * 3600
_last = {"at": float("-inf")}

# (setting, what it keeps, in French and English): the rules the staff page and the privacy notice show.
RULES = (
    ("retention_contact_days", "Coordonnées données avec une demande, après sa clôture",
     "Contact details given with a request, after it is closed"),
    ("retention_personal_days", "Texte, réponses et photos non publiques d'une demande, après sa clôture",
     "Text, answers and non-public photos of a request, after it is closed"),
    ("retention_lostfound_days", "Objets perdus et trouvés, après le sort de l'objet",
     "Lost and found objects, after the object's fate"),
    ("retention_audit_days", "Journal des actions du personnel", "Log of staff actions"),
    ("retention_log_days", "Traces techniques : envois, messages, sessions terminées",
     "Technical traces: deliveries, messages, ended sessions"),
)


def rules(settings: Settings, language: str) -> list[dict[str, Any]]:
    return [{"setting": name.upper(), "days": getattr(settings, name), "what": fr if language == "fr" else en}
            for name, fr, en in RULES]


async def last_purge() -> dict[str, Any] | None:
    entry = await AuditEntry.filter(action="privacy.purged").order_by("-id").first()
    return {"at": entry.at.isoformat(), "counts": entry.detail} if entry else None


async def _in_batches(query: Any, apply: Any) -> int:
    """Runs `apply(ids)` on the ids `query` matches, BATCH at a time, until none match; the number done."""
    done = 0
    while True:
        ids = [row["id"] for row in await query.limit(BATCH).values("id")]
        if not ids:
            return done
        await apply(ids)
        done += len(ids)
        if len(ids) < BATCH:
            return done


def _closed_before(cutoff: datetime) -> Q:
    return Q(updated_at__lt=cutoff) & ~Q(status__in=list(OPEN_STATUSES))


async def _contacts(cutoff: datetime) -> int:
    stale = ServiceRequest.filter(_closed_before(cutoff)).filter(
        Q(contact_email__not="") | Q(contact_name__not="") | Q(contact_phone__not="") | Q(tracking_token_hash__not_isnull=True))

    async def clear(ids: list[int]) -> None:
        await PushSubscription.filter(request_id__in=ids).delete()
        await ServiceRequest.filter(id__in=ids).update(contact_email="", contact_name="", contact_phone="",
                                                       tracking_token_hash=None)
    return await _in_batches(stale.order_by("id"), clear)


async def _personal_fields(cutoff: datetime, settings: Settings) -> tuple[int, int]:
    items = Subquery(Item.all().values("request_id"))  # lost and found keep to their own period
    # A procedure's answers are its text: a form request may have no description but answers and files.
    private = ServiceRequest.filter(_closed_before(cutoff), public=False).filter(
        Q(description__not="") | Q(attributes__not={})).exclude(id__in=items)

    async def clear(ids: list[int]) -> None:
        await ServiceRequest.filter(id__in=ids).update(description="", attributes={})
        await documents.forget(ids)
    texts = await _in_batches(private.order_by("id"), clear)
    closed = Subquery(ServiceRequest.filter(_closed_before(cutoff)).exclude(id__in=items).values("id"))
    photos = Photo.filter(Q(hidden=True) | Q(request__public=False), request_id__in=closed)
    return texts, await _delete_photos(photos, settings)


async def _delete_photos(query: Any, settings: Settings) -> int:
    """Deletes the photos `query` matches, their files and their count on the request."""
    files: list[str] = []

    async def delete(ids: list[int]) -> None:
        per_request: dict[int, int] = {}
        for row in await Photo.filter(id__in=ids).values("path", "thumbnail_path", "request_id"):
            files.extend((row["path"], row["thumbnail_path"]))
            per_request[row["request_id"]] = per_request.get(row["request_id"], 0) + 1
        await Photo.filter(id__in=ids).delete()
        for request_id, n in per_request.items():  # lists ask for photos only where the count says there are
            await ServiceRequest.filter(id=request_id).update(photo_count=F("photo_count") - n)
    done = await _in_batches(query.order_by("id"), delete)
    await media.forget_files(settings, files)
    return done


async def _lost_and_found(cutoff: datetime, settings: Settings) -> int:
    stale = Item.filter(is_open=False, closed_at__lt=cutoff).filter(
        Q(description__not="") | Q(marks__not="") | Q(brand__not=""))

    async def clear(ids: list[int]) -> None:
        request_ids = [r["request_id"] for r in await Item.filter(id__in=ids).values("request_id")]
        await Item.filter(id__in=ids).update(description="", marks="", brand="")
        await Claim.filter(Q(found_id__in=ids) | Q(lost_id__in=ids)).exclude(answer=ERASED).update(answer=ERASED, identity_checked="")
        await ServiceRequest.filter(id__in=request_ids).update(description="", attributes={}, contact_email="",
                                                               contact_name="", contact_phone="",
                                                               tracking_token_hash=None)
        await _delete_photos(Photo.filter(request_id__in=request_ids), settings)
    return await _in_batches(stale.order_by("id"), clear)


async def _traces(cutoff: datetime, data_dir: Path) -> int:
    done = await _in_batches(Outbox.filter(created_at__lt=cutoff, status__in=[OutboxStatus.SENT, OutboxStatus.FAILED]),
                             lambda ids: Outbox.filter(id__in=ids).delete())
    done += await _in_batches(Message.filter(created_at__lt=cutoff), lambda ids: Message.filter(id__in=ids).delete())
    done += await _in_batches(Session.filter(expires_at__lt=cutoff), lambda ids: Session.filter(id__in=ids).delete())
    for mail in (data_dir / "outbox-mail").glob("*.eml"):
        try:
            if mail.stat().st_mtime < cutoff.timestamp():
                mail.unlink()
                done += 1
        except OSError as exc:
            log.warning("could not remove %s: %r", mail, exc)
    return done


async def purge(settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Removes what is past its retention period; returns the counts, also logged and audited."""
    now = now or utcnow()
    ago = lambda days: now - timedelta(days=days)  # noqa: E731
    data = Path(settings.data_dir)
    counts = {"contacts": await _contacts(ago(settings.retention_contact_days))}
    counts["personal_texts"], counts["photos"] = await _personal_fields(ago(settings.retention_personal_days), settings)
    counts["lost_and_found"] = await _lost_and_found(ago(settings.retention_lostfound_days), settings)
    counts["files"] = await documents.sweep(settings)  # those whose answers went above
    counts["audit_entries"] = await _in_batches(AuditEntry.filter(at__lt=ago(settings.retention_audit_days)),
                                                lambda ids: AuditEntry.filter(id__in=ids).delete())
    counts["traces"] = await _traces(ago(settings.retention_log_days), data)
    log.info("retention purge: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    if any(counts.values()):  # the audit keeps what changed data; a purge that found nothing is only logged
        await audit.record(action="privacy.purged", detail=counts)
    return counts


async def maybe_purge(settings: Settings, now: float | None = None) -> bool:
    """The worker's call: a purge every EVERY_SECONDS (the first at its start)."""
    now = now if now is not None else time.monotonic()
    if now - _last["at"] < EVERY_SECONDS:
        return False
    _last["at"] = now
    await purge(settings)
    return True
