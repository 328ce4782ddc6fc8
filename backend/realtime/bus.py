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


RESYNC = {"kind": "resync"}  # to the subscribers: events may have been missed; read them from the database


class PostgresBus(MemoryBus):
    """NOTIFY from whichever process made the change; every process LISTENs and hands events to its subscribers.

    The listening connection is watched: when the server goes away (restart, failover), it is opened again as
    soon as the server answers, and the subscribers are told to catch up from the database (RESYNC), since a
    NOTIFY sent while nobody listened is lost."""

    RETRY_SECONDS = (0.5, 1, 2, 5)

    def __init__(self, dsn: str) -> None:
        super().__init__()
        self.dsn = dsn
        self.listener: asyncpg.Connection | None = None
        self.watcher: asyncio.Task | None = None
        self.lost = asyncio.Event()

    async def _listen(self) -> None:
        self.lost.clear()
        self.listener = await asyncpg.connect(self.dsn)
        self.listener.add_termination_listener(lambda connection: self.lost.set())
        await self.listener.add_listener(CHANNEL, self._on_notify)

    async def start(self) -> None:
        await self._listen()
        self.watcher = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            await self.lost.wait()
            log.warning("live events: the listening connection was lost; reconnecting")
            attempt = 0
            while True:
                try:
                    await self._listen()
                    break
                except Exception as exc:  # noqa: BLE001 (refused, reset, starting up: try again, a little later)
                    log.warning("live events: reconnection failed (%r)", exc)
                    await asyncio.sleep(self.RETRY_SECONDS[min(attempt, len(self.RETRY_SECONDS) - 1)])
                    attempt += 1
            log.warning("live events: listening again")
            self.deliver(RESYNC)

    async def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
            try:
                await self.watcher
            except asyncio.CancelledError:
                pass
        if self.listener is not None and not self.listener.is_closed():
            try:
                await self.listener.close(timeout=5)
            except Exception:  # noqa: BLE001 (a connection the server already dropped: nothing to close cleanly)
                self.listener.terminate()

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
