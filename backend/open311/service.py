"""GeoReport v2 views of Guichet's services and requests, keys, and creation through Open311."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from backend.accounts import service as accounts
from backend.accounts.models import Organisation, OrganisationKind, Role
from backend.audit import service as audit
from backend.errors import Forbidden, NotFound
from backend.open311.formats import Open311Error
from backend.open311.models import Open311Key
from backend.requests.models import (OPEN_STATUSES, IdempotencyKey, Service, ServiceKind, ServiceRequest,
                                     Status)
from backend.requests.texts import status_label

DEFAULT_DAYS = 90  # the spec's default window and longest span of a query
MAX_RESULTS = 1000
OFFERED_KINDS = (ServiceKind.INCIDENT, ServiceKind.FORM)  # lost and found declarations stay out: personal


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


async def jurisdiction(slug: str | None) -> Organisation:
    """`jurisdiction_id` names the organisation; it may be left out when the server serves one municipality."""
    if slug:
        org = await Organisation.get_or_none(slug=slug)
        if org is None:
            raise Open311Error(404, f"jurisdiction_id {slug!r} is not served here.")
        return org
    served = await Organisation.filter(kind=OrganisationKind.MUNICIPALITY).limit(2)
    if len(served) != 1:
        raise Open311Error(400, "jurisdiction_id is required: this server serves several organisations.")
    return served[0]


async def services(org: Organisation) -> list[Service]:
    return await Service.filter(organisation=org, active=True, kind__in=list(OFFERED_KINDS)).order_by("position", "id")


def dump_service(s: Service, language: str) -> dict:
    return {"service_code": s.code, "service_name": s.name_en if language == "en" else s.name_fr,
            "description": (s.description_en if language == "en" else s.description_fr) or "",
            "metadata": bool(s.attributes), "type": "realtime", "keywords": "", "group": s.group or ""}


# Guichet's own question types, as the six of GeoReport v2 (the description says what is expected).
OPEN311_TYPES = {"date": ("string", "YYYY-MM-DD"), "boolean": ("singlevaluelist", "true or false"),
                 "email": ("string", "e-mail address"), "phone": ("string", "phone number"),
                 "address": ("string", "postal address"),
                 "file": ("string", "a file (PDF, JPEG, PNG), sent through the Guichet API, not over Open311")}


def dump_definition(s: Service, language: str) -> dict:
    return {"service_code": s.code, "attributes": [{
        "variable": True, "code": a["code"], "datatype": OPEN311_TYPES.get(a["datatype"], (a["datatype"], ""))[0],
        "required": a["required"] and not a.get("condition"),  # a conditional question is required only when asked
        "datatype_description": OPEN311_TYPES.get(a["datatype"], ("", ""))[1], "order": a["order"],
        "description": (a.get("description_en") if language == "en" else a.get("description")) or a["code"],
        "values": [{"key": v["key"], "name": v.get("name_en") if language == "en" else v["name"]}
                   for v in a.get("values") or []] or ([{"key": "true", "name": "Yes" if language == "en" else "Oui"},
                                                         {"key": "false", "name": "No" if language == "en" else "Non"}]
                                                        if a["datatype"] == "boolean" else []),
    } for a in s.attributes or [] if a.get("active", True)]}


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z") if value else None


def dump_request(req: ServiceRequest, org: Organisation, base_url: str, photo: str | None, notes: str,
                 language: str) -> dict:
    """A request as the spec names its fields; nothing personal (no e-mail, name or phone)."""
    status = Status(req.status)
    service = req.service
    return {
        "service_request_id": req.ref,
        "status": "open" if status in OPEN_STATUSES else "closed",
        "status_notes": f"{status_label(status.value, language)}{' : ' + notes if notes else ''}",
        "service_name": service.name_en if language == "en" else service.name_fr,
        "service_code": service.code,
        "description": "" if req.description_hidden else req.description,
        "agency_responsible": org.name_en if language == "en" else org.name_fr,
        "service_notice": "",
        "requested_datetime": _iso(req.created_at),
        "updated_datetime": _iso(req.updated_at),
        "expected_datetime": _iso(req.due_at),
        "address": req.address,
        "address_id": "",
        "zipcode": "",
        "lat": req.lat,
        "long": req.lon,
        "media_url": f"{base_url.rstrip('/')}/media/{photo}" if photo else "",
    }


def window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    end = end or (start + timedelta(days=DEFAULT_DAYS) if start else utcnow())
    start = start or end - timedelta(days=DEFAULT_DAYS)
    if end < start:
        raise Open311Error(400, "end_date comes before start_date.")
    if end - start > timedelta(days=DEFAULT_DAYS):
        raise Open311Error(400, f"start_date and end_date may not span more than {DEFAULT_DAYS} days.")
    return start, end


async def key_for(raw: str) -> Open311Key:
    if not raw:
        raise Open311Error(403, "api_key is required to create a request.")
    key = await Open311Key.get_or_none(key_hash=accounts.token_hash(raw), revoked_at=None)
    if key is None:
        raise Open311Error(403, "This api_key is unknown or revoked.")
    return key


def token_key(token: str) -> str:
    return f"open311-token:{token}"


async def by_token(token: str) -> ServiceRequest | None:
    row = await IdempotencyKey.get_or_none(key=token_key(token)).prefetch_related("request")
    return row.request if row else None


def new_token() -> str:
    return secrets.token_urlsafe(12)


# Keys: the organisation's administrators give and revoke them.

def _require_admin(viewer: Any, org: Organisation) -> Any:
    user = viewer.require_user()
    if not viewer.has_role(org.id, Role.ADMIN):
        raise Forbidden("Only the administrators of this organisation manage its Open311 keys.")
    return user


async def create_key(*, viewer: Any, org: Organisation, name: str, ip: str) -> tuple[Open311Key, str]:
    user = _require_admin(viewer, org)
    raw, hashed = accounts.new_token("o311_")
    key = await Open311Key.create(organisation=org, name=name, key_hash=hashed, prefix=raw[:12], created_by=user)
    await audit.record(action="open311.key_created", actor=user, organisation_id=org.id, target=key.prefix, ip=ip,
                       detail={"name": name})
    return key, raw


async def keys_of(*, viewer: Any, org: Organisation) -> list[Open311Key]:
    _require_admin(viewer, org)
    return await Open311Key.filter(organisation=org).order_by("-id")


async def revoke_key(*, viewer: Any, org: Organisation, key_id: int, ip: str) -> None:
    user = _require_admin(viewer, org)
    key = await Open311Key.get_or_none(id=key_id, organisation=org, revoked_at=None)
    if key is None:
        raise NotFound("No such key.", code="unknown_key")
    key.revoked_at = utcnow()
    await key.save(update_fields=["revoked_at"])
    await audit.record(action="open311.key_revoked", actor=user, organisation_id=org.id, target=key.prefix, ip=ip)


def dump_key(key: Open311Key) -> dict:
    return {"id": key.id, "name": key.name, "prefix": key.prefix, "created_at": key.created_at.isoformat(),
            "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None}
