"""The outbox worker: claims due rows with a lease, delivers them, marks them sent only afterwards.

A row is claimed by setting `locked_until`; a worker killed mid-batch leaves the lease to expire
and another pass delivers the row again, so nothing acknowledged is lost (a push may then arrive
twice: its Topic and its notification tag make the second replace the first). On PostgreSQL the
claim uses SELECT ... FOR UPDATE SKIP LOCKED so several workers never take the same row.
"""
from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta

from tortoise.exceptions import BaseORMException
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from backend import db, housekeeping
from backend.config import Settings
from backend.push import mail
from backend.push.models import Outbox, OutboxChannel, OutboxStatus, PushSubscription
from backend.push.service import utcnow
from backend.push.webpush import PushGone, PushRefused, PushRetry, PushSender

log = logging.getLogger("guichet.worker")
BATCH = 500


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


async def claim_batch(limit: int = BATCH, lease_seconds: int = 120) -> list[Outbox]:
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
                locked_until=now + timedelta(seconds=lease_seconds), attempts=F("attempts") + 1
            )
    return rows


class Deliveries:
    """Knows how to deliver each channel; one per worker, so HTTP connections and VAPID tokens are reused."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.push = PushSender(settings)

    async def deliver(self, row: Outbox, subs: dict[int, PushSubscription]) -> None:
        if row.channel == OutboxChannel.EMAIL:
            await mail.deliver_email(self.settings, row.id, row.payload)
        elif row.channel == OutboxChannel.PUSH:
            sub = subs.get(row.subscription_id)
            if sub is None:
                raise Dropped("the push subscription was removed")
            try:
                await self.push.send(sub, row.payload, topic=row.topic)
            except PushGone as exc:
                await PushSubscription.filter(id=sub.id).delete()
                raise Dropped(f"{exc}: subscription deleted") from None
            except PushRefused as exc:
                raise Dropped(str(exc)) from None
            except PushRetry as exc:
                raise RetryLater(str(exc), exc.seconds) from None
        else:
            raise Dropped(f"no deliverer for channel {row.channel}")

    async def close(self) -> None:
        await self.push.close()


async def _settle_failure(settings: Settings, row: Outbox, exc: Exception) -> None:
    now = utcnow()
    if isinstance(exc, Dropped):
        await Outbox.filter(id=row.id).update(status=OutboxStatus.FAILED, last_error=str(exc)[:2000], locked_until=None)
        return
    attempts = row.attempts + 1
    too_old = now - row.created_at > timedelta(hours=settings.outbox_max_age_hours)
    wait = getattr(exc, "seconds", None) or backoff_seconds(attempts)
    await Outbox.filter(id=row.id).update(
        status=OutboxStatus.FAILED if too_old else OutboxStatus.PENDING,
        next_attempt_at=now + timedelta(seconds=wait), locked_until=None, last_error=repr(exc)[:2000],
    )
    log.warning("delivery %s failed (attempt %s): %r", row.id, attempts, exc)


async def deliver_due(settings: Settings, deliveries: Deliveries | None = None) -> int:
    """One pass: claims due rows, delivers them with bounded concurrency, records the outcomes; how many it took."""
    rows = await claim_batch(lease_seconds=settings.outbox_lease_seconds)
    if not rows:
        return 0
    own = deliveries is None
    deliveries = deliveries or Deliveries(settings)
    sub_ids = {r.subscription_id for r in rows if r.subscription_id}
    subs = {s.id: s for s in await PushSubscription.filter(id__in=sub_ids)} if sub_ids else {}
    gate = asyncio.Semaphore(settings.push_concurrency)
    sent: list[int] = []

    async def record_sent() -> None:
        # One statement per hundred rows: a commit per row would cost an fsync each, one per batch would
        # resend a whole batch after a crash.
        done = sent[:]
        sent.clear()
        if done:
            await Outbox.filter(id__in=done).update(status=OutboxStatus.SENT, sent_at=utcnow(), locked_until=None)

    async def one(row: Outbox) -> None:
        async with gate:
            try:
                await deliveries.deliver(row, subs)
            except (Dropped, RetryLater, OSError, asyncio.TimeoutError, RuntimeError, ValueError) as exc:
                await _settle_failure(settings, row, exc)
            else:
                sent.append(row.id)
                if len(sent) >= 100:
                    await record_sent()

    try:
        await asyncio.gather(*(one(r) for r in rows))
    finally:
        await record_sent()
        if own:
            await deliveries.close()
    return len(rows)


async def run(settings: Settings, stop: asyncio.Event) -> None:
    """Delivers until `stop` is set; a full batch is followed at once by the next one."""
    deliveries = Deliveries(settings)
    try:
        while not stop.is_set():
            try:
                taken = await deliver_due(settings, deliveries)
            except (OSError, asyncio.TimeoutError, BaseORMException) as exc:  # the database is away: wait, go on
                log.error("outbox pass failed: %r", exc)
                taken = 0
            if taken < BATCH:
                await housekeeping.maybe_run()
                try:
                    await asyncio.wait_for(stop.wait(), timeout=settings.worker_poll_seconds)
                except asyncio.TimeoutError:
                    pass
    finally:
        await deliveries.close()
