"""Staff onboarding: account and attachment requests decided by the secretary, secretaries by the prefect,
rights on single services by their manager; every decision checked here and written to the audit trail.

Who decides what (nobody their own request):
    account, attachment  ->  the secretary of the municipality or a deputy (the prefect where it has none)
    secretary            ->  the prefect of the municipality's district
    rights on a service  ->  that service's manager (the secretary where it has none)

Naming, ending and the accounts screen: access_people.py.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from backend.accounts import mails
from backend.accounts.service import utcnow
from backend.accounts.models import (
    SERVICE_ROLES, AccessKind, AccessRequest, AccessStatus, IdentityMethod, Membership, MembershipStatus,
    Organisation, OrganisationKind, Role, ServiceGrant, User,
)
from backend.audit import service as audit
from backend.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.push import service as push

REFEREES = (Role.SECRETARY, Role.DEPUTY)
# What the canton's form asks of an applicant (issue 19, point 4): who they are, then their post.
IDENTITY_FIELDS = ("civility", "surname", "first_names", "birth_date", "postal_address", "function", "department",
                   "phone", "employee_number")
CIVILITIES = ("", "madame", "monsieur", "autre")


@dataclass
class Application:
    """What an applicant sends: a municipality, what for, and (for an identity check) who they are."""

    kind: AccessKind
    organisation: str
    identity: dict
    message: str = ""
    role: Role | None = None
    services: list[str] | None = None
    valid_until: datetime | None = None


async def municipality(slug: str) -> Organisation:
    org = await Organisation.get_or_none(slug=slug)
    if org is None or org.kind != OrganisationKind.MUNICIPALITY:
        raise ValidationFailed("Choose a municipality.", code="unknown_organisation", field="organisation")
    return org


def _holds(viewer: Any, organisation_id: int) -> bool:
    """An account holder of the municipality (whether or not the second factor was given yet)."""
    return any(m.organisation_id == organisation_id for m in viewer.held)


async def apply_in(*, viewer: Any, application: Application, also: list[str]) -> list[AccessRequest]:
    """The application in its municipality and, for an account or an attachment, in the others of `also`: one
    request each, all made or none."""
    if also and application.kind not in (AccessKind.ACCOUNT, AccessKind.ATTACHMENT):
        raise ValidationFailed("Several municipalities are asked only for an account or an attachment.",
                               code="invalid", field="also")
    made: list[AccessRequest] = []
    async with in_transaction():
        for town in dict.fromkeys([application.organisation, *also]):
            made += await apply(viewer=viewer, application=dataclasses.replace(application, organisation=town))
    return made


async def apply(*, viewer: Any, application: Application) -> list[AccessRequest]:
    """Files the applicant's request (one per service for rights) and tells those who decide."""
    user = viewer.require_user()
    if user.email_verified_at is None:
        raise Forbidden("Confirm your e-mail address first: open the link we sent you.", code="email_unverified")
    org = await municipality(application.organisation)
    kind = application.kind
    if kind == AccessKind.ACCOUNT and user.identity_verified_at is not None:
        kind = AccessKind.ATTACHMENT  # already identified: only the attachment is left to decide
    if kind in (AccessKind.ACCOUNT, AccessKind.SECRETARY) and not application.identity.get("function"):
        raise ValidationFailed("Say what your function is, so that it can be checked.", code="required",
                               field="identity.function")
    services: list[Any] = [None]
    role = None
    if kind in (AccessKind.ACCOUNT, AccessKind.ATTACHMENT):
        if any(m.organisation_id == org.id and m.role == Role.MEMBER for m in viewer.held):
            raise Conflict("You are already attached to this municipality.", code="already_attached",
                           field="organisation")
    elif kind == AccessKind.SECRETARY:
        role = Role.SECRETARY
    else:
        if not _holds(viewer, org.id):
            raise Forbidden("Ask to be attached to this municipality first.", code="not_attached",
                            field="organisation")
        if application.role not in SERVICE_ROLES:
            raise ValidationFailed(f"role is one of {', '.join(SERVICE_ROLES)}.", code="invalid_choice", field="role")
        role = application.role
        services = await services_of(org, application.services or [])
        if application.valid_until is not None and application.valid_until <= utcnow():
            raise ValidationFailed("valid_until must be in the future.", code="out_of_range", field="valid_until")
    pending = AccessRequest.filter(applicant=user, organisation=org, kind=kind, status__in=OPEN)
    if services[0] is not None:
        pending = pending.filter(service_id__in=[s.id for s in services], role=role)
    if await pending.exists():
        raise Conflict("You already asked for this; it waits for a decision.", code="already_requested")
    identity = {k: str(application.identity.get(k) or "").strip()[:300 if k == "postal_address" else 200]
                for k in IDENTITY_FIELDS}
    _check_identity(identity, kind)
    async with in_transaction() as conn:
        made = []
        for service in services:
            made.append(await AccessRequest.create(
                kind=kind, applicant=user, organisation=org, service=service, role=role, identity=identity,
                message=application.message, valid_until=application.valid_until, using_db=conn))
            await audit.record(action="access.requested", actor=user, organisation_id=org.id,
                               target=f"access:{made[-1].id}", detail={"kind": kind.value, "role": role,
                                                                       "service": service.code if service else None},
                               using_db=conn)
        for req in made:
            req.organisation, req.applicant = org, user
            for decider in await deciders(req):
                await tell(decider, "access_waiting", conn, who=user.name, what=describe(req, decider.language))
    return made


def _check_identity(identity: dict[str, str], kind: AccessKind) -> None:
    if kind in (AccessKind.ACCOUNT, AccessKind.SECRETARY):  # who is checked: the names on their identity document
        for name in ("surname", "first_names"):
            if not identity[name]:
                raise ValidationFailed(f"identity.{name} is required.", code="required", field=f"identity.{name}")
    if identity["civility"] not in CIVILITIES:
        raise ValidationFailed(f"identity.civility is one of {', '.join(c for c in CIVILITIES if c)}.",
                               code="invalid_choice", field="identity.civility")
    if identity["birth_date"]:
        try:
            born = date.fromisoformat(identity["birth_date"])
        except ValueError:
            raise ValidationFailed("identity.birth_date is a date (YYYY-MM-DD).", code="invalid_type",
                                   field="identity.birth_date") from None
        if not date(1900, 1, 1) <= born <= utcnow().date() - timedelta(days=15 * 365):
            raise ValidationFailed("identity.birth_date is not a plausible birth date.", code="out_of_range",
                                   field="identity.birth_date")


async def services_of(org: Organisation, codes: list[str]) -> list[Any]:
    from backend.requests import service as requests

    if not codes or len(codes) > 30:
        raise ValidationFailed("Name one to 30 services.", code="required", field="services")
    found = {s.code: s for s in await requests.services_of(org, include_inactive=True)}
    for code in codes:
        if code not in found:
            raise ValidationFailed(f"No service {code!r} in this municipality.", code="unknown_service",
                                   field="services")
    return [found[c] for c in dict.fromkeys(codes)]


def describe(req: AccessRequest, language: str) -> str:
    """One line saying what is asked, in the reader's language."""
    org = req.organisation.name_en if language == "en" else req.organisation.name_fr
    if req.kind == AccessKind.RIGHTS:
        service = req.service.name_en if language == "en" else req.service.name_fr
        return f"{mails.role_name(req.role, language)} · {service} · {org}"
    return f"{mails.kind_name(req.kind, language)} · {org}"


async def managers_of(service_id: int, organisation_id: int) -> list[User]:
    grants = await ServiceGrant.filter(service_id=service_id, role=Role.SERVICE_MANAGER,
                                       membership__status=MembershipStatus.ACTIVE).select_related("membership__user")
    people = [g.membership.user for g in grants]
    people += [m.user for m in await Membership.filter(organisation_id=organisation_id, role=Role.SERVICE_MANAGER,
                                                       status=MembershipStatus.ACTIVE).select_related("user")]
    return people


async def holders(organisation_id: int, *roles: Role) -> list[User]:
    return [m.user for m in await Membership.filter(organisation_id=organisation_id, role__in=roles,
                                                    status=MembershipStatus.ACTIVE).select_related("user")]


async def deciders(req: AccessRequest) -> list[User]:
    """Who may decide this request (the applicant never), in the order the applicant is shown them."""
    org = req.organisation
    if req.kind == AccessKind.SECRETARY:
        people = await holders(org.parent_id, Role.PREFECT) if org.parent_id else []
    elif req.kind == AccessKind.RIGHTS:
        people = await managers_of(req.service_id, org.id) or await holders(org.id, *REFEREES)
    else:
        people = await holders(org.id, Role.SECRETARY, Role.DEPUTY)
        if not people and org.parent_id:
            people = await holders(org.parent_id, Role.PREFECT)
    unique = {p.id: p for p in people if p.id != req.applicant_id and p.is_active}
    return list(unique.values())


async def may_decide(viewer: Any, req: AccessRequest) -> bool:
    return viewer.user is not None and any(p.id == viewer.user.id for p in await deciders(req))


async def decide(*, viewer: Any, request_id: int, accept: bool, reason: str = "",
                 identity_method: IdentityMethod | None = None, identity_note: str = "",
                 valid_until: datetime | None = None, ip: str = "", hold: bool = False) -> AccessRequest:
    """Accepts or refuses; an acceptance gives the membership or the right at once. `hold` puts it on hold with
    the reason the applicant reads, to be decided later. Audited either way."""
    user = viewer.require_user()
    req = await AccessRequest.get_or_none(id=request_id).select_related("organisation", "service", "applicant")
    if req is None:
        raise NotFound("No such request.", code="unknown_access_request")
    if req.applicant_id == user.id:
        raise Forbidden("Nobody decides their own request.", code="own_request")
    if not await may_decide(viewer, req):
        raise Forbidden("This request is not for you to decide.", code="not_yours")
    if req.status not in OPEN:
        raise Conflict(f"This request was already {req.status.value}.", code="already_decided")
    if hold:
        return await _hold(req, user, reason, ip)
    needs_identity = req.kind in (AccessKind.ACCOUNT, AccessKind.SECRETARY)
    if accept and needs_identity and identity_method is None:
        raise ValidationFailed("Say how you checked who this person is.", code="required", field="identity_method")
    if not accept and not reason.strip():
        raise ValidationFailed("Give the reason of the refusal: the applicant reads it.", code="required",
                               field="reason")
    now = utcnow()
    async with in_transaction() as conn:
        done = await AccessRequest.filter(id=req.id, status__in=OPEN).using_db(conn).update(
            status=AccessStatus.ACCEPTED if accept else AccessStatus.REFUSED, decided_at=now, decided_by=user,
            reason=reason.strip(), identity_method=identity_method if accept and needs_identity else None,
            identity_note=identity_note.strip()[:300], valid_until=valid_until or req.valid_until)
        if not done:
            raise Conflict("Someone decided this request a moment ago.", code="already_decided")
        if accept:
            await _give(req, granted_by=user, valid_until=valid_until or req.valid_until, now=now, conn=conn)
        await audit.record(action="access.accepted" if accept else "access.refused", actor=user,
                           organisation_id=req.organisation_id, target=f"access:{req.id}", ip=ip, using_db=conn,
                           detail={"kind": req.kind.value, "applicant": req.applicant.email, "reason": reason.strip(),
                                   "identity_method": identity_method.value if identity_method else None,
                                   "identity_note": identity_note.strip()[:300],
                                   "service": req.service.code if req.service else None,
                                   "role": req.role.value if req.role else None,
                                   "valid_until": (valid_until or req.valid_until).isoformat()
                                   if accept and (valid_until or req.valid_until) else None})
        await tell(req.applicant, "access_accepted" if accept else "access_refused", conn,
                    what=describe(req, req.applicant.language), reason=reason.strip() or "—")
    return await AccessRequest.get(id=req.id).select_related("organisation", "service", "applicant", "decided_by")


OPEN = (AccessStatus.PENDING, AccessStatus.ON_HOLD)  # still to decide


async def _hold(req: AccessRequest, user: User, reason: str, ip: str) -> AccessRequest:
    """On hold: waiting for what the reason says (a document, an answer); the applicant is told, and any decider
    may then accept or refuse it."""
    if not reason.strip():
        raise ValidationFailed("Say what the request waits for: the applicant reads it.", code="required",
                               field="reason")
    async with in_transaction() as conn:
        done = await AccessRequest.filter(id=req.id, status__in=OPEN).using_db(conn).update(
            status=AccessStatus.ON_HOLD, reason=reason.strip(), decided_by=user)
        if not done:
            raise Conflict("Someone decided this request a moment ago.", code="already_decided")
        await audit.record(action="access.held", actor=user, organisation_id=req.organisation_id,
                           target=f"access:{req.id}", ip=ip, using_db=conn,
                           detail={"kind": req.kind.value, "applicant": req.applicant.email, "reason": reason.strip()})
        await tell(req.applicant, "access_held", conn, what=describe(req, req.applicant.language),
                    reason=reason.strip())
    return await AccessRequest.get(id=req.id).select_related("organisation", "service", "applicant", "decided_by")


async def _give(req: AccessRequest, *, granted_by: User, valid_until: datetime | None, now: datetime,
                conn: Any) -> None:
    applicant = req.applicant
    if req.kind in (AccessKind.ACCOUNT, AccessKind.SECRETARY) and applicant.identity_verified_at is None:
        applicant.identity_verified_at = now
        await applicant.save(update_fields=["identity_verified_at"], using_db=conn)
    member = await membership(applicant, req.organisation_id, Role.MEMBER, granted_by, now, conn)
    if req.kind == AccessKind.SECRETARY:
        await membership(applicant, req.organisation_id, Role.SECRETARY, granted_by, now, conn)
    elif req.kind == AccessKind.RIGHTS:
        await ServiceGrant.filter(membership=member, service_id=req.service_id, role=req.role).using_db(conn).delete()
        await ServiceGrant.create(membership=member, service_id=req.service_id, role=req.role, granted_by=granted_by,
                                  valid_until=valid_until, using_db=conn)


async def membership(user: User, organisation_id: int, role: Role, granted_by: User, now: datetime,
                      conn: Any) -> Membership:
    """The active membership, made or brought back."""
    row = await Membership.filter(user=user, organisation_id=organisation_id, role=role).using_db(conn).first()
    if row is None:
        return await Membership.create(user=user, organisation_id=organisation_id, role=role, granted_by=granted_by,
                                       status=MembershipStatus.ACTIVE, decided_at=now, using_db=conn)
    row.status, row.granted_by, row.decided_at = MembershipStatus.ACTIVE, granted_by, now
    await row.save(update_fields=["status", "granted_by_id", "decided_at"], using_db=conn)
    return row


async def withdraw(*, viewer: Any, request_id: int) -> None:
    user = viewer.require_user()
    if not await AccessRequest.filter(id=request_id, applicant=user, status__in=OPEN).update(
            status=AccessStatus.WITHDRAWN, decided_at=utcnow()):
        raise NotFound("No pending request of yours with this number.", code="unknown_access_request")


async def tell(user: User, kind: str, conn: Any, **values: str) -> None:
    """The inbox and an e-mail, in the reader's language, with the link to the staff dashboards."""
    from backend.requests import service as requests

    subject, text, html = mails.render(kind, user.language, name=user.name, link=f"{requests.base_url()}/agent/access",
                                       **values)
    await push.queue_inbox(user=user, subject=subject, body=text, using_db=conn)
    await push.queue_email(to=user.email, subject=subject, text=text, html=html, user=user, using_db=conn)
