"""Live events for staff screens: in memory in one process, PostgreSQL LISTEN/NOTIFY across several.

An event is a small dict about one request (ref, organisation, status, place); its `id` is the id of the
request's latest Event row, so a client that reconnects with Last-Event-ID can be given what it missed.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import asyncpg
from tortoise import Tortoise

log = logging.getLogger("guichet.realtime")
CHANNEL = "guichet_events"
QUEUE_SIZE = 1000


class MemoryBus:
    """Every subscriber of this process gets every event published in it."""

    def __init__(self) -> None:
        self.subscribers: set[asyncio.Queue] = set()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self.subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self.subscribers.discard(queue)

    def deliver(self, event: dict) -> None:
        for queue in list(self.subscribers):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:  # a client that stopped reading: it will catch up from Last-Event-ID
                log.warning("live event dropped for a slow subscriber")

    async def publish(self, event: dict) -> None:
        self.deliver(event)


class PostgresBus(MemoryBus):
    """NOTIFY from whichever process made the change; every process LISTENs and hands events to its subscribers."""

    def __init__(self, dsn: str) -> None:
        super().__init__()
        self.dsn = dsn
        self.listener: asyncpg.Connection | None = None

    async def start(self) -> None:
        self.listener = await asyncpg.connect(self.dsn)
        await self.listener.add_listener(CHANNEL, self._on_notify)

    async def stop(self) -> None:
        if self.listener is not None:
            await self.listener.close()

    def _on_notify(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        try:
            self.deliver(json.loads(payload))
        except ValueError:
            log.warning("unreadable live event %r", payload[:200])

    async def publish(self, event: dict) -> None:
        conn = Tortoise.get_connection("default")
        await conn.execute_query("SELECT pg_notify($1, $2)", [CHANNEL, json.dumps(event)])


def bus_for(database_url: str) -> MemoryBus:
    if database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        return PostgresBus(database_url.replace("asyncpg://", "postgresql://", 1).replace("postgres://", "postgresql://", 1))
    return MemoryBus()
