"""Versions of a procedure's questions (issue 17, point 4). A service manager's change of the questions makes a
new version; the one before is kept, and every request names the version it was answered with, so its answers
are always read with the questions as they were asked (a question renamed, its choices changed, or removed).
Two managers saving at once: the second gets 409 `edited_meanwhile` and reloads. Each change is audited with
what was added, removed and changed."""
from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.audit import service as audit
from backend.errors import Conflict
from backend.requests.models import QuestionSet, Service, ServiceRequest


def diff(old: list[dict], new: list[dict]) -> dict[str, list[str]]:
    before, after = {a["code"]: a for a in old}, {a["code"]: a for a in new}
    return {"added": sorted(set(after) - set(before)), "removed": sorted(set(before) - set(after)),
            "changed": sorted(c for c in set(before) & set(after) if before[c] != after[c])}


async def change(*, viewer: Any, service: Service, attributes: list[dict]) -> bool:
    """Saves `attributes` (already checked) as the service's next version; False when nothing changed."""
    old = service.attributes or []
    if old == attributes:
        return False
    version = service.questions_version or 1
    try:
        async with in_transaction() as conn:
            await QuestionSet.get_or_create(service_id=service.id, version=version, defaults={"attributes": old},
                                            using_db=conn)
            await QuestionSet.create(service_id=service.id, version=version + 1, attributes=attributes,
                                     changed_by=viewer.user, using_db=conn)
            updated = await Service.filter(id=service.id, questions_version=version).using_db(conn).update(
                attributes=attributes, questions_version=version + 1)
            if not updated:
                raise IntegrityError("edited meanwhile")
    except IntegrityError:
        raise Conflict("Someone saved these questions meanwhile: reload them, then change them again.",
                       code="edited_meanwhile", field="attributes") from None
    service.attributes, service.questions_version = attributes, version + 1
    await audit.record(action="service.questions", actor=viewer.user, organisation_id=service.organisation_id,  # type: ignore[attr-defined]
                       target=f"service:{service.code}", detail={"version": version + 1, **diff(old, attributes)})
    return True


async def asked_with(req: ServiceRequest, service: Service) -> list[dict]:
    """The questions `req` was answered with: its version's, or the service's own when that is the same (or the
    request is older than versions)."""
    if not req.questions_version or req.questions_version == service.questions_version:
        return service.attributes or []
    kept = await QuestionSet.get_or_none(service_id=service.id, version=req.questions_version)
    return kept.attributes if kept is not None else service.attributes or []


async def history(service: Service) -> list[dict]:
    rows = await QuestionSet.filter(service_id=service.id).order_by("-version").select_related("changed_by")
    return [{"version": r.version, "at": r.created_at.isoformat() if r.created_at else None,
             "by": r.changed_by.name if r.changed_by else None, "questions": len(r.attributes)} for r in rows]
