"""The staff queue: the requests of the viewer's organisations, filtered, with counts per status."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from backend import sql
from backend.accounts.models import Organisation, Role
from backend.errors import Forbidden, NotFound, ValidationFailed
from backend.requests.models import OPEN_STATUSES
from backend.requests.queries import ORDERS, SUMMARY_FIELDS, page, parse_time, select_of, service_ids, statuses
from backend.requests.service import OFFICE_HANDLING as OFFICE_ROLES

STAFF_FIELDS = SUMMARY_FIELDS | {
    "team": "team", "priority": "priority", "due_at": "due_at", "assignee_id": "assignee_id",
    "assignee_name": "assignee__name", "contact_name": "contact_name", "public": "public",
}
_STAFF_SELECT = select_of(STAFF_FIELDS)
_OPEN = [s.value for s in OPEN_STATUSES]


@dataclass
class QueueFilters:
    organisation: str | None = None
    status: list[str] | None = None
    service: str | None = None
    assignee: str | None = None  # "me", "team" (mine and my teams' unassigned), "none" or a user id
    team: str | None = None
    channel: str | None = None
    q: str | None = None
    overdue: bool = False
    created_from: str | None = None
    created_to: str | None = None
    group: str | None = None
    has_photo: bool | None = None
    priority: int | None = None
    sort: str = "newest"

    def __post_init__(self) -> None:
        """Checked once, when made: an export has sent its headers by the time its rows are queried."""
        if self.status:
            statuses(self.status)
        for name, value in (("from", self.created_from), ("to", self.created_to)):
            if value:
                parse_time(value, name)
        if self.assignee not in (None, "me", "team", "none") and not (self.assignee.isdigit() and int(self.assignee) < 2**31):
            raise ValidationFailed("assignee is me, team, none or a user id.", code="invalid", field="assignee")
        if self.sort not in ORDERS:
            raise ValidationFailed(f"sort is one of {', '.join(ORDERS)}.", code="invalid_choice", field="sort")


async def scope(viewer: Any, organisation: str | None, where: sql.Where | None = None) -> sql.Where:
    """What the viewer may see: their organisations' requests, and those of the services they hold a right on;
    a field agent only theirs and their team's."""
    where = where or sql.Where()
    user = viewer.require_user()
    office = viewer.org_ids_with(*OFFICE_ROLES)
    field_only = viewer.org_ids_with(Role.FIELD_AGENT) - office
    granted = viewer.service_ids_with(*OFFICE_ROLES)
    granted_field = viewer.service_ids_with(Role.FIELD_AGENT)
    if not office and not field_only and not granted and not granted_field:
        raise Forbidden("The queue is for the staff of an organisation.")
    if organisation:
        org = await Organisation.get_or_none(slug=organisation)
        if org is None or org.id not in office | field_only | set(granted) | set(granted_field):
            raise NotFound("No such organisation among yours.", code="unknown_organisation", field="organisation")
        office, field_only = office & {org.id}, field_only & {org.id}
        granted = {k: v for k, v in granted.items() if k == org.id}
        granted_field = {k: v for k, v in granted_field.items() if k == org.id}
    allowed = [where.among("organisation_id", sorted(office))] if office else []
    granted_ids = sorted({s for org_id, ids in granted.items() if org_id not in office for s in ids})
    if granted_ids:
        allowed.append(where.among("service_id", granted_ids))
    if field_only:
        teams = [m.team for m in viewer.memberships if m.role == Role.FIELD_AGENT and m.team]
        mine = where.cond("assignee_id = {}", user.id)
        if teams:
            mine = f"({mine} OR {where.among('team', teams)})"
        allowed.append(f"({where.among('organisation_id', sorted(field_only))} AND {mine})")
    field_ids = sorted({s for org_id, ids in granted_field.items() if org_id not in office for s in ids})
    if field_ids:
        allowed.append(f"({where.among('service_id', field_ids)} AND {where.cond('assignee_id = {}', user.id)})")
    return where.either(*allowed)


async def filtered(where: sql.Where, f: QueueFilters, viewer: Any, now: datetime) -> sql.Where:
    if f.service:
        where.any_of("service_id", await service_ids(code=f.service))
    if f.assignee == "me":
        where.add("assignee_id = {}", viewer.user.id)
    elif f.assignee == "team":  # a field agent's round: their jobs, and their teams' jobs nobody has taken yet
        teams = sorted({m.team for m in viewer.memberships if m.team})
        where.either(where.cond("assignee_id = {}", viewer.user.id),
                     *([f"(assignee_id IS NULL AND {where.among('team', teams)})"] if teams else []))
    elif f.assignee == "none":
        where.add("assignee_id IS NULL")
    elif f.assignee:
        where.add("assignee_id = {}", int(f.assignee))
    if f.team:
        where.add("team = {}", f.team)
    if f.channel:
        where.add("channel = {}", f.channel)
    if f.q:
        text = f.q.strip()
        # A number alone is a reference without its prefix: "114", "000114" or "2026-000114" finds BRN-2026-000114.
        number = re.fullmatch(r"(?:(\d{4})-)?(\d{1,6})", text)
        by_number = [where.cond("ref LIKE {}", f"%-{number[1] + '-' if number[1] else ''}{int(number[2]):06d}")] \
            if number else []
        where.either(where.cond("UPPER(ref) = UPPER({})", text), *by_number, where.contains("description", text),
                     where.contains("address", text), where.contains("contact_name", text),
                     f'author_id IN (SELECT id FROM "user" WHERE {where.contains("name", text)})')
    if f.overdue:
        where.add("due_at < {}", now).any_of("status", _OPEN)
    if f.created_from:
        where.add("created_at >= {}", parse_time(f.created_from, "from").astimezone(timezone.utc))
    if f.group:
        where.any_of("service_id", await service_ids(group=f.group))
    if f.has_photo is not None:
        where.add("photo_count > 0" if f.has_photo else "photo_count = 0")
    if f.priority is not None:
        where.add("priority = {}", f.priority)
    if f.created_to:
        where.add("created_at < {}", parse_time(f.created_to, "to").astimezone(timezone.utc))
    return where


async def queue(*, viewer: Any, filters: QueueFilters, cursor: list | None, limit: int, now: datetime,
                with_counts: bool = True) -> tuple[list[dict], list | None, dict[str, int]]:
    """(rows, next cursor key, counts per status) of the queue; the counts ignore the status filter."""
    where = await filtered(await scope(viewer, filters.organisation), filters, viewer, now)
    counts = {}
    if with_counts:
        counts = {row["status"]: row["n"] for row in await sql.rows(
            f"SELECT status, COUNT(*) AS n FROM service_request WHERE {where} GROUP BY status", list(where.values),
            quick=not filters.q)}  # through an index, in a millisecond; a text search reads rows: off the loop
    if filters.status:
        where.any_of("status", statuses(filters.status))
    rows, next_key = await page(where, limit, _STAFF_SELECT, order=filters.sort, cursor=cursor)
    return rows, next_key, counts


async def people(*, viewer: Any, organisation: str) -> list[dict]:
    """Who a request of this organisation can be assigned to (for those who assign): its staff, and those who
    hold a right on one of its services."""
    from backend.accounts.models import Membership, MembershipStatus, ServiceGrant

    org = await Organisation.get_or_none(slug=organisation)
    assigners = (Role.DISPATCHER, Role.SERVICE_MANAGER, Role.ADMIN, Role.SECRETARY)
    if org is None or not (viewer.has_role(org.id, *assigners) or org.id in viewer.service_ids_with(*assigners)):
        raise Forbidden("Only dispatchers and managers assign requests.", field="organisation")
    handling = [r.value for r in (Role.AGENT, Role.FIELD_AGENT, Role.DISPATCHER, Role.SERVICE_MANAGER)]
    rows = await Membership.filter(organisation_id=org.id, status=MembershipStatus.ACTIVE, role__in=handling,
                                   user__is_active=True).order_by("user__name").values(
        "user_id", "role", "team", name="user__name")
    granted = await ServiceGrant.filter(service__organisation_id=org.id, membership__status=MembershipStatus.ACTIVE,
                                        role__in=handling, membership__user__is_active=True).values(
        "role", user_id="membership__user_id", name="membership__user__name")
    seen = {r["user_id"] for r in rows}
    for g in sorted(granted, key=lambda g: g["name"]):
        if g["user_id"] not in seen:
            seen.add(g["user_id"])
            rows.append(g | {"team": ""})
    return [{"id": r["user_id"], "name": r["name"], "role": str(getattr(r["role"], "value", r["role"])), "team": r["team"]}
            for r in rows]
