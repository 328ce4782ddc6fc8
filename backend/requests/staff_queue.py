"""The staff queue: the requests of the viewer's organisations, filtered, with counts per status."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count

from backend.accounts.models import Organisation, Role
from backend.errors import Forbidden, NotFound, ValidationFailed
from backend.requests.models import OPEN_STATUSES, Service, ServiceRequest
from backend.requests.queries import SUMMARY_FIELDS, _parse_time, after_cursor, page_of, statuses
from backend.requests.service import OFFICE_HANDLING as OFFICE_ROLES

STAFF_FIELDS = SUMMARY_FIELDS | {
    "team": "team", "priority": "priority", "due_at": "due_at", "assignee_id": "assignee_id",
    "assignee_name": "assignee__name", "contact_name": "contact_name", "public": "public",
}


@dataclass
class QueueFilters:
    organisation: str | None = None
    status: list[str] | None = None
    service: str | None = None
    assignee: str | None = None  # "me", "none" or a user id
    team: str | None = None
    channel: str | None = None
    q: str | None = None
    overdue: bool = False
    created_from: str | None = None
    created_to: str | None = None

    def __post_init__(self) -> None:
        """Checked once, when made: an export has sent its headers by the time its rows are queried."""
        if self.status:
            statuses(self.status)
        for name, value in (("from", self.created_from), ("to", self.created_to)):
            if value:
                _parse_time(value, name)
        if self.assignee not in (None, "me", "none") and not self.assignee.isdigit():
            raise ValidationFailed("assignee is me, none or a user id.", code="invalid", field="assignee")


async def scope(viewer: Any, organisation: str | None) -> Q:
    """What the viewer may see: their organisations' requests; a field agent only theirs and their team's."""
    user = viewer.require_user()
    office = viewer.org_ids_with(*OFFICE_ROLES)
    field_only = viewer.org_ids_with(Role.FIELD_AGENT) - office
    if not office and not field_only:
        raise Forbidden("The queue is for the staff of an organisation.")
    if organisation:
        org = await Organisation.get_or_none(slug=organisation)
        if org is None or org.id not in office | field_only:
            raise NotFound("No such organisation among yours.", code="unknown_organisation", field="organisation")
        office, field_only = office & {org.id}, field_only & {org.id}
    allowed = Q(organisation_id__in=sorted(office)) if office else Q(id=-1)
    if field_only:
        teams = [m.team for m in viewer.memberships if m.role == Role.FIELD_AGENT and m.team]
        mine = Q(assignee_id=user.id) | Q(team__in=teams) if teams else Q(assignee_id=user.id)
        allowed = allowed | (Q(organisation_id__in=sorted(field_only)) & mine)
    return allowed


async def _filtered(query: Any, f: QueueFilters, viewer: Any, now: datetime) -> Any:
    if f.service:
        query = query.filter(service_id__in=await Service.filter(code=f.service).values_list("id", flat=True))
    if f.assignee == "me":
        query = query.filter(assignee_id=viewer.user.id)
    elif f.assignee == "none":
        query = query.filter(assignee_id=None)
    elif f.assignee:
        query = query.filter(assignee_id=int(f.assignee))
    if f.team:
        query = query.filter(team=f.team)
    if f.channel:
        query = query.filter(channel=f.channel)
    if f.q:
        text = f.q.strip()
        query = query.filter(Q(ref__iexact=text) | Q(description__icontains=text) | Q(address__icontains=text)
                             | Q(contact_name__icontains=text) | Q(author__name__icontains=text))
    if f.overdue:
        query = query.filter(due_at__lt=now, status__in=[s.value for s in OPEN_STATUSES])
    if f.created_from:
        query = query.filter(created_at__gte=_parse_time(f.created_from, "from"))
    if f.created_to:
        query = query.filter(created_at__lt=_parse_time(f.created_to, "to"))
    return query


async def queue(*, viewer: Any, filters: QueueFilters, cursor: list | None, limit: int, now: datetime,
                with_counts: bool = True) -> tuple[list[dict], list | None, dict[str, int]]:
    """(rows, next cursor key, counts per status) of the queue; the counts ignore the status filter."""
    base = await _filtered(ServiceRequest.filter(await scope(viewer, filters.organisation)), filters, viewer, now)
    counts = {}
    if with_counts:
        counts = {row["status"]: row["n"] for row in await base.annotate(n=Count("id")).group_by("status").values("status", "n")}
    query = base.filter(status__in=statuses(filters.status)) if filters.status else base
    rows, next_key = await page_of(after_cursor(query, cursor), limit, STAFF_FIELDS)
    return rows, next_key, {str(getattr(k, "value", k)): v for k, v in counts.items()}


async def people(*, viewer: Any, organisation: str) -> list[dict]:
    """Who a request of this organisation can be assigned to (for those who assign)."""
    from backend.accounts.models import Membership, MembershipStatus

    org = await Organisation.get_or_none(slug=organisation)
    if org is None or not viewer.has_role(org.id, Role.DISPATCHER, Role.SERVICE_MANAGER, Role.ADMIN, Role.SECRETARY):
        raise Forbidden("Only dispatchers and managers assign requests.", field="organisation")
    handling = [r.value for r in (Role.AGENT, Role.FIELD_AGENT, Role.DISPATCHER, Role.SERVICE_MANAGER)]
    rows = await Membership.filter(organisation_id=org.id, status=MembershipStatus.ACTIVE, role__in=handling,
                                   user__is_active=True).order_by("user__name").values(
        "user_id", "role", "team", name="user__name")
    return [{"id": r["user_id"], "name": r["name"], "role": str(getattr(r["role"], "value", r["role"])), "team": r["team"]}
            for r in rows]
