"""Writes the audit trail; nothing in the application updates or deletes an entry."""
from __future__ import annotations

from typing import Any

from backend.audit.models import AuditEntry


async def record(*, action: str, actor: Any = None, organisation_id: int | None = None, target: str = "",
                 detail: dict | None = None, ip: str = "", using_db: Any = None) -> AuditEntry:
    """Appends one entry: who did what to which target, from where (in the caller's transaction if given)."""
    return await AuditEntry.create(
        action=action, actor=actor, actor_label=getattr(actor, "email", "") if actor else "",
        organisation_id=organisation_id, target=target, detail=detail or {}, ip=ip, using_db=using_db,
    )


def dump_entry(entry: AuditEntry) -> dict:
    return {"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor_label, "action": entry.action,
            "target": entry.target, "detail": entry.detail, "ip": entry.ip}
