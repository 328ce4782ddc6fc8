"""The outbox worker: claims due rows with a lease, delivers them, marks them sent only afterwards.

A row is claimed by setting `locked_until`; a worker killed mid-batch leaves the lease to expire
and another pass delivers the row again, so nothing acknowledged is lost. On PostgreSQL the claim
uses SELECT ... FOR UPDATE SKIP LOCKED so several workers never take the same row.
"""
from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta
from typing import Awaitable, Callable

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from backend import db
from backend.config import Settings
from backend.push import mail
from backend.push.models import Outbox, OutboxChannel, OutboxStatus
from backend.push.service import utcnow

log = logging.getLogger("guichet.worker")
LEASE_SECONDS = 120
BATCH = 100

Deliverer = Callable[[Settings, int, dict], Awaitable[None]]
DELIVERERS: dict[str, Deliverer] = {OutboxChannel.EMAIL: mail.deliver_email}


class RetryLater(Exception):
    """A delivery that failed but asked to be tried again after `seconds`."""

    def __init__(self, message: str, seconds: float | None = None):
        super().__init__(message)
        self.seconds = seconds


class Dropped(Exception):
    """A delivery that can never succeed (e.g. the subscription is gone): not retried."""


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with full jitter: 5 s, 10 s, 20 s ... capped at one hour."""
    return random.uniform(0.5, 1.0) * min(3600.0, 5.0 * 2 ** max(0, attempts - 1))


async def claim_batch(limit: int = BATCH) -> list[Outbox]:
    now = utcnow()
    async with in_transaction() as conn:
        query = (
            Outbox.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(locked_until=None) | Q(locked_until__lt=now))
            .order_by("id").limit(limit).using_db(conn)
        )
        if db.dialect() == "postgres":
            query = query.select_for_update(skip_locked=True)
        rows = await query
        if rows:
            await Outbox.filter(id__in=[r.id for r in rows]).using_db(conn).update(
                locked_until=now + timedelta(seconds=LEASE_SECONDS), attempts=F("attempts") + 1
            )
    return rows


async def _deliver_one(settings: Settings, row: Outbox) -> None:
    deliver = DELIVERERS.get(row.channel)
    now = utcnow()
    try:
        if deliver is None:
            raise Dropped(f"no deliverer for channel {row.channel}")
        await deliver(settings, row.id, row.payload | {"_subscription_id": row.subscription_id})
    except Dropped as exc:
        await Outbox.filter(id=row.id).update(status=OutboxStatus.FAILED, last_error=str(exc)[:2000],
                                              locked_until=None)
        return
    except (RetryLater, OSError, asyncio.TimeoutError, RuntimeError, ValueError) as exc:
        attempts = row.attempts + 1
        too_old = now - row.created_at > timedelta(hours=settings.outbox_max_age_hours)
        wait = getattr(exc, "seconds", None) or backoff_seconds(attempts)
        await Outbox.filter(id=row.id).update(
            status=OutboxStatus.FAILED if too_old else OutboxStatus.PENDING,
            next_attempt_at=now + timedelta(seconds=wait), locked_until=None, last_error=repr(exc)[:2000],
        )
        log.warning("delivery %s failed (attempt %s): %r", row.id, attempts, exc)
        return
    await Outbox.filter(id=row.id).update(status=OutboxStatus.SENT, sent_at=utcnow(), locked_until=None)


async def deliver_due(settings: Settings, *, concurrency: int = 20) -> int:
    """One pass: claims due rows and delivers them with bounded concurrency; returns how many it took."""
    rows = await claim_batch()
    if not rows:
        return 0
    gate = asyncio.Semaphore(concurrency)

    async def guarded(row: Outbox) -> None:
        async with gate:
            await _deliver_one(settings, row)

    await asyncio.gather(*(guarded(r) for r in rows))
    return len(rows)


async def run(settings: Settings, stop: asyncio.Event) -> None:
    """Delivers until `stop` is set; a full batch is followed at once by the next one."""
    while not stop.is_set():
        try:
            taken = await deliver_due(settings)
        except (OSError, asyncio.TimeoutError) as exc:
            log.error("outbox pass failed: %r", exc)
            taken = 0
        if taken < BATCH:
            try:
                await asyncio.wait_for(stop.wait(), timeout=settings.worker_poll_seconds)
            except asyncio.TimeoutError:
                pass
