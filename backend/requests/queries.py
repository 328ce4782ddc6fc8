"""Reading requests: the public list, a citizen's own, the open ones near a point."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any


import orjson

from backend import sql
from backend.errors import ValidationFailed
from backend.geo import service as geo
from backend.requests.models import OPEN_STATUSES, Status

# What a list shows, joined in one query into plain rows: no model objects, no prefetch round trips.
SUMMARY_FIELDS = {
    "id": "id", "ref": "ref", "status": "status", "channel": "channel", "lat": "lat", "lon": "lon",
    "address": "address", "description": "description", "attributes": "attributes",
    "created_at": "created_at", "updated_at": "updated_at", "resolved_at": "resolved_at",
    "supporters_count": "supporters_count", "organisation": "organisation__slug",
    "duplicate_of": "duplicate_of__ref", "service_code": "service__code", "service_name_fr": "service__name_fr",
    "service_name_en": "service__name_en", "service_kind": "service__kind", "service_group": "service__group",
    "service_icon": "service__icon",
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
    """`SELECT ... FROM service_request r JOIN ...` for these fields, each named by its key."""
    columns, joins = [], []
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


def _plain(rows: list[dict]) -> list[dict]:
    """Rows as both drivers should give them: times as ISO text, attributes parsed, flags as booleans."""
    if not rows:
        return rows
    times = [key for key in _TIMES if key in rows[0]]
    has_attributes, has_public = "attributes" in rows[0], "public" in rows[0]
    for row in rows:
        for key in times:
            value = row[key]
            if value is not None:
                row[key] = value.replace(" ", "T", 1) if value.__class__ is str else value.isoformat()
        if has_attributes and row["attributes"].__class__ is str:
            row["attributes"] = orjson.loads(row["attributes"])
        if has_public:
            row["public"] = bool(row["public"])
    return rows


def _parse_time(raw: str, field: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(f"{field} must be an ISO 8601 date and time.", code="invalid_type", field=field) from None
    if value.tzinfo is None:
        raise ValidationFailed(f"{field} needs a time zone offset.", code="invalid_type", field=field)
    return value


def after_key(where: sql.Where, cursor: list | None) -> sql.Where:
    """`after_cursor` for hand-written SQL."""
    if not cursor:
        return where
    try:
        at, last_id = _parse_time(str(cursor[0]), "cursor").astimezone(timezone.utc), int(cursor[1])
    except (IndexError, ValueError, TypeError):
        raise ValidationFailed("This cursor is not valid.", code="invalid_cursor", field="cursor") from None
    return where.add("(created_at < {} OR (created_at = {} AND id < {}))", at, at, last_id)


async def page(where: sql.Where, limit: int, select: str = _SUMMARY_SELECT) -> tuple[list[dict], list | None]:
    """One round trip: the page's ids from an index alone (newest first), then those rows with their joins."""
    rows = _plain(await sql.rows(
        f"{select} WHERE r.id IN (SELECT id FROM service_request WHERE {where} "
        f"ORDER BY created_at DESC, id DESC LIMIT {int(limit) + 1}) ORDER BY r.created_at DESC, r.id DESC",
        where.values, quick=True))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, ([rows[-1]["created_at"], rows[-1]["id"]] if more else None)


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
    where = sql.Where().add("public = {}", True)
    if bbox:
        min_lat, min_lon, max_lat, max_lon = geo.parse_bbox(bbox)
        where.add("lat >= {} AND lat <= {} AND lon >= {} AND lon <= {}", min_lat, max_lat, min_lon, max_lon)
    if status:
        where.any_of("status", [s for s in statuses(status) if s != Status.WITHDRAWN])
    else:
        where.add("status <> {}", Status.WITHDRAWN.value)
    if service:
        where.any_of("service_id", await service_ids(code=service))
    if organisation_id:
        where.add("organisation_id = {}", organisation_id)
    if since:
        where.add("updated_at >= {}", _parse_time(since, "since").astimezone(timezone.utc))
    if q:
        where.either(f"UPPER(ref) = UPPER({where.bind(q.strip())})", where.contains("description", q),
                     where.contains("address", q))
    return await page(after_key(where, cursor), limit)


async def list_mine(*, user_id: int, cursor: list | None, limit: int) -> tuple[list[dict], list | None]:
    return await page(after_key(sql.Where().add("author_id = {}", user_id), cursor), limit)


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
    for req in _plain(await sql.rows(f"{_SUMMARY_SELECT} WHERE r.id IN (SELECT id FROM service_request "
                                     f"WHERE {where} LIMIT 200)", where.values, quick=True)):
        distance = geo.distance_m((lat, lon), (req["lat"], req["lon"]))
        if distance <= metres:
            found.append((req, round(distance, 1)))
    return sorted(found, key=lambda pair: pair[1])[:20]
