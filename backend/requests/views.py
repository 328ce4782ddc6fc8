"""How a request looks to each viewer: public fields for anyone, more for its author, everything for staff."""
from __future__ import annotations

from typing import Any

from backend.media import service as media
from backend.requests.labels import label_of
from backend.requests.models import Event, ServiceRequest


def _value(choice: Any) -> Any:
    return getattr(choice, "value", choice)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def dump_event(event: Event, relation: str) -> dict:
    # Staff are named to everyone; a citizen's name is shown to staff only. What a citizen wrote (a comment, the
    # reason of a reopening) is read by the author and staff, never published: nobody moderates it beforehand.
    actor = event.actor.name if event.actor_id and (event.actor_is_staff or relation == "staff") else None
    comment = event.comment if event.actor_is_staff or relation != "public" else ""
    out = {"id": event.id, "kind": event.kind, "at": _iso(event.at), "status": event.status,
           "comment": comment, "public": event.public, "actor": actor}
    if event.data and (relation == "staff" or event.kind in ("moved", "appointment")):  # where it went, when to come
        out["data"] = event.data
    return out


def summary_row(req: ServiceRequest) -> dict:
    """A loaded request as the plain row that `queries.page` gives (times as ISO text, choices as their
    values), so lists and details dump alike."""
    return {
        "id": req.id, "ref": req.ref, "status": _value(req.status), "channel": _value(req.channel),
        "lat": req.lat, "lon": req.lon, "address": req.address, "description": req.description,
        "description_hidden": req.description_hidden,
        "attributes": req.attributes, "created_at": _iso(req.created_at), "updated_at": _iso(req.updated_at),
        "resolved_at": _iso(req.resolved_at), "supporters_count": req.supporters_count,
        "organisation": getattr(req.organisation, "slug", None),
        "duplicate_of": getattr(req.duplicate_of, "ref", None) if req.duplicate_of_id else None,
        "service": label_of(req.service),
    }


def dump_summary(row: dict, *, relation: str, language: str, photos: list | None = None) -> dict:
    """A plain row (see `summary_row`) as the API shows it to this viewer."""
    hidden = bool(row.get("description_hidden"))
    out: dict[str, Any] = {
        "ref": row["ref"],
        "service": row["service"].view(language),
        "organisation": row["organisation"],
        "status": row["status"],
        "lat": row["lat"], "lon": row["lon"], "address": row["address"],
        # Staff may hide a citizen's text from the public (moderation): the public sees that it was hidden.
        "description": "" if hidden and relation == "public" else row["description"],
        "description_hidden": hidden,
        "attributes": row["attributes"],
        "created_at": row["created_at"], "updated_at": row["updated_at"], "resolved_at": row["resolved_at"],
        "photos": [media.dump_photo(p) for p in photos or [] if relation != "public" or not p.get("hidden")],
        "supporters": row["supporters_count"],
        "duplicate_of": row["duplicate_of"],
    }
    if relation in ("author", "staff"):
        out["channel"] = row["channel"]
        out["is_author"] = relation == "author"
    return out


def dump_request(req: ServiceRequest, *, relation: str, language: str, photos: list | None = None,
                 events: list[Event] | None = None) -> dict:
    out = dump_summary(summary_row(req), relation=relation, language=language, photos=photos)
    out["relation"] = relation  # what the asker is to it: public, supporter, author or staff (who handles it)
    if events is not None:
        out["events"] = [dump_event(e, relation) for e in events]
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
