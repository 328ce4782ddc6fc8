"""What a live event says about a request, and what a reconnecting client missed."""
from __future__ import annotations

import logging
from typing import Any

from tortoise.expressions import Q

from backend import db, sql
from backend.requests.models import Event

log = logging.getLogger("guichet.realtime")

# A request's state as a live event, with the id of its latest event, in one read.
_SELECT = ('SELECT r.id AS request_id, r.ref, r.organisation_id, r.service_id, r.status, r.lat, r.lon, r.updated_at, r.due_at, '
           's.code AS service_code, s.name_fr AS service_name_fr, s.name_en AS service_name_en, u.name AS assignee, '
           '(SELECT MAX(e.id) FROM event e WHERE e.request_id = r.id) AS last_event '
           'FROM service_request r JOIN service s ON s.id = r.service_id LEFT JOIN "user" u ON u.id = r.assignee_id')


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.replace(" ", "T", 1) if isinstance(value, str) else value.isoformat()


def _event(row: dict) -> dict:
    return {"id": row["last_event"] or 0, "ref": row["ref"], "organisation_id": row["organisation_id"],
            "service_id": row["service_id"],
            "status": row["status"], "lat": row["lat"], "lon": row["lon"],
            "service": {"code": row["service_code"], "name_fr": row["service_name_fr"], "name_en": row["service_name_en"]},
            "assignee": row["assignee"], "updated_at": _iso(row["updated_at"]), "due_at": _iso(row["due_at"])}


async def events_for(request_ids: list[int]) -> list[dict]:
    """The current state of these requests as live events, in the order of their latest change."""
    if not request_ids:
        return []
    where = sql.Where().any_of("r.id", request_ids)
    rows = await sql.rows(f"{_SELECT} WHERE {where}", where.values, quick=len(request_ids) <= 50)
    return sorted((_event(r) for r in rows), key=lambda e: e["id"])


async def missed(*, organisation_ids: set[int], after: int, service_ids: set[int] = frozenset(),
                 limit: int = 500) -> list[dict]:
    """What changed since event `after` in these organisations, or in these services (rights on single services),
    for a client reconnecting with Last-Event-ID."""
    ids = await Event.filter(Q(request__organisation_id__in=sorted(organisation_ids)) |
                             Q(request__service_id__in=sorted(service_ids)), id__gt=after).order_by("id") \
        .limit(limit).values_list("request_id", flat=True)
    return await events_for(sorted(set(ids)))


async def latest_id() -> int:
    """The id of the latest event of all: a stream opened now has missed nothing before it."""
    rows = await sql.rows("SELECT MAX(id) AS last FROM event", [], quick=True)
    return rows[0]["last"] or 0


async def publish_request(bus: Any, request_id: int) -> None:
    """Tells the live screens about a committed change; a failure here never undoes or fails the change."""
    try:
        for event in await events_for([request_id]):
            await bus.publish(event)
    except Exception as exc:  # noqa: BLE001 (the change is committed; the screens catch up on reconnection)
        if db.is_outage(exc):  # the database went away just after the commit: one line, not a trace
            log.warning("live event for request %s not published: %r", request_id, exc)
        else:
            log.exception("live event for request %s not published", request_id)


async def publish_access_change(bus: Any, *, session_id: int | None = None, user_id: int | None = None) -> None:
    """Tells the live streams that a session ended or a person's rights changed: theirs check again at once (the
    others would within a keep-alive period anyway)."""
    try:
        await bus.publish({"kind": "access", "session_id": session_id, "user_id": user_id})
    except Exception:  # noqa: BLE001 (the change is committed; the streams check again at their next keep-alive)
        log.exception("access change not published to the live streams")
