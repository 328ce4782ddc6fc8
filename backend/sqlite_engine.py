"""Tortoise's SQLite back end with BEGIN IMMEDIATE transactions, for a web process and a worker sharing one file.

With WAL, a deferred transaction that reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT when
another process committed in between: busy_timeout does not apply to that case. Taking the write lock at
BEGIN makes a transaction wait its turn instead (within one process Tortoise serialises them anyway).

Tortoise also sends every query of a process through its one connection's thread. The quick reads (a page
of the public map or of the staff queue, through an index) go through `read_dicts` instead: a read-only
connection on the event loop itself, which WAL lets read beside the writer; the thread hop cost more than
such a read.
"""
from __future__ import annotations

import os
import sqlite3
from typing import Any

from tortoise.backends.sqlite.client import (SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper,
                                             translate_exceptions)
from tortoise.exceptions import TransactionManagementError

class ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


def _owner_only(path: str) -> None:
    """The database holds people's data and sealed secrets: readable by its owner alone (0600). SQLite gives its
    -wal and -shm files the database's own mode."""
    if path == ":memory:":
        return
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)  # a file made by an earlier version, 0644


class ImmediateSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self._inline: sqlite3.Connection | None = None

    async def create_connection(self, with_db: bool) -> None:
        _owner_only(self.filename)
        await super().create_connection(with_db)

    def _in_transaction(self) -> SqliteTransactionContext:
        return SqliteTransactionContext(ImmediateTransaction(self), self._lock)

    async def close(self) -> None:
        if self._inline is not None:
            self._inline.close()
            self._inline = None
        await super().close()

    @translate_exceptions
    async def read_dicts(self, query: str, values: list, quick: bool = False) -> list[dict]:
        """A read outside any transaction. A quick one runs inline on the event loop: a thread hop costs more
        than a page read through an index. Others go to the main connection, off the loop."""
        if quick and self.filename != ":memory:":
            if self._inline is None:
                self._inline = sqlite3.connect(self.filename, isolation_level=None, check_same_thread=False)
                self._inline.execute("PRAGMA query_only=ON")
                self._inline.execute("PRAGMA busy_timeout=1000")  # WAL readers wait only on a recovery
            cursor = self._inline.execute(query, values)
            columns = [c[0] for c in cursor.description]
            return [dict(zip(columns, row)) for row in cursor.fetchall()]
        return await self.execute_query_dict(query, values)


client_class = ImmediateSqliteClient
