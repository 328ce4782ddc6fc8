"""How a request looks to each viewer: public fields for anyone, more for its author, everything for staff."""
from __future__ import annotations

from typing import Any

from backend.media import service as media
from backend.requests.catalogue import localised
from backend.requests.models import Event, ServiceRequest


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def dump_event(event: Event, relation: str) -> dict:
    # Staff are named to everyone; a citizen's name is shown to staff only.
    actor = event.actor.name if event.actor_id and (event.actor_is_staff or relation == "staff") else None
    out = {"id": event.id, "kind": event.kind, "at": _iso(event.at), "status": event.status,
           "comment": event.comment, "public": event.public, "actor": actor}
    if relation == "staff" and event.data:
        out["data"] = event.data
    return out


def dump_request(req: ServiceRequest, *, relation: str, language: str, photos: list | None = None,
                 events: list[Event] | None = None) -> dict:
    status = getattr(req.status, "value", req.status)
    out: dict[str, Any] = {
        "ref": req.ref,
        "service": {"code": req.service.code, "name": localised(req.service, "name", language),
                    "kind": getattr(req.service.kind, "value", req.service.kind), "group": req.service.group,
                    "icon": req.service.icon},
        "organisation": req.organisation.slug if hasattr(req.organisation, "slug") else None,
        "status": status,
        "lat": req.lat, "lon": req.lon, "address": req.address,
        "description": req.description,
        "attributes": req.attributes,
        "created_at": _iso(req.created_at), "updated_at": _iso(req.updated_at),
        "resolved_at": _iso(req.resolved_at),
        "photos": [media.dump_photo(p) for p in (photos or [])],
        "supporters": req.supporters_count,
        "duplicate_of": getattr(req.duplicate_of, "ref", None) if req.duplicate_of_id else None,
    }
    if events is not None:
        out["events"] = [dump_event(e, relation) for e in events]
    if relation in ("author", "staff"):
        out["channel"] = getattr(req.channel, "value", req.channel)
        out["is_author"] = relation == "author"
    if relation == "staff":
        out.update({
            "contact": {"name": req.contact_name or (req.author.name if req.author_id and hasattr(req.author, "name") else ""),
                        "email": req.contact_email or (req.author.email if req.author_id and hasattr(req.author, "email") else ""),
                        "phone": req.contact_phone},
            "assignee": ({"id": req.assignee.id, "name": req.assignee.name}
                         if req.assignee_id and hasattr(req.assignee, "name") else None),
            "team": req.team, "priority": req.priority, "due_at": _iso(req.due_at), "public": req.public,
        })
    return out
