"""A person's data export as a job: built at once when its photos are few (EXPORT_INLINE_MAX_BYTES), otherwise by
the worker, with its progress, then announced in the inbox and by e-mail; downloadable EXPORT_KEEP_HOURS.

The worker takes a job with a lease (`locked_until`, compare-and-set, so two workers never build the same one);
a worker killed while building leaves the lease to run out and another takes the job over. The file is written
under a temporary name and renamed once whole: a download never gets half a ZIP.
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from tortoise.expressions import Q

from backend.accounts import mails
from backend.accounts.models import User
from backend.config import Settings
from backend.errors import NotFound
from backend.media.models import Photo
from backend.privacy import service
from backend.privacy.models import DataExport, ExportStatus
from backend.push import service as push
from backend.requests.service import utcnow

log = logging.getLogger("guichet.exports")
LEASE_SECONDS = 600
MAX_ATTEMPTS = 3
OPEN = (ExportStatus.PENDING, ExportStatus.BUILDING)


def folder(settings: Settings) -> Path:
    path = Path(settings.data_dir) / "exports"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def dump(job: DataExport) -> dict[str, Any]:
    ready = job.status == ExportStatus.READY
    return {"id": job.id, "status": job.status.value, "progress": job.progress, "size": job.size,
            "created_at": job.created_at.isoformat(), "expires_at": job.expires_at.isoformat() if job.expires_at else None,
            "download_url": f"/api/v1/me/exports/{job.id}/download" if ready else None}


async def photo_bytes(user: User) -> int:
    return sum(await Photo.filter(request__author_id=user.id).values_list("bytes", flat=True))


async def start(user: User, settings: Settings) -> DataExport:
    """The person's export: one already under way, else a new one, built here when small."""
    running = await DataExport.filter(user_id=user.id, status__in=OPEN).first()
    if running:
        return running
    job = await DataExport.create(user=user, created_at=utcnow())
    if await photo_bytes(user) <= settings.export_inline_max_bytes:
        await _build(job, user, settings)
    return job


async def of(user: User, export_id: int) -> DataExport:
    job = await DataExport.get_or_none(id=export_id, user_id=user.id)  # another person's is as unknown as none
    if job is None:
        raise NotFound("No such export.", code="unknown_export")
    return job


async def latest(user: User) -> DataExport | None:
    return await DataExport.filter(user_id=user.id).exclude(status=ExportStatus.FAILED).order_by("-id").first()


def file_of(job: DataExport, settings: Settings) -> Path:
    if job.status != ExportStatus.READY or not job.file_name or (job.expires_at and job.expires_at < utcnow()):
        raise NotFound("This export is not ready, or no longer kept.", code="unknown_export")
    return folder(settings) / job.file_name


async def _build(job: DataExport, user: User, settings: Settings) -> None:
    """Writes the ZIP (data.json, a note, the photos), saying how far it got; then ready, with its expiry."""
    data = await service.personal_data(user)
    files = service.files_of(data, settings)
    name = f"{job.id}-{secrets.token_hex(12)}.zip"
    final, partial = folder(settings) / name, folder(settings) / f"{name}.part"
    step = max(1, len(files) // 20)  # twenty progress marks at most

    archive = await asyncio.to_thread(zipfile.ZipFile, partial, "w", zipfile.ZIP_DEFLATED)
    try:
        await asyncio.to_thread(archive.writestr, "data.json", json.dumps(data, ensure_ascii=False, indent=2))
        await asyncio.to_thread(archive.writestr, "LISEZ-MOI.txt", service.README)
        for start_at in range(0, len(files), step):
            await asyncio.to_thread(service.add_files, archive, files[start_at:start_at + step])
            job.progress = min(99, int(100 * (start_at + step) / len(files)))
            await job.save(update_fields=["progress"])
    finally:
        await asyncio.to_thread(archive.close)
    partial.replace(final)
    now = utcnow()
    job.status, job.progress, job.file_name, job.size = ExportStatus.READY, 100, name, final.stat().st_size
    job.ready_at, job.expires_at, job.locked_until = now, now + timedelta(hours=settings.export_keep_hours), None
    await job.save(update_fields=["status", "progress", "file_name", "size", "ready_at", "expires_at", "locked_until"])


async def build_due(settings: Settings) -> int:
    """The worker's part: takes one job waiting (or left by a worker that died), builds it, tells its owner."""
    now = utcnow()
    job = await DataExport.filter(Q(status=ExportStatus.PENDING) | Q(status=ExportStatus.BUILDING, locked_until__lt=now)
                                  ).order_by("id").first()
    if job is None:
        return 0
    taken = await DataExport.filter(id=job.id, attempts=job.attempts, status=job.status).update(
        status=ExportStatus.BUILDING, locked_until=now + timedelta(seconds=LEASE_SECONDS), attempts=job.attempts + 1)
    if not taken:  # another worker was quicker
        return 0
    await job.refresh_from_db()
    user = await User.get(id=job.user_id)
    if job.attempts > MAX_ATTEMPTS:
        job.status = ExportStatus.FAILED
        await job.save(update_fields=["status"])
        log.error("data export %s failed %s times: given up", job.id, MAX_ATTEMPTS)
        return 1
    try:
        await _build(job, user, settings)
    except OSError as exc:  # a full disk, a missing photo folder: the lease runs out and it is tried again
        log.error("data export %s failed: %r", job.id, exc)
        return 1
    link = f"{settings.base_url.rstrip('/')}/account"
    subject, text, html = mails.render("export_ready", user.language, name=user.name, link=link,
                                       hours=str(settings.export_keep_hours))
    await push.queue_inbox(user=user, subject=subject, body=text)
    await push.queue_email(to=user.email, subject=subject, text=text, html=html, user=user)
    return 1


async def expire(settings: Settings) -> int:
    """Removes the exports past their time and failed ones, and the files no export holds any more (an account
    deleted takes its exports' rows with it; a worker killed mid-build leaves a `.part`)."""
    gone = await DataExport.filter(Q(expires_at__lt=utcnow()) | Q(status=ExportStatus.FAILED)).delete()
    kept = set(await DataExport.exclude(file_name="").values_list("file_name", flat=True))
    cutoff = (utcnow() - timedelta(seconds=LEASE_SECONDS)).timestamp()
    for path in folder(settings).iterdir():
        if path.name in kept or (path.suffix == ".part" and path.stat().st_mtime > cutoff):  # held, or being written
            continue
        path.unlink(missing_ok=True)
        gone += 1
    return gone
