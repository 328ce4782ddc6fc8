"""Tortoise's asyncpg back end, with transactions that give their connection back when BEGIN fails.

The pool hands out connections without checking them. When the server went away (a restart, a failover), the
first transaction on each dead connection fails at BEGIN, inside `__aenter__`, where Tortoise's context does
not release the connection (its `__aexit__` never runs): after `maxsize` such failures the pool was empty for
good and every request waited forever, though the server was back. Here the connection goes back to the pool,
which replaces a closed one on its next acquisition.
"""
from __future__ import annotations

from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import TransactionContext, TransactionContextPooled
from tortoise.connection import get_connections


class ReleasingTransactionContext(TransactionContextPooled):
    async def __aenter__(self) -> TransactionWrapper:
        await self.ensure_connection()
        pool = self.client._parent._pool
        self.client._connection = await pool.acquire()
        self.token = get_connections().set(self.connection_name, self.client)
        try:
            await self.client.begin()
        except BaseException:
            get_connections().reset(self.token)
            await pool.release(self.client._connection)
            raise
        return self.client


class PostgresClient(AsyncpgDBClient):
    def _in_transaction(self) -> TransactionContext:
        return ReleasingTransactionContext(TransactionWrapper(self), self._pool_init_lock)


client_class = PostgresClient
