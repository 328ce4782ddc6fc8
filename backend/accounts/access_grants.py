"""Rights on a service given directly: a service's manager (or the municipal secretary) gives an attached account
holder a right on one of their services without waiting for a request, and moves or removes a right's end date.
Audited; the person is told."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from backend.accounts import access, mails
from backend.accounts.models import (SERVICE_ROLES, Membership, MembershipStatus, Organisation, Role, ServiceGrant,
                                     User)
from backend.audit import service as audit
from backend.errors import Forbidden, NotFound, ValidationFailed
from backend.requests.models import Service
from backend.requests.service import utcnow


async def grantable(viewer: Any, organisation: str, language: str) -> list[dict]:
    """The services of the organisation on which the viewer gives rights (for the accounts screen)."""
    org = await Organisation.get_or_none(slug=organisation)
    if org is None or viewer.user is None:
        return []
    return [{"code": s.code, "name": s.name_en if language == "en" else s.name_fr}
            for s in await Service.filter(organisation=org, active=True).order_by("position", "name_fr")
            if viewer.has_role(org.id, Role.SERVICE_MANAGER, Role.SECRETARY, service_id=s.id)]


async def _may_manage(viewer: Any, service: Service) -> Any:
    """The manager of this service (by a right, or of the whole organisation) or its secretary."""
    actor = viewer.require_user()
    if not viewer.has_role(service.organisation_id, Role.SERVICE_MANAGER, Role.SECRETARY, service_id=service.id):
        raise Forbidden("Only the manager of this service gives or changes its rights.", code="not_yours")
    return actor


def _check_end(valid_until: datetime | None) -> datetime | None:
    if valid_until is not None and valid_until <= utcnow():
        raise ValidationFailed("The end of a right is in the future.", code="in_the_past", field="valid_until")
    return valid_until


async def give(*, viewer: Any, organisation: str, user_id: int, service_code: str, role: str,
               valid_until: datetime | None, ip: str = "") -> ServiceGrant:
    org = await Organisation.get_or_none(slug=organisation)
    if org is None:
        raise NotFound("No such organisation.", code="unknown_organisation", field="organisation")
    service = await Service.get_or_none(organisation=org, code=service_code)
    if service is None:
        raise NotFound(f"No service {service_code!r} here.", code="unknown_service", field="service")
    actor = await _may_manage(viewer, service)
    if role not in {r.value for r in SERVICE_ROLES}:
        raise ValidationFailed(f"role is one of {', '.join(r.value for r in SERVICE_ROLES)}.", code="invalid_choice",
                               field="role")
    if user_id == actor.id:
        raise Forbidden("Nobody gives themself a right.", code="own_request")
    member = await Membership.get_or_none(user_id=user_id, organisation=org, role=Role.MEMBER,
                                          status=MembershipStatus.ACTIVE).select_related("user")
    if member is None:
        raise ValidationFailed("Give rights to an account holder attached to the municipality.", code="not_attached",
                               field="user")
    _check_end(valid_until)
    async with in_transaction() as conn:
        await ServiceGrant.filter(membership=member, service=service, role=Role(role)).using_db(conn).delete()
        grant = await ServiceGrant.create(membership=member, service=service, role=Role(role), granted_by=actor,
                                          valid_until=valid_until, using_db=conn)
        await audit.record(action="access.granted", actor=actor, organisation_id=org.id, ip=ip, using_db=conn,
                           target=f"user:{member.user.email}",
                           detail={"service": service.code, "role": role,
                                   "valid_until": valid_until.isoformat() if valid_until else None})
        await _tell(member.user, service, role, conn)
    return grant


async def _tell(user: User, service: Service, role: str, conn: Any) -> None:
    lang = user.language
    what = f"{mails.role_name(role, lang)} · {service.name_en if lang == 'en' else service.name_fr}"
    await access.tell(user, "access_granted", conn, what=what)


async def set_end(*, viewer: Any, grant_id: int, valid_until: datetime | None, ip: str = "") -> ServiceGrant:
    """Moves a right's end (or removes it: for good)."""
    grant = await ServiceGrant.get_or_none(id=grant_id).select_related("service", "membership__user")
    if grant is None:
        raise NotFound("No such right.", code="unknown_grant")
    actor = await _may_manage(viewer, grant.service)
    if grant.membership.user_id == actor.id:
        raise Forbidden("Nobody changes their own right; ask the secretary.", code="own_request")
    _check_end(valid_until)
    before = grant.valid_until
    async with in_transaction() as conn:
        grant.valid_until = valid_until
        await grant.save(update_fields=["valid_until"], using_db=conn)
        await audit.record(action="access.right_end_changed", actor=actor, organisation_id=grant.service.organisation_id,
                           target=f"user:{grant.membership.user.email}", ip=ip, using_db=conn,
                           detail={"service": grant.service.code, "role": grant.role.value,
                                   "from": before.isoformat() if before else None,
                                   "to": valid_until.isoformat() if valid_until else None})
    return grant
