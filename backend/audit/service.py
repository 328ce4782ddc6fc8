"""Writes the audit trail; nothing in the application updates or deletes an entry."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, AsyncIterator

from backend.audit.models import AuditEntry
from backend.validation import parse_time


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


@dataclass
class TrailFilters:
    organisation_id: int
    action: str | None = None
    actor: str | None = None  # the actor's e-mail
    target: str | None = None
    since: str | None = None
    until: str | None = None

    def __post_init__(self) -> None:
        """Checked when made: an export has sent its headers by the time its entries are read."""
        self._since = parse_time(self.since, "from") if self.since else None
        self._until = parse_time(self.until, "to") if self.until else None

    def query(self) -> Any:
        query = AuditEntry.filter(organisation_id=self.organisation_id)
        for name, column in (("action", "action"), ("actor", "actor_label"), ("target", "target")):
            if getattr(self, name):
                query = query.filter(**{column: getattr(self, name)})
        if self._since:
            query = query.filter(at__gte=self._since)
        if self._until:
            query = query.filter(at__lt=self._until)
        return query


async def entries(filters: TrailFilters, *, before_id: int | None, limit: int) -> tuple[list[AuditEntry], int | None]:
    """A page of the trail, newest first, and the id to continue before (None on the last page)."""
    query = filters.query()
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    rows = await query.order_by("-id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)


COLUMNS = ["id", "at", "actor", "action", "target", "detail", "ip"]


async def rows(filters: TrailFilters, chunk: int = 1000) -> AsyncIterator[list]:
    """The whole filtered trail as export rows, read a thousand entries at a time."""
    before = None
    while True:
        page, before = await entries(filters, before_id=before, limit=chunk)
        for entry in page:
            d = dump_entry(entry)
            yield [d["id"], d["at"], d["actor"], d["action"], d["target"], json.dumps(d["detail"], ensure_ascii=False),
                   d["ip"]]
        if before is None:
            return
