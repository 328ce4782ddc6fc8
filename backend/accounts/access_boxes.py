"""The staff access dashboards: requests I made, identities to validate, attachments and rights to decide;
filtered, searched, paged, exported; and the applicant's steps."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, AsyncIterator

from tortoise.expressions import Q

from backend.accounts import access, access_people, mails
from backend.accounts.models import (
    AccessKind, AccessRequest, AccessStatus, Membership, MembershipStatus, Organisation, Role, ServiceGrant,
)
from backend.errors import ValidationFailed

BOXES = ("mine", "identity", "attachments", "rights")
CHUNK = 500


@dataclass
class BoxFilters:
    box: str = "mine"
    status: str | None = None  # a status, or "all"; the boxes to handle show the pending ones by default
    kind: str | None = None
    organisation: str | None = None
    q: str | None = None

    def __post_init__(self) -> None:
        """Checked when made: an export has sent its headers by the time its rows are read."""
        if self.box not in BOXES:
            raise ValidationFailed(f"box is one of {', '.join(BOXES)}.", code="invalid_choice", field="box")
        if self.status not in (None, "all", *(s.value for s in AccessStatus)):
            raise ValidationFailed("Unknown status.", code="invalid_choice", field="status")
        if self.kind not in (None, *(k.value for k in AccessKind)):
            raise ValidationFailed("Unknown kind.", code="invalid_choice", field="kind")
        if self.q is not None and len(self.q) > 200:
            raise ValidationFailed("q is too long.", code="too_long", field="q", params={"max": 200})


async def _district_towns(district_ids: set[int], *, without_referee: bool = False) -> list[int]:
    towns = await Organisation.filter(parent_id__in=district_ids).values_list("id", flat=True) if district_ids else []
    if not without_referee or not towns:
        return list(towns)
    staffed = set(await Membership.filter(organisation_id__in=towns, role__in=access.REFEREES,
                                          status=MembershipStatus.ACTIVE).values_list("organisation_id", flat=True))
    return [t for t in towns if t not in staffed]


async def decided_services(viewer: Any) -> list[int]:
    """The services whose rights requests the viewer decides: those they manage, and, as secretary or deputy,
    those of their municipality that have no manager."""
    from backend.requests import service as requests

    managed = {sid for ids in viewer.service_ids_with(Role.SERVICE_MANAGER).values() for sid in ids}
    whole = viewer.org_ids_with(Role.SERVICE_MANAGER)
    referee = viewer.org_ids_with(*access.REFEREES) - whole
    out = set(managed)
    for org_id in whole | referee:
        org = await Organisation.get(id=org_id)
        ids = [s.id for s in await requests.services_of(org, include_inactive=True)]
        if org_id in whole:
            out.update(ids)
            continue
        if await Membership.exists(organisation_id=org_id, role=Role.SERVICE_MANAGER, status=MembershipStatus.ACTIVE):
            continue
        with_manager = set(await ServiceGrant.filter(service_id__in=ids, role=Role.SERVICE_MANAGER,
                                                     membership__status=MembershipStatus.ACTIVE)
                           .values_list("service_id", flat=True))
        out.update(i for i in ids if i not in with_manager)
    return sorted(out)


async def _query(viewer: Any, f: BoxFilters) -> Any:
    user = viewer.require_user()
    if f.box == "mine":
        query = AccessRequest.filter(applicant=user)
    else:
        # A municipality without secretary or deputy has its accounts and attachments decided by the prefect.
        prefect_of = viewer.org_ids_with(Role.PREFECT)
        referee = sorted(viewer.org_ids_with(*access.REFEREES) | set(await _district_towns(prefect_of,
                                                                                         without_referee=True)))
        if f.box == "identity":
            towns = await _district_towns(prefect_of)
            query = AccessRequest.filter(Q(kind=AccessKind.ACCOUNT, organisation_id__in=referee) |
                                         Q(kind=AccessKind.SECRETARY, organisation_id__in=towns))
        elif f.box == "attachments":
            query = AccessRequest.filter(kind=AccessKind.ATTACHMENT, organisation_id__in=referee)
        else:
            query = AccessRequest.filter(kind=AccessKind.RIGHTS, service_id__in=await decided_services(viewer))
        query = query.exclude(applicant=user)
        if f.status is None:
            query = query.filter(status__in=access.OPEN)  # held ones stay among those to handle
    if f.status == "pending":
        query = query.filter(status__in=access.OPEN)
    elif f.status not in (None, "all"):
        query = query.filter(status=f.status)
    if f.kind:
        query = query.filter(kind=f.kind)
    if f.organisation:
        query = query.filter(organisation__slug=f.organisation)
    if f.q:
        words = f.q.strip()
        query = query.filter(Q(applicant__name__icontains=words) | Q(applicant__email__icontains=words) |
                             Q(service__name_fr__icontains=words) | Q(service__name_en__icontains=words) |
                             Q(organisation__name_fr__icontains=words))
    return query


async def total(*, viewer: Any, filters: BoxFilters) -> int:
    """How many requests the box holds with these filters (for "page x of y")."""
    return await (await _query(viewer, filters)).count()


async def page(*, viewer: Any, filters: BoxFilters, before_id: int | None, limit: int) -> tuple[list, int | None]:
    """A page of the box, newest first, and the id to go on before."""
    query = await _query(viewer, filters)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    rows = await query.order_by("-id").limit(limit + 1).select_related("organisation", "service", "applicant",
                                                                       "decided_by")
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1].id if more else None


async def counts(*, viewer: Any, idle_days: int) -> dict[str, int]:
    """What waits in each box (pending), and the idle accounts of the viewer's municipalities."""
    out = {}
    for box in BOXES:
        out[box] = await (await _query(viewer, BoxFilters(box=box, status="pending"))).count()
    idle = 0
    for org in await Organisation.filter(id__in=viewer.org_ids_with(*access.REFEREES)):
        idle += len(await access_people.idle_members(org, idle_days))
    out["idle"] = idle
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def dump(req: AccessRequest, *, viewer: Any, language: str) -> dict:
    mine = viewer.user is not None and req.applicant_id == viewer.user.id
    pending = req.status in access.OPEN
    people = await access.deciders(req) if pending else []
    can_decide = pending and not mine and viewer.user is not None and any(p.id == viewer.user.id for p in people)
    return {
        "id": req.id, "kind": req.kind.value, "status": req.status.value,
        "what": access.describe(req, language),
        "organisation": {"slug": req.organisation.slug,
                         "name": req.organisation.name_en if language == "en" else req.organisation.name_fr},
        "service": {"code": req.service.code, "name": req.service.name_en if language == "en" else req.service.name_fr}
        if req.service_id else None,
        "role": req.role.value if req.role else None,
        "applicant": {"id": req.applicant.id, "name": req.applicant.name, "email": req.applicant.email,
                      "identity_verified": req.applicant.identity_verified_at is not None},
        "identity": req.identity, "message": req.message, "valid_until": _iso(req.valid_until),
        "created_at": _iso(req.created_at), "decided_at": _iso(req.decided_at),
        "decided_by": req.decided_by.name if req.decided_by_id else None, "reason": req.reason,
        "identity_method": req.identity_method.value if req.identity_method else None,
        "identity_note": req.identity_note if not mine else "",
        "deciders": [p.name for p in people],
        "can_decide": can_decide,
        # The identity document's copy: for the applicant and those who decide, until the decision.
        "document": {"type": req.document_type, "url": f"/api/v1/access/requests/{req.id}/document"}
        if req.document_name and (mine or can_decide) else None,
    }


COLUMNS = {
    "fr": ["Numéro", "Déposée le ({tz})", "Demande", "Commune", "Service", "Rôle", "Demandeur", "E-mail", "Fonction",
           "Statut", "Décidée le ({tz})", "Par", "Motif", "Identité vérifiée", "Jusqu'au ({tz})"],
    "en": ["Number", "Filed ({tz})", "Request", "Municipality", "Service", "Role", "Applicant", "E-mail", "Function",
           "Status", "Decided ({tz})", "By", "Reason", "Identity checked", "Until ({tz})"],
}
METHOD_NAMES = {"fr": {"in_person": "en personne", "phone": "par téléphone", "known_email": "par une adresse e-mail connue",
                       "document": "sur pièce d'identité"},
                "en": {"in_person": "in person", "phone": "by phone", "known_email": "by a known e-mail address",
                       "document": "on an identity document"}}
STATUS_NAMES = {"fr": {"pending": "En attente", "on_hold": "Suspendue", "accepted": "Acceptée", "refused": "Refusée",
                       "withdrawn": "Retirée"},
                "en": {"pending": "Pending", "on_hold": "On hold", "accepted": "Accepted", "refused": "Refused",
                       "withdrawn": "Withdrawn"}}


async def rows(*, viewer: Any, filters: BoxFilters, language: str) -> AsyncIterator[list]:
    """Every row of the box for a spreadsheet, read a few hundred at a time."""
    before = None
    while True:
        batch, before = await page(viewer=viewer, filters=filters, before_id=before, limit=CHUNK)
        for r in batch:
            yield [r.id, r.created_at, mails.kind_name(r.kind, language),
                   r.organisation.name_en if language == "en" else r.organisation.name_fr,
                   (r.service.name_en if language == "en" else r.service.name_fr) if r.service_id else "",
                   mails.role_name(r.role, language) if r.role else "", r.applicant.name, r.applicant.email,
                   r.identity.get("function", ""), STATUS_NAMES[language][r.status.value],
                   r.decided_at, r.decided_by.name if r.decided_by_id else "", r.reason,
                   METHOD_NAMES[language].get(r.identity_method.value, "") if r.identity_method else "", r.valid_until]
        if before is None:
            return


async def steps(*, viewer: Any) -> list[dict]:
    """The applicant's way to a staff account, each step done or not: what the progress indicator shows."""
    user = viewer.require_user()
    asked = await AccessRequest.filter(applicant=user, kind__in=[AccessKind.ACCOUNT, AccessKind.ATTACHMENT,
                                                                 AccessKind.SECRETARY]).exclude(
        status=AccessStatus.WITHDRAWN).exists()
    attached = any(m.role == Role.MEMBER for m in viewer.held)
    return [
        {"step": "account", "done": True},
        {"step": "email", "done": user.email_verified_at is not None},
        {"step": "municipality", "done": asked or attached},
        {"step": "identity", "done": asked or attached},
        {"step": "submitted", "done": asked or attached},
        {"step": "validated", "done": attached},
        {"step": "second_factor", "done": bool(user.totp_secret)},
    ]
