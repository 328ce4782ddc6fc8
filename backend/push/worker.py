"""The outbox worker: claims due rows with a lease, delivers them, marks them sent only afterwards.

A row is claimed by setting `locked_until`; a worker killed mid-batch leaves the lease to expire
and another pass delivers the row again, so nothing acknowledged is lost (a push may then arrive
twice: its Topic and its notification tag make the second replace the first). On PostgreSQL the
claim uses SELECT ... FOR UPDATE SKIP LOCKED so several workers never take the same row.

No single delivery may stop the others: whatever one raises settles that row (retried with backoff, or failed
for good) and the pass goes on. A pass that fails is logged at error level and the loop goes on; `supervise`
starts the loop again should it ever end by an error. Each worker writes a heartbeat (`WorkerBeat`) that
`GET /healthz/worker` reads, so a dead or stuck worker is seen.
"""
from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
from datetime import timedelta

from tortoise.exceptions import BaseORMException
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from backend import db, housekeeping
from backend.config import Settings
from backend.push import mail
from backend.push.models import Outbox, OutboxChannel, OutboxStatus, PushSubscription, WorkerBeat
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
            except Exception as exc:  # noqa: BLE001  any other fault of one delivery must not stop the rest
                log.exception("delivery %s raised an unexpected error", row.id)
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


class Heartbeat:
    """This worker's row in `worker_beat`, written at most every BEAT_SECONDS (a write per pass would be an fsync
    a second on SQLite)."""

    BEAT_SECONDS = 5.0

    def __init__(self) -> None:
        self.name = f"{socket.gethostname()}:{os.getpid()}"[:200]
        self.started_at = utcnow()
        self.failures = 0
        self.last_error = ""
        self._last = float("-inf")

    async def beat(self) -> None:
        if time.monotonic() - self._last < self.BEAT_SECONDS:
            return
        self._last = time.monotonic()
        values = {"beat_at": utcnow(), "failures": self.failures, "last_error": self.last_error[:2000]}
        try:
            if not await WorkerBeat.filter(name=self.name).update(**values):
                await WorkerBeat.create(name=self.name, started_at=self.started_at, **values)
        except (OSError, asyncio.TimeoutError, BaseORMException, *db.OUTAGES) as exc:
            log.error("worker heartbeat not written: %r", exc)

    def failed(self, exc: BaseException) -> None:
        self.failures += 1
        self.last_error = repr(exc)


async def health(*, stale_seconds: float) -> dict:
    """What the workers' heartbeats say: `ok` when one beat within `stale_seconds`."""
    newest = await WorkerBeat.all().order_by("-beat_at").first()
    now = utcnow()
    age = (now - newest.beat_at).total_seconds() if newest else None
    return {
        "ok": age is not None and age <= stale_seconds,
        "last_beat_at": newest.beat_at.isoformat() if newest else None,
        "seconds_since_beat": round(age, 1) if age is not None else None,
        "worker": newest.name if newest else None,
        "failures": newest.failures if newest else 0,
        "last_error": newest.last_error if newest else "",
    }


async def _exports(settings: Settings) -> None:
    """Builds the data exports waiting, one after the other, beside the deliveries (a big one takes a while)."""
    from backend.privacy import exports

    try:
        while await exports.build_due(settings):
            pass
    except (OSError, BaseORMException, *db.OUTAGES) as exc:
        log.error("data export pass failed: %r", exc)
    except Exception:  # noqa: BLE001  seen and logged; the next pass tries again
        log.exception("data export pass failed unexpectedly")


async def run(settings: Settings, stop: asyncio.Event, heartbeat: Heartbeat | None = None) -> None:
    """Delivers until `stop` is set; a full batch is followed at once by the next one."""
    deliveries = Deliveries(settings)
    heartbeat = heartbeat or Heartbeat()
    exporting: asyncio.Task | None = None
    listener = None
    if settings.inbound_smtp_port:  # the e-mail channel: the town's mail becomes requests (requests/inbound.py)
        from backend.requests import inbound_smtp

        listener = await inbound_smtp.start(settings)
        log.info("e-mail channel listening on %s:%s", settings.inbound_smtp_host, settings.inbound_smtp_port)
    try:
        while not stop.is_set():
            try:
                taken = await deliver_due(settings, deliveries)
            except (OSError, asyncio.TimeoutError, BaseORMException, *db.OUTAGES) as exc:  # the database is away: wait, go on
                log.error("outbox pass failed: %r", exc)
                heartbeat.failed(exc)
                taken = 0
            except Exception as exc:  # noqa: BLE001  a fault we did not foresee: seen, logged, and the loop goes on
                log.exception("outbox pass failed unexpectedly")
                heartbeat.failed(exc)
                taken = 0
            await heartbeat.beat()
            if exporting is None or exporting.done():
                exporting = asyncio.create_task(_exports(settings))
            if taken < BATCH:
                await housekeeping.maybe_run(settings)
                try:
                    await asyncio.wait_for(stop.wait(), timeout=settings.worker_poll_seconds)
                except asyncio.TimeoutError:
                    pass
    finally:
        if exporting is not None:  # a half-built export is taken over when its lease runs out
            exporting.cancel()
        if listener is not None:
            listener.close()
        await deliveries.close()


async def supervise(settings: Settings, stop: asyncio.Event, *, restart_seconds: float = 5.0) -> None:
    """Runs the worker until `stop`, starting it again (logged at error level) should it ever end by an error."""
    heartbeat = Heartbeat()
    while not stop.is_set():
        try:
            await run(settings, stop, heartbeat)
        except Exception as exc:  # noqa: BLE001  the worker must come back whatever stopped it
            log.exception("outbox worker stopped by an error; starting it again in %s s", restart_seconds)
            heartbeat.failed(exc)
            try:
                await asyncio.wait_for(stop.wait(), timeout=restart_seconds)
            except asyncio.TimeoutError:
                pass
