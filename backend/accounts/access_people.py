"""Who holds what in a municipality, and ending it: the secretary names deputies and service managers, the
prefect secretaries, the administrator prefects; attachments ended and rights removed, each by whom it belongs to;
the idle accounts; the accounts screen.

Who ends an attachment (nobody their own), by the highest role the person holds there:
    secretary            ->  the prefect of the district
    deputy               ->  the secretary, or the prefect
    anyone else          ->  the secretary or a deputy, or the prefect
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.accounts.access import REFEREES, managers_of, membership, municipality, services_of, tell
from backend.accounts.models import (
    Membership, MembershipStatus, Organisation, OrganisationKind, Role, ServiceGrant, User,
)
from backend.accounts.service import utcnow
from backend.audit import service as audit
from backend.errors import Forbidden, NotFound, ValidationFailed


def _may_end(viewer: Any, org: Organisation, roles: set[Role]) -> bool:
    """The table of the module's docstring: who may end the attachment of someone holding `roles` in `org`."""
    prefect = org.parent_id is not None and viewer.has_role(org.parent_id, Role.PREFECT)
    if Role.SECRETARY in roles:
        return prefect
    if Role.DEPUTY in roles:
        return prefect or viewer.has_role(org.id, Role.SECRETARY)
    return prefect or viewer.has_role(org.id, *REFEREES)


async def end_membership(*, viewer: Any, organisation: str, user_id: int, reason: str, ip: str = "") -> int:
    """The secretary (or a deputy, or the prefect) ends a person's attachment: every role and right there ends at
    once. The secretary's own attachment is the prefect's to end, a deputy's the secretary's."""
    actor = viewer.require_user()
    org = await municipality(organisation)
    if not _may_end(viewer, org, set()):
        raise Forbidden("Only the secretary of this municipality (or a deputy) ends an attachment.")
    if user_id == actor.id:
        raise Forbidden("Nobody ends their own attachment; ask the prefect.", code="own_request")
    if not reason.strip():
        raise ValidationFailed("Give the reason.", code="required", field="reason")
    async with in_transaction() as conn:
        held = await Membership.filter(user_id=user_id, organisation=org, status=MembershipStatus.ACTIVE).using_db(
            conn).values_list("id", "role")
        if not held:
            raise NotFound("This person holds no account here.", code="unknown_person")
        if not _may_end(viewer, org, {Role(role) for _, role in held}):
            raise Forbidden("The secretary's attachment is ended by the prefect, a deputy's by the secretary.",
                            code="above_your_role")
        ids = [i for i, _ in held]
        rights = await ServiceGrant.filter(membership_id__in=ids).using_db(conn).delete()
        await Membership.filter(id__in=ids).using_db(conn).update(status=MembershipStatus.ENDED, decided_at=utcnow())
        target = await User.get(id=user_id).using_db(conn)
        await audit.record(action="access.membership_ended", actor=actor, organisation_id=org.id,
                           target=f"user:{target.email}", ip=ip, using_db=conn,
                           detail={"memberships": len(ids), "rights": rights, "reason": reason.strip()})
        await tell(target, "access_ended", conn, what=org.name_fr if target.language == "fr" else org.name_en,
                    reason=reason.strip())
    return len(ids)


async def name(*, viewer: Any, organisation: str, role: Role, user_id: int | None = None, email: str | None = None,
               services: list[str] | None = None, ip: str = "") -> None:
    """The secretary names a deputy or a service manager (of some services, or of all) among the municipality's
    account holders; the prefect names a municipality's secretary; the administrator a district's prefect."""
    actor = viewer.require_user()
    org = await Organisation.get_or_none(slug=organisation)
    if org is None:
        raise NotFound("No such organisation.", code="unknown_organisation", field="organisation")
    target = await User.get_or_none(is_active=True, **({"id": user_id} if user_id is not None else {"email": email}))
    if target is None:
        raise NotFound("No account has this address.", code="unknown_person", field="user" if email is None else "email")
    if target.id == actor.id:
        raise Forbidden("Nobody names themself.", code="own_request")
    if role in (Role.DEPUTY, Role.SERVICE_MANAGER):
        allowed = viewer.has_role(org.id, Role.SECRETARY) or (role == Role.SERVICE_MANAGER and
                                                             viewer.has_role(org.id, Role.DEPUTY))
        holder = await Membership.exists(user=target, organisation=org, role=Role.MEMBER, status=MembershipStatus.ACTIVE)
    elif role == Role.SECRETARY:
        allowed = org.kind == OrganisationKind.MUNICIPALITY and bool(org.parent_id) and \
            viewer.has_role(org.parent_id, Role.PREFECT)
        holder = target.identity_verified_at is not None
    elif role == Role.PREFECT:
        allowed = org.kind == OrganisationKind.DISTRICT and bool(org.parent_id) and \
            viewer.has_role(org.parent_id, Role.ADMIN)
        holder = True
    else:
        raise ValidationFailed("role is deputy, service_manager, secretary or prefect.", code="invalid_choice",
                               field="role")
    if not allowed:
        raise Forbidden("This is not yours to name here.", code="not_yours")
    if not holder:
        raise ValidationFailed("Name an identified account holder of the municipality.", code="not_attached",
                               field="user")
    now = utcnow()
    async with in_transaction() as conn:
        if role == Role.SERVICE_MANAGER and services:
            member = await membership(target, org.id, Role.MEMBER, actor, now, conn)
            for service in await services_of(org, services):
                await ServiceGrant.filter(membership=member, service=service, role=role).using_db(conn).delete()
                await ServiceGrant.create(membership=member, service=service, role=role, granted_by=actor,
                                          using_db=conn)
        else:
            await membership(target, org.id, role, actor, now, conn)
        await audit.record(action="access.named", actor=actor, organisation_id=org.id, target=f"user:{target.email}",
                           detail={"role": role.value, "services": services or []}, ip=ip, using_db=conn)


async def remove_grant(*, viewer: Any, grant_id: int, reason: str, ip: str = "") -> int:
    """A service manager removes a right on one of their services (the secretary on any of the municipality);
    the id of the person who held it."""
    actor = viewer.require_user()
    grant = await ServiceGrant.get_or_none(id=grant_id).select_related("service", "membership__user")
    if grant is None:
        raise NotFound("No such right.", code="unknown_grant")
    org_id = grant.service.organisation_id
    managers = {u.id for u in await managers_of(grant.service_id, org_id)}
    if actor.id not in managers and not viewer.has_role(org_id, Role.SECRETARY):
        raise Forbidden("Only the manager of this service removes its rights.", code="not_yours")
    if grant.membership.user_id == actor.id:
        raise Forbidden("Nobody removes their own right; ask the secretary.", code="own_request")
    if not reason.strip():
        raise ValidationFailed("Say why this right ends: it is kept in the audit trail.", code="required", field="reason")
    async with in_transaction() as conn:
        await ServiceGrant.filter(id=grant.id).using_db(conn).delete()
        await audit.record(action="access.right_removed", actor=actor, organisation_id=org_id, ip=ip, using_db=conn,
                           target=f"user:{grant.membership.user.email}",
                           detail={"service": grant.service.code, "role": grant.role.value, "reason": reason.strip(),
                                   "valid_until": grant.valid_until.isoformat() if grant.valid_until else None})
    return grant.membership.user_id


async def idle_members(org: Organisation, days: int) -> list[Membership]:
    """The account holders of `org` who have not signed in for `days` (or never, since as long)."""
    limit = utcnow() - timedelta(days=days)
    return await Membership.filter(organisation=org, role=Role.MEMBER, status=MembershipStatus.ACTIVE).filter(
        Q(user__last_login_at__lt=limit) | Q(user__last_login_at=None, user__created_at__lt=limit)).select_related("user")


async def idle_accounts(*, viewer: Any, organisation: str, days: int) -> list[dict]:
    """The idle account holders of a municipality: the secretary's (or a deputy's) to review."""
    org = await municipality(organisation)
    if not viewer.has_role(org.id, *REFEREES):
        raise Forbidden("Only the secretary of this municipality (or a deputy) reviews its accounts.")
    return [{"id": m.user.id, "name": m.user.name, "email": m.user.email,
             "last_login_at": m.user.last_login_at.isoformat() if m.user.last_login_at else None}
            for m in await idle_members(org, days)]


async def people(*, viewer: Any, organisation: str, language: str) -> list[dict]:
    """The municipality's account holders with their roles and rights: for its secretary, deputies and managers
    (and the prefect of its district)."""
    org = await municipality(organisation)
    managers = org.id in viewer.service_ids_with(Role.SERVICE_MANAGER)
    if not (viewer.has_role(org.id, *REFEREES, Role.SERVICE_MANAGER) or managers or
            (org.parent_id and viewer.has_role(org.parent_id, Role.PREFECT))):
        raise Forbidden("Only the secretary, the deputies and the managers of this municipality see its accounts.")
    memberships = await Membership.filter(organisation=org, status=MembershipStatus.ACTIVE).select_related("user")
    grants = await ServiceGrant.filter(membership__organisation=org, membership__status=MembershipStatus.ACTIVE
                                       ).select_related("service", "membership")
    out: dict[int, dict] = {}
    for m in sorted(memberships, key=lambda m: m.user.name):
        person = out.setdefault(m.user_id, {
            "id": m.user.id, "name": m.user.name, "email": m.user.email, "roles": [], "rights": [],
            "identity_verified": m.user.identity_verified_at is not None, "second_factor": bool(m.user.totp_secret),
            "last_login_at": m.user.last_login_at.isoformat() if m.user.last_login_at else None})
        person["roles"].append(m.role.value)
    whole = viewer.has_role(org.id, Role.SECRETARY, Role.SERVICE_MANAGER)
    managed = viewer.service_ids_with(Role.SERVICE_MANAGER).get(org.id, set())
    referee = viewer.has_role(org.id, *REFEREES)
    for g in grants:
        if g.membership.user_id in out:
            out[g.membership.user_id]["rights"].append({
                "id": g.id, "role": g.role.value, "service": g.service.code,
                "service_name": g.service.name_en if language == "en" else g.service.name_fr,
                "valid_until": g.valid_until.isoformat() if g.valid_until else None,
                "can_remove": g.membership.user_id != viewer.user.id and (whole or g.service_id in managed)})
    for person in out.values():
        person["can_end"] = referee and person["id"] != viewer.user.id
    return list(out.values())


async def powers(viewer: Any) -> list[dict]:
    """Where the viewer may see the account holders, and whom they may name there: the secretary deputies and
    managers, a deputy managers, the prefect the secretaries of the district, the administrator its prefects."""
    out: dict[int, dict] = {}

    def place(org: Organisation, *roles: Role) -> None:
        entry = out.setdefault(org.id, {"organisation": org.slug, "name_fr": org.name_fr, "name_en": org.name_en,
                                        "kind": org.kind.value, "names": []})
        entry["names"] += [r.value for r in roles if r.value not in entry["names"]]

    for m in viewer.memberships:
        org = m.organisation
        if m.role == Role.SECRETARY:
            place(org, Role.DEPUTY, Role.SERVICE_MANAGER)
        elif m.role == Role.DEPUTY:
            place(org, Role.SERVICE_MANAGER)
        elif m.role == Role.SERVICE_MANAGER:
            place(org)
        elif m.role in (Role.PREFECT, Role.ADMIN):
            kind = OrganisationKind.MUNICIPALITY if m.role == Role.PREFECT else OrganisationKind.DISTRICT
            for child in await Organisation.filter(parent_id=org.id, kind=kind).order_by("name_fr"):
                place(child, Role.SECRETARY if m.role == Role.PREFECT else Role.PREFECT)
    for org_id in viewer.service_ids_with(Role.SERVICE_MANAGER):
        place(await Organisation.get(id=org_id))
    return list(out.values())
