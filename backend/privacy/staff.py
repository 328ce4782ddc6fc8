"""Rights requests brought by post or at the counter, executed by the municipal secretary (or a deputy, or an
administrator) for their own organisation: what is held about an e-mail address, a copy of it, its anonymisation.

Only the organisation's requests are looked at: those the address wrote with an account or gave as contact. The
account itself is deleted with them when nothing else hangs on it (no request elsewhere, no staff role); otherwise
it stays, and the answer says so. Every step is audited, with the reason given.
"""
from __future__ import annotations

import hashlib
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.accounts.models import Membership, MembershipStatus, Organisation, Role, User
from backend.audit import service as audit
from backend.config import Settings
from backend.errors import Forbidden, ValidationFailed
from backend.lostfound.models import Claim
from backend.media import documents, service as media
from backend.privacy import service
from backend.requests.models import ServiceRequest
from backend.requests.service import utcnow

OFFICERS = (Role.SECRETARY, Role.DEPUTY, Role.ADMIN)


def _require_officer(viewer: Any, org: Organisation) -> Any:
    user = viewer.require_user()
    if not viewer.has_role(org.id, *OFFICERS):
        raise Forbidden("Only the secretary, their deputies and the administrators of this organisation execute "
                        "a person's data rights.")
    return user


def _email(value: str) -> str:
    email = " ".join((value or "").split()).lower()
    if "@" not in email or len(email) > 254:
        raise ValidationFailed("Give the person's e-mail address.", code="invalid_email", field="email")
    return email


def person_tag(email: str) -> str:
    """How the audit names the person: a digest of the address, which proves which address was meant to whoever
    has it, and names nobody to whoever reads the audit."""
    return "person:" + hashlib.sha256(email.encode()).hexdigest()[:16]


def _theirs(org: Organisation, email: str) -> Any:
    return ServiceRequest.filter(Q(author__email=email) | Q(contact_email__iexact=email), organisation_id=org.id)


async def find(*, viewer: Any, org: Organisation, email: str) -> dict[str, Any]:
    """What the organisation holds about the address, to tell the person before acting."""
    _require_officer(viewer, org)
    email = _email(email)
    user = await User.get_or_none(email=email)
    requests = await _theirs(org, email).order_by("id").values("ref", "status", "created_at")
    return {"email": email, "account": user is not None,
            "requests": [{"ref": r["ref"], "status": r["status"], "created_at": r["created_at"].isoformat()}
                         for r in requests],
            "claims": await Claim.filter(claimant__email=email, found__organisation_id=org.id).count()}


async def export(*, viewer: Any, org: Organisation, email: str, reason: str, settings: Settings) -> bytes:
    """A ZIP like the person's own download, limited to this organisation's requests."""
    officer = _require_officer(viewer, org)
    email = _email(email)
    user = await User.get_or_none(email=email)
    reqs = await service.fetch_requests(_theirs(org, email))
    data = {"format": "guichet-personal-data/1", "exported_at": utcnow().isoformat(), "organisation": org.slug,
            "account": service.account_data(user) if user else None,
            "requests": await service.requests_data(reqs, user.language if user else "fr")}
    await audit.record(action="privacy.exported", actor=officer, organisation_id=org.id, target=person_tag(email),
                       detail={"requests": len(reqs), "reason": reason})
    return await service.zip_of(data, settings)


async def anonymise(*, viewer: Any, org: Organisation, email: str, reason: str,
                    settings: Settings) -> dict[str, Any]:
    """The person's requests in this organisation lose what names them; their account goes when nothing else
    hangs on it."""
    officer = _require_officer(viewer, org)
    email = _email(email)
    async with in_transaction():
        user = await User.get_or_none(email=email)
        rows = await _theirs(org, email).values("id", "contact_name", "contact_phone")
        given = {email, *(r[k] for r in rows for k in ("contact_name", "contact_phone") if r[k])}
        account = set(service.strings_of(user)) if user else set()
        files, private = await service.anonymise_requests([r["id"] for r in rows], sorted(given | account))
        deleted = False
        if user and not await ServiceRequest.filter(author_id=user.id).exists() \
                and not await Membership.filter(user_id=user.id, status=MembershipStatus.ACTIVE).exists():
            await service.delete_account(user)
            deleted = True
        # What was given only with the requests names nobody any more; a kept account keeps its own details.
        await service.scrub_audit(None, sorted(given - account) if user and not deleted else sorted(given))
        result = {"requests_anonymised": len(rows), "requests_private": private, "account_deleted": deleted,
                  "account_kept": bool(user) and not deleted}
        await audit.record(action="privacy.anonymised", actor=officer, organisation_id=org.id,
                           target=f"requests:{len(rows)}", detail=result | {"reason": reason})
    await media.forget_files(settings, files)
    await documents.sweep(settings)
    return result
