"""Tortoise's SQLite back end with BEGIN IMMEDIATE transactions, for a web process and a worker sharing one file.

With WAL, a deferred transaction that reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT when
another process committed in between: busy_timeout does not apply to that case. Taking the write lock at
BEGIN makes a transaction wait its turn instead (within one process Tortoise serialises them anyway).

Tortoise also serialises every query of a process on its one connection. The hot reads (the public map,
the staff queue) go through `read_dicts` instead: a few more connections, read-only, that WAL lets read
beside the writer and beside each other, so one request's query need not wait for another's.
"""
from __future__ import annotations

import sqlite3
from typing import Any

import aiosqlite
from tortoise.backends.sqlite.client import (SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper,
                                             translate_exceptions)
from tortoise.exceptions import TransactionManagementError

READERS = 2




class ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self._readers: list[aiosqlite.Connection] = []
        self._free: list[aiosqlite.Connection] = []
        self._inline: sqlite3.Connection | None = None

    def _in_transaction(self) -> SqliteTransactionContext:
        return SqliteTransactionContext(ImmediateTransaction(self), self._lock)

    async def create_connection(self, with_db: bool) -> None:
        await super().create_connection(with_db)
        if self._readers or self.filename == ":memory:":
            return
        for _ in range(READERS):
            reader = await aiosqlite.connect(self.filename, isolation_level=None)
            reader.row_factory = sqlite3.Row
            await reader.execute(f"PRAGMA busy_timeout={int(self.pragmas.get('busy_timeout', 10000))}")
            await reader.execute("PRAGMA query_only=ON")
            self._readers.append(reader)
        self._free = list(self._readers)

    async def close(self) -> None:
        readers, self._readers, self._free = self._readers, [], []
        for reader in readers:
            await reader.close()
        if self._inline is not None:
            self._inline.close()
            self._inline = None
        await super().close()

    @translate_exceptions
    async def read_dicts(self, query: str, values: list, quick: bool = False) -> list[dict]:
        """A read outside any transaction. A quick one runs inline on the event loop: a thread hop costs more
        than a page read through an index. Others go to a free reader thread (the main connection if none)."""
        if quick and self.filename != ":memory:":
            if self._inline is None:
                self._inline = sqlite3.connect(self.filename, isolation_level=None, check_same_thread=False)
                self._inline.execute("PRAGMA query_only=ON")
                self._inline.execute("PRAGMA busy_timeout=1000")  # WAL readers wait only on a recovery
            cursor = self._inline.execute(query, values)
            columns = [c[0] for c in cursor.description]
            return [dict(zip(columns, row)) for row in cursor.fetchall()]
        if not self._free:
            return await self.execute_query_dict(query, values)
        reader = self._free.pop()
        try:
            return list(map(dict, await reader.execute_fetchall(query, values)))
        finally:
            if reader in self._readers:
                self._free.append(reader)


client_class = ImmediateSqliteClient
