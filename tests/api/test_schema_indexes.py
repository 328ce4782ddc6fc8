"""Every index a model declares stands in the migrated database, on SQLite and PostgreSQL alike: SQLite alters a
column by copying its table, and the copy once lost the indexes of the requests and access requests (0021 makes
them again); the hot paths (queue, public map, a citizen's list) read through them."""
from __future__ import annotations

from tortoise import Tortoise

from backend import db

PG_INDEXES = """
SELECT i.relname AS name, array_agg(a.attname ORDER BY k.n) AS columns
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
WHERE t.relname = $1 GROUP BY i.relname"""


async def _indexes(conn, table: str) -> set[tuple[str, ...]]:
    if db.dialect() == "postgres":
        return {tuple(row["columns"]) for row in await conn.execute_query_dict(PG_INDEXES, [table])}
    names = [row["name"] for row in await conn.execute_query_dict(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", [table])]
    return {tuple(row["name"] for row in await conn.execute_query_dict(f'PRAGMA index_info("{name}")'))
            for name in names}


async def test_every_declared_index_exists_after_the_migrations(app):
    conn = Tortoise.get_connection("default")
    missing = []
    for model in Tortoise.apps["models"].values():
        table = model._meta.db_table
        present = await _indexes(conn, table)
        for index in model._meta.indexes:
            if tuple(index.fields) not in present:
                missing.append((table, tuple(index.fields)))
    assert missing == []
    open_map = await _indexes(conn, "service_request")
    assert ("created_at", "id", "lat", "lon", "status", "public") in open_map  # and the partial one of the map
