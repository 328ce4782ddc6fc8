"""Hand-written SQL for the hot read paths (public map, citizen's list, staff queue).

Tortoise builds a query through pypika on every call: for a page of the public map that costs more
than the database's own work. These paths write their SQL once and bind values only, in the
placeholder style of the connection (`?1` for SQLite, `$1` for PostgreSQL). Values are always bound,
never formatted into the text.
"""
from __future__ import annotations

from typing import Any, Iterable

from tortoise import connections
from tortoise.filters import escape_like

from backend import db


class Where:
    """A conjunction of conditions with their bound values. `{}` in a condition stands for one value."""

    def __init__(self) -> None:
        self.postgres = db.dialect() == "postgres"
        self.parts: list[str] = []
        self.values: list[Any] = []

    def bind(self, value: Any) -> str:
        self.values.append(value)
        # Numbered in both dialects (SQLite's ?NNN), so conditions may be composed in any order.
        return f"${len(self.values)}" if self.postgres else f"?{len(self.values)}"

    def cond(self, condition: str, *values: Any) -> str:
        """The condition with its values bound, not yet added (for `either`)."""
        return condition.format(*(self.bind(v) for v in values))

    def add(self, condition: str, *values: Any) -> Where:
        self.parts.append(self.cond(condition, *values))
        return self

    def among(self, column: str, values: Iterable[Any]) -> str:
        values = list(values)
        if not values:
            return "1 = 0"
        return self.cond(f"{column} IN ({', '.join('{}' for _ in values)})", *values)

    def any_of(self, column: str, values: Iterable[Any]) -> Where:
        self.parts.append(self.among(column, values))
        return self

    def contains(self, column: str, text: str) -> str:
        """A case-insensitive substring test, as Tortoise's `icontains`."""
        return f"UPPER({column}) LIKE UPPER({self.bind('%' + escape_like(text) + '%')}) ESCAPE '\\'"

    def either(self, *conditions: str) -> Where:
        self.parts.append("(" + " OR ".join(conditions) + ")")
        return self

    def __str__(self) -> str:
        return " AND ".join(self.parts) or "1 = 1"


async def rows(sql: str, values: list[Any], *, quick: bool = False) -> list[dict]:
    """The rows as dicts. Outside a transaction on SQLite, from a reader beside the main connection;
    `quick` reads (a page through an index, well under a millisecond) run inline, without a thread hop."""
    conn = connections.get("default")
    read = getattr(conn, "read_dicts", None)  # a transaction's wrapper has none: its reads stay inside it
    if read is None:
        return await conn.execute_query_dict(sql, values)
    return await read(sql, values, quick)  # positional: Tortoise's error translation passes no keywords


async def tuples(sql: str, values: list[Any]) -> list[Any]:
    """The rows as sequences (no dict a row): for reads of many rows that are counted, not shown."""
    return list((await connections.get("default").execute_query(sql, values))[1])


async def write(sql: str, values: list[Any]) -> list[dict]:
    """A statement that writes (with RETURNING rows, if any), on the connection of the current transaction."""
    return await connections.get("default").execute_query_dict(sql, values)
