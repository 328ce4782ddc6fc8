"""Reading requests: the public list, a citizen's own, the open ones near a point."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from backend.errors import ValidationFailed
from backend.geo import service as geo
from backend.requests.models import OPEN_STATUSES, Service, ServiceRequest, Status

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


def _parse_time(raw: str, field: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(f"{field} must be an ISO 8601 date and time.", code="invalid_type", field=field) from None
    if value.tzinfo is None:
        raise ValidationFailed(f"{field} needs a time zone offset.", code="invalid_type", field=field)
    return value


def after_cursor(query: Any, cursor: list | None) -> Any:
    """Keyset pagination on (created_at, id), newest first: stable while rows are added."""
    if not cursor:
        return query
    try:
        at, last_id = _parse_time(str(cursor[0]), "cursor"), int(cursor[1])
    except (IndexError, ValueError, TypeError):
        raise ValidationFailed("This cursor is not valid.", code="invalid_cursor", field="cursor") from None
    return query.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=last_id))


async def page_of(query: Any, limit: int, fields: dict[str, str] = SUMMARY_FIELDS) -> tuple[list[dict], list | None]:
    """Two steps: the page's ids from an index alone, then those rows with their service joined."""
    ids = await query.order_by("-created_at", "-id").limit(limit + 1).values_list("id", flat=True)
    by_id = {row["id"]: row for row in await ServiceRequest.filter(id__in=ids).values(**fields)}
    rows = [by_id[i] for i in ids if i in by_id]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, ([rows[-1]["created_at"].isoformat(), rows[-1]["id"]] if more else None)


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
    query = ServiceRequest.filter(public=True).exclude(status=Status.WITHDRAWN)
    if bbox:
        min_lat, min_lon, max_lat, max_lon = geo.parse_bbox(bbox)
        query = query.filter(lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon)
    if status:
        query = query.filter(status__in=statuses(status))
    if service:
        query = query.filter(service_id__in=await Service.filter(code=service).values_list("id", flat=True))
    if organisation_id:
        query = query.filter(organisation_id=organisation_id)
    if since:
        query = query.filter(updated_at__gte=_parse_time(since, "since"))
    if q:
        query = query.filter(Q(description__icontains=q) | Q(ref__iexact=q.strip()) | Q(address__icontains=q))
    return await page_of(after_cursor(query, cursor), limit)


async def list_mine(*, user_id: int, cursor: list | None, limit: int) -> tuple[list[dict], list | None]:
    return await page_of(after_cursor(ServiceRequest.filter(author_id=user_id), cursor), limit)


async def nearby_open(*, lat: float, lon: float, service_code: str | None, metres: int, days: int,
                      now: datetime) -> list[tuple[dict, float]]:
    """Open public requests within `metres` from the last `days`, nearest first, with their distance."""
    min_lat, min_lon, max_lat, max_lon = geo.box_around(lat, lon, metres)
    query = ServiceRequest.filter(public=True, status__in=[s.value for s in OPEN_STATUSES],
                                  lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon,
                                  created_at__gte=now - timedelta(days=days))
    if service_code:
        query = query.filter(service__code=service_code)
    found = []
    for req in await query.limit(200).values(**SUMMARY_FIELDS):
        distance = geo.distance_m((lat, lon), (req["lat"], req["lon"]))
        if distance <= metres:
            found.append((req, round(distance, 1)))
    return sorted(found, key=lambda pair: pair[1])[:20]
