"""What staff do to many requests at once (bulk), to one report that holds two problems (split), to a request
filed in the wrong place (move), and the queue filters they keep (saved filters)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.accounts.models import Organisation
from backend.audit import service as audit
from backend.errors import Conflict, Forbidden, GuichetError, NotFound, ValidationFailed
from backend.requests import service
from backend.requests.models import Channel, Event, SavedFilter, ServiceKind, ServiceRequest, Status

MAX_BULK = 100
MAX_SAVED_FILTERS = 50
# The query-string keys of the queue a saved filter may hold (anything else is refused, not silently kept).
FILTER_KEYS = {"organisation", "status", "service", "group", "assignee", "team", "channel", "q", "overdue", "from",
               "to", "has_photo", "priority", "sort"}


@dataclass
class BulkChange:
    status: str | None = None
    comment: str = ""
    public: bool = True
    assignee_id: int | None = None
    handling: dict | None = None


async def bulk(*, viewer: Any, refs: list[str], change: BulkChange, ip: str) -> list[dict]:
    """The same change on each request, each in its own transaction: one refusal does not undo the others,
    and the answer says, request by request, what was done and what was refused and why."""
    if not refs or len(refs) > MAX_BULK:
        raise ValidationFailed(f"Give between 1 and {MAX_BULK} references.", code="out_of_range", field="refs")
    if len(set(refs)) != len(refs):
        raise ValidationFailed("A reference is given twice.", code="invalid", field="refs")
    results = []
    for ref in refs:
        try:
            req, relation = await service.request_for(ref, viewer)
            if relation != "staff":
                raise NotFound(f"No request {ref} among yours.", code="unknown_request")
            event = await service.post_staff_event(viewer=viewer, req=req, status=change.status, comment=change.comment,
                                                   public=change.public, assignee_id=change.assignee_id, ip=ip,
                                                   handling=change.handling)
            results.append({"ref": ref, "ok": True, "event": event.id, "request_id": req.id})
        except GuichetError as exc:
            results.append({"ref": ref, "ok": False, "error": exc.body()["error"]})
    return results


async def split(*, viewer: Any, req: ServiceRequest, service_code: str, description: str,
                lat: float | None, lon: float | None, ip: str) -> ServiceRequest:
    """A report that holds a second problem becomes two: the new one keeps the author, the contact, the channel
    and (unless moved) the place; both timelines say so."""
    actor = service.require_staff(viewer, req, *service.OFFICE_HANDLING)
    if req.service.kind != ServiceKind.INCIDENT:  # a lost or found object is one object
        raise ValidationFailed("Only a report of a problem is split.", code="invalid", field="service")
    await req.fetch_related("author", "organisation")
    point = (lat if lat is not None else req.lat, lon if lon is not None else req.lon)
    org = req.organisation
    svc = await service.service_by_code(org, service_code)
    new = service.NewRequest(service=svc, lat=point[0], lon=point[1], description=description, attributes={},
                             address=req.address if point == (req.lat, req.lon) else "",
                             contact_email=req.contact_email, contact_name=req.contact_name,
                             contact_phone=req.contact_phone, channel=Channel(req.channel), language=req.language)
    created, _ = await service.create_request(new=new, author=req.author)
    async with in_transaction() as conn:
        await Event.create(request=req, kind="split", at=service.utcnow(), public=True, actor=actor,
                           actor_is_staff=True, data={"into": created.ref}, using_db=conn,
                           comment=f"Une partie de ce signalement est suivie sous {created.ref}.")
        await Event.create(request=created, kind="split", at=service.utcnow(), public=True, actor=actor,
                           actor_is_staff=True, data={"from": req.ref}, using_db=conn,
                           comment=f"Détaché du signalement {req.ref}.")
        await audit.record(action="request.split", actor=actor, organisation_id=req.organisation_id, target=req.ref,
                           ip=ip, detail={"into": created.ref}, using_db=conn)
    return created


async def move(*, viewer: Any, req: ServiceRequest, service_code: str, organisation: Organisation | None,
               reason: str, ip: str) -> Event:
    """A request filed under the wrong service (or the wrong municipality) goes to the right one, with the reason,
    which its author is told. Within the organisation the mover needs a right on both services; to another
    organisation, a dispatcher's, manager's, secretary's or administrator's right here hands it over, and there it
    starts again as submitted, for its dispatch."""
    actor = service.require_staff(viewer, req, *service.OFFICE_HANDLING)
    await req.fetch_related("service", "organisation")
    target_org = organisation or req.organisation
    target = await service.service_by_code(target_org, service_code)
    if target.id == req.service_id:
        raise ValidationFailed("The request is already in this service.", code="unchanged", field="service")
    if target.kind != req.service.kind:
        raise ValidationFailed("A request moves only to a service of the same kind.", code="invalid", field="service")
    elsewhere = target_org.id != req.organisation_id
    if elsewhere and not viewer.has_role(req.organisation_id, *service.ASSIGNERS, service_id=req.service_id):
        raise Forbidden("Only dispatchers, managers, secretaries and administrators hand a request to another "
                        "organisation.", field="organisation")
    if not elsewhere and not viewer.has_role(target_org.id, *service.OFFICE_HANDLING, service_id=target.id):
        raise Forbidden("You have no right on that service.", field="service")
    names = lambda svc, org: {"service": svc.name_fr, "service_en": svc.name_en or svc.name_fr,  # noqa: E731
                              "organisation": org.name_fr, "organisation_en": org.name_en, "code": svc.code,
                              "slug": org.slug}
    data = {"from": names(req.service, req.organisation), "to": names(target, target_org)}
    source_org_id = req.organisation_id
    async with in_transaction() as conn:
        req.service, req.organisation, req.assignee, req.team = target, target_org, None, ""
        fields = ["service_id", "organisation_id", "assignee_id", "team", "updated_at"]
        if elsewhere and req.status not in (Status.SUBMITTED,):
            req.status = Status.SUBMITTED
            fields.append("status")
        req.updated_at = service.utcnow()
        await req.save(update_fields=fields, using_db=conn)
        event = await Event.create(request=req, kind="moved", at=req.updated_at, public=True, actor=actor,
                                   actor_is_staff=True, comment=reason, data=data, using_db=conn)
        await service.notify(req, "moved", conn, actor=actor, comment=reason)
        await service.mark_answered(req, event.at, conn)
        for org_id in sorted({source_org_id, target_org.id}):  # each side's audit keeps what left and what came
            await audit.record(action="request.moved", actor=actor, organisation_id=org_id, target=req.ref, ip=ip,
                               detail=data | {"reason": reason}, using_db=conn)
    return event


def check_filter_query(query: str) -> str:
    """The query string of a queue filter, normalised; keys the queue does not know are refused."""
    pairs = parse_qsl(query.lstrip("?"), keep_blank_values=False)
    unknown = sorted({k for k, _ in pairs} - FILTER_KEYS)
    if unknown:
        raise ValidationFailed(f"Not a queue filter: {', '.join(unknown)}.", code="invalid", field="query")
    return urlencode(pairs)


async def saved_filters(user: Any) -> list[dict]:
    rows = await SavedFilter.filter(user=user).order_by("name")
    return [{"id": f.id, "name": f.name, "query": f.query} for f in rows]


async def save_filter(*, user: Any, name: str, query: str) -> dict:
    query = check_filter_query(query)
    if await SavedFilter.filter(user=user).count() >= MAX_SAVED_FILTERS:
        raise ValidationFailed(f"At most {MAX_SAVED_FILTERS} saved filters; delete one first.", code="too_many",
                               field="name")
    try:
        saved = await SavedFilter.create(user=user, name=name.strip(), query=query)
    except IntegrityError:
        raise Conflict("A filter of yours already has this name.", code="filter_exists", field="name") from None
    return {"id": saved.id, "name": saved.name, "query": saved.query}


async def delete_filter(*, user: Any, filter_id: int) -> None:
    if not await SavedFilter.filter(id=filter_id, user=user).delete():
        raise NotFound("No such saved filter of yours.", code="unknown_filter")

