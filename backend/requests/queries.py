"""Reading requests: the public list, a citizen's own, the open ones near a point."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any


import orjson

from backend import sql
from backend.errors import ValidationFailed
from backend.geo import service as geo
from backend.validation import parse_time
from backend.requests import labels
from backend.requests.models import OPEN_ON_MAP, OPEN_STATUSES, Status

# What a list shows, joined in one query into plain rows: no model objects, no prefetch round trips.
SUMMARY_FIELDS = {
    "id": "id", "ref": "ref", "status": "status", "channel": "channel", "lat": "lat", "lon": "lon",
    "address": "address", "description": "description", "description_hidden": "description_hidden",
    "attributes": "attributes",
    "created_at": "created_at", "updated_at": "updated_at", "resolved_at": "resolved_at",
    "supporters_count": "supporters_count", "organisation": "organisation__slug",
    "duplicate_of": "duplicate_of__ref", **labels.COLUMNS,  # the service's label comes from memory: see labels.py
}


# The tables a field path like `service__code` reaches, joined to the request `r`.
_JOINS = {
    "service": ("s", "JOIN service s ON s.id = r.service_id"),
    "organisation": ("o", "JOIN organisation o ON o.id = r.organisation_id"),
    "duplicate_of": ("d", "LEFT JOIN service_request d ON d.id = r.duplicate_of_id"),
    "assignee": ("u", 'LEFT JOIN "user" u ON u.id = r.assignee_id'),
}
_TIMES = ("created_at", "updated_at", "resolved_at", "due_at")


def select_of(fields: dict[str, str]) -> str:
    """`SELECT ... FROM service_request r JOIN ...` for these fields, each named by its key, and `has_photos`
    (so that a page asks for the photos of those rows only: most of a map's reports have none)."""
    columns, joins = ['r."photo_count" AS has_photos'], []
    for key, path in fields.items():
        if "__" in path:
            relation, column = path.split("__")
            alias, join = _JOINS[relation]
            if join not in joins:
                joins.append(join)
            columns.append(f'{alias}."{column}" AS "{key}"')
        else:
            columns.append(f'r."{path}" AS "{key}"')
    return f"SELECT {', '.join(columns)} FROM service_request r {' '.join(joins)}"


_SUMMARY_SELECT = select_of(SUMMARY_FIELDS)


async def _plain(rows: list[dict]) -> list[dict]:
    """Rows as both drivers should give them: times as ISO text, attributes parsed, flags as booleans; and each
    with its service's label."""
    if not rows:
        return rows
    times = [key for key in _TIMES if key in rows[0]]
    has_attributes, has_public = "attributes" in rows[0], "public" in rows[0]
    has_hidden = "description_hidden" in rows[0]
    for row in rows:
        for key in times:
            value = row[key]
            if value is not None:
                row[key] = value.replace(" ", "T", 1) if value.__class__ is str else value.isoformat()
        if has_attributes and row["attributes"].__class__ is str:
            row["attributes"] = orjson.loads(row["attributes"])
        if has_public:
            row["public"] = bool(row["public"])
        if has_hidden:
            row["description_hidden"] = bool(row["description_hidden"])
    return await labels.attach(rows)


# The orders a page may take: (expression over the request table, prefixed `{t}`; descending?), then the id.
# A request without due date sorts after every dated one.
ORDERS = {
    "newest": (("{t}created_at", True),),
    "oldest": (("{t}created_at", False),),
    "updated": (("{t}updated_at", True),),
    "due": (("COALESCE({t}due_at, {far})", False),),
    "priority": (("{t}priority", True), ("{t}created_at", True)),
}
_NUMBERS = ("{t}priority", "{t}id")
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=timezone.utc)


def _key_value(expression: str, raw: Any) -> Any:
    if expression in _NUMBERS:
        return int(raw)
    return parse_time(str(raw), "cursor").astimezone(timezone.utc)


def _keyset(where: sql.Where, keys: list[tuple[str, bool]], cursor: list) -> str:
    """Rows after the cursor in this order: (a < x) OR (a = x AND b < y) ..., with > where ascending."""
    if not isinstance(cursor, list) or len(cursor) != len(keys):
        raise ValidationFailed("This cursor is not valid (was it made for another sort?).", code="invalid_cursor",
                               field="cursor")
    try:
        values = [_key_value(expression, raw) for (expression, _), raw in zip(keys, cursor)]
    except (ValueError, TypeError, ValidationFailed):
        raise ValidationFailed("This cursor is not valid.", code="invalid_cursor", field="cursor") from None
    bare = [expression.replace("{t}", "") for expression, _ in keys]
    alternatives = []
    for k, (_, descending) in enumerate(keys):
        same = [where.cond(f"{bare[i]} = {{}}", values[i]) for i in range(k)]
        alternatives.append("(" + " AND ".join([*same, where.cond(f"{bare[k]} {'<' if descending else '>'} {{}}",
                                                                  values[k])]) + ")")
    return "(" + " OR ".join(alternatives) + ")"


def _cursor_value(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(" ", "T", 1)
    return value.isoformat() if isinstance(value, datetime) else value


async def page(where: sql.Where, limit: int, select: str = _SUMMARY_SELECT, *, order: str = "newest",
               cursor: list | None = None) -> tuple[list[dict], list | None]:
    """One round trip: the page's ids (through an index when the order has one), then those rows with their
    joins; and the cursor of the next page, which holds the last row's sort key."""
    far = where.bind(FAR_FUTURE) if order == "due" else ""
    keys = [(expression.replace("{far}", far), descending) for expression, descending in ORDERS[order]]
    keys.append(("{t}id", keys[-1][1]))
    if cursor:
        where.parts.append(_keyset(where, keys, cursor))
    head, tables = select.split(" FROM service_request r ", 1)

    def order_by(prefix: str) -> str:
        return ", ".join(f"{e.replace('{t}', prefix)} {'DESC' if d else 'ASC'}" for e, d in keys)

    sort_columns = "".join(f", {e.replace('{t}', 'r.')} AS sort_{i}" for i, (e, _) in enumerate(keys[:-1]))
    rows = await _plain(await sql.rows(
        f"{head}{sort_columns} FROM service_request r {tables} WHERE r.id IN (SELECT id FROM service_request "
        f"WHERE {where} ORDER BY {order_by('')} LIMIT {int(limit) + 1}) ORDER BY {order_by('r.')}",
        where.values, quick=True))
    more = len(rows) > limit
    rows = rows[:limit]
    if not more:
        return rows, None
    last = rows[-1]
    return rows, [*(_cursor_value(last[f"sort_{i}"]) for i in range(len(keys) - 1)), last["id"]]


async def service_ids(*, code: str | None = None, group: str | None = None) -> list[int]:
    """The ids of the services with this code (one per organisation) or in this group, bound as a list:
    a subquery in their place hides the index from SQLite's planner (the staff counts took 70 ms, not 1)."""
    where = sql.Where()
    if code is not None:
        where.add("code = {}", code)
    if group is not None:
        where.add('"group" = {}', group)
    return [row["id"] for row in await sql.rows(f"SELECT id FROM service WHERE {where}", where.values, quick=True)]


def statuses(given: list[str]) -> list[str]:
    """The statuses a `status=` filter names; `open` stands for every open one."""
    wanted = set()
    for s in given:
        if s == "open":
            wanted |= {x.value for x in OPEN_STATUSES}
        elif s in {x.value for x in Status}:
            wanted.add(s)
        else:
            raise ValidationFailed(f"Unknown status {s!r}.", code="invalid_choice", field="status")
    return sorted(wanted)


async def list_public(*, bbox: str | None, status: list[str], service: str | None, q: str | None,
                      since: str | None, organisation_id: int | None, cursor: list | None,
                      limit: int) -> tuple[list[dict], list | None]:
    """Public requests, newest first, with the filters of API.md."""
    where = sql.Where()
    wanted = [s for s in statuses(status) if s != Status.WITHDRAWN] if status else None
    if wanted == sorted(s.value for s in OPEN_STATUSES):
        where.parts.append(OPEN_ON_MAP)
    else:
        where.add("public = {}", True)
        if wanted is not None:
            where.any_of("status", wanted)
        else:
            where.add("status <> {}", Status.WITHDRAWN.value)
    if bbox:
        min_lat, min_lon, max_lat, max_lon = geo.parse_bbox(bbox)
        where.add("lat >= {} AND lat <= {} AND lon >= {} AND lon <= {}", min_lat, max_lat, min_lon, max_lon)
    if service:
        where.any_of("service_id", await service_ids(code=service))
    if organisation_id:
        where.add("organisation_id = {}", organisation_id)
    if since:
        where.add("updated_at >= {}", parse_time(since, "since").astimezone(timezone.utc))
    if q:
        where.either(f"UPPER(ref) = UPPER({where.bind(q.strip())})", where.contains("description", q),
                     where.contains("address", q))
    return await page(where, limit, cursor=cursor)


async def list_mine(*, user_id: int, cursor: list | None, limit: int) -> tuple[list[dict], list | None]:
    return await page(sql.Where().add("author_id = {}", user_id), limit, cursor=cursor)


async def nearby_open(*, lat: float, lon: float, service_code: str | None, metres: int, days: int,
                      now: datetime) -> list[tuple[dict, float]]:
    """Open public requests within `metres` from the last `days`, nearest first, with their distance."""
    min_lat, min_lon, max_lat, max_lon = geo.box_around(lat, lon, metres)
    where = (sql.Where().add("public = {}", True).any_of("status", [s.value for s in OPEN_STATUSES])
             .add("lat >= {} AND lat <= {} AND lon >= {} AND lon <= {}", min_lat, max_lat, min_lon, max_lon)
             .add("created_at >= {}", now - timedelta(days=days)))
    if service_code:
        where.any_of("service_id", await service_ids(code=service_code))
    found = []
    for req in await _plain(await sql.rows(f"{_SUMMARY_SELECT} WHERE r.id IN (SELECT id FROM service_request "
                                     f"WHERE {where} LIMIT 200)", where.values, quick=True)):
        distance = geo.distance_m((lat, lon), (req["lat"], req["lon"]))
        if distance <= metres:
            found.append((req, round(distance, 1)))
    return sorted(found, key=lambda pair: pair[1])[:20]
