"""Tortoise's SQLite back end with BEGIN IMMEDIATE transactions, for a web process and a worker sharing one file.

With WAL, a deferred transaction that reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT when
another process committed in between: busy_timeout does not apply to that case. Taking the write lock at
BEGIN makes a transaction wait its turn instead (within one process Tortoise serialises them anyway).
"""
from __future__ import annotations

import sqlite3

from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError


class ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> SqliteTransactionContext:
        return SqliteTransactionContext(ImmediateTransaction(self), self._lock)


client_class = ImmediateSqliteClient
