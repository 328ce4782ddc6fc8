"""What a live event says about a request, and what a reconnecting client missed."""
from __future__ import annotations

import logging
from typing import Any

from backend.requests.models import Event, ServiceRequest

log = logging.getLogger("guichet.realtime")
_FIELDS = {"ref": "ref", "organisation_id": "organisation_id", "status": "status", "lat": "lat", "lon": "lon",
           "updated_at": "updated_at", "due_at": "due_at", "service_code": "service__code",
           "service_name_fr": "service__name_fr", "service_name_en": "service__name_en", "assignee": "assignee__name",
           "request_id": "id"}


def _event(row: dict, last_event_id: int) -> dict:
    return {"id": last_event_id, "ref": row["ref"], "organisation_id": row["organisation_id"],
            "status": str(getattr(row["status"], "value", row["status"])), "lat": row["lat"], "lon": row["lon"],
            "service": {"code": row["service_code"], "name_fr": row["service_name_fr"], "name_en": row["service_name_en"]},
            "assignee": row["assignee"], "updated_at": row["updated_at"].isoformat() if row["updated_at"] else None,
            "due_at": row["due_at"].isoformat() if row["due_at"] else None}


async def events_for(request_ids: list[int]) -> list[dict]:
    """The current state of these requests as live events, in the order of their latest change."""
    if not request_ids:
        return []
    rows = await ServiceRequest.filter(id__in=request_ids).values(**_FIELDS)
    latest: dict[int, int] = {}
    for request_id, event_id in await Event.filter(request_id__in=request_ids).values_list("request_id", "id"):
        latest[request_id] = max(event_id, latest.get(request_id, 0))
    return sorted((_event(r, latest.get(r["request_id"], 0)) for r in rows), key=lambda e: e["id"])


async def missed(*, organisation_ids: set[int], after: int, limit: int = 500) -> list[dict]:
    """What changed since event `after` in these organisations (for a client reconnecting with Last-Event-ID)."""
    ids = await Event.filter(id__gt=after, request__organisation_id__in=sorted(organisation_ids)).order_by("id") \
        .limit(limit).values_list("request_id", flat=True)
    return await events_for(sorted(set(ids)))


async def publish_request(bus: Any, ref: str) -> None:
    """Tells the live screens about a committed change; a failure here never undoes or fails the change."""
    try:
        req_id = await ServiceRequest.filter(ref=ref).values_list("id", flat=True)
        for event in await events_for(list(req_id)):
            await bus.publish(event)
    except Exception:  # noqa: BLE001 (the change is committed; the screens catch up on reconnection)
        log.exception("live event for %s not published", ref)
