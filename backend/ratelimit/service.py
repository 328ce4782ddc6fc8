"""Fixed-window limits kept in the database, so that every worker counts the same attempts."""
from __future__ import annotations

import time

from tortoise.exceptions import IntegrityError

from backend import sql
from backend.errors import TooManyRequests
from backend.ratelimit.models import RateCounter


def _window(window_seconds: int) -> tuple[int, int]:
    now = int(time.time())
    start = now - now % window_seconds
    return start, start + window_seconds - now


async def count(*, key: str, window_seconds: int) -> int:
    """Attempts recorded for `key` in the current window."""
    start, _ = _window(window_seconds)
    row = await RateCounter.get_or_none(key=key, window_start=start)
    return row.count if row else 0


async def record(*, key: str, window_seconds: int, amount: int = 1) -> int:
    """Counts `amount` attempts for `key` and returns the new total of the window (one statement when it exists)."""
    start, _ = _window(window_seconds)
    for _ in range(3):
        where = sql.Where()
        increment = where.bind(int(amount))
        where.add('"key" = {} AND window_start = {}', key, start)
        updated = await sql.write(f'UPDATE rate_counter SET "count" = "count" + {increment} WHERE {where} '
                                  'RETURNING "count"', where.values)
        if updated:
            return updated[0]["count"]
        try:
            await RateCounter.create(key=key, window_start=start, count=amount)
            return amount
        except IntegrityError:
            continue  # another worker created it first: update theirs
    return await count(key=key, window_seconds=window_seconds)


async def release(*, key: str, window_seconds: int) -> None:
    """Gives back one attempt counted by `consume` (one that turned out right: a successful sign-in)."""
    start, _ = _window(window_seconds)
    where = sql.Where().add('"key" = {} AND window_start = {} AND "count" > 0', key, start)
    await sql.write(f'UPDATE rate_counter SET "count" = "count" - 1 WHERE {where} RETURNING "count"', where.values)


async def consume(*, key: str, limit: int, window_seconds: int, message: str | None = None, amount: int = 1) -> None:
    """Counts `amount` attempts and raises 429 when they go over `limit`."""
    if await record(key=key, window_seconds=window_seconds, amount=amount) > limit:
        raise TooManyRequests(_window(window_seconds)[1], message)


async def purge_older_than(seconds: int) -> int:
    """Drops counters of windows long gone (the worker calls this now and then)."""
    return await RateCounter.filter(window_start__lt=int(time.time()) - seconds).delete()
