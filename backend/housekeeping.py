"""What the worker does now and then besides deliveries: holding periods that ended, old rate counters, and
the retention purge (backend/privacy/retention.py)."""
from __future__ import annotations

import logging
import time

from tortoise.exceptions import BaseORMException

from backend import db
from backend.accounts import access_documents
from backend.appointments import service as appointments
from backend.config import Settings
from backend.media import documents
from backend.lostfound import claims
from backend.privacy import exports, retention
from backend.ratelimit import service as ratelimit

log = logging.getLogger("guichet.housekeeping")
EVERY_SECONDS = 300
_last = {"at": 0.0}


async def maybe_run(settings: Settings | None = None, now: float | None = None) -> bool:
    """Runs the round if the last one is older than EVERY_SECONDS; a failure waits for the next round."""
    now = now if now is not None else time.monotonic()
    if now - _last["at"] < EVERY_SECONDS:
        return False
    _last["at"] = now
    try:
        ended = await claims.expire_holdings()
        if ended:
            log.info("%d found objects reached the end of their holding period", ended)
        await ratelimit.purge_older_than(2 * 86400)
        reminded = await appointments.remind_due()
        if reminded:
            log.info("%d appointment reminders queued", reminded)
        if settings is not None:
            await exports.expire(settings)
            await access_documents.sweep(settings)
            await documents.sweep(settings)  # crashed creations' temporary files
            await retention.maybe_purge(settings)
    except (OSError, BaseORMException, *db.OUTAGES) as exc:
        log.error("housekeeping failed: %r", exc)
    return True
