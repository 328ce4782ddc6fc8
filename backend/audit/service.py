"""Writes the audit trail; nothing in the application updates or deletes an entry."""
from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, AsyncIterator

from tortoise.expressions import Q, RawSQL

from backend.audit import names
from backend.audit.models import AuditEntry
from backend.validation import parse_time

# The address of the HTTP request being served (set by web.viewer); empty in the worker and commands, whose
# entries are the system's own.
CALLER_IP: ContextVar[str] = ContextVar("caller_ip", default="")


async def record(*, action: str, actor: Any = None, organisation_id: int | None = None, target: str = "",
                 detail: dict | None = None, ip: str = "", using_db: Any = None) -> AuditEntry:
    """Appends one entry: who did what to which target, from where (in the caller's transaction if given)."""
    return await AuditEntry.create(
        action=action, actor=actor, actor_label=getattr(actor, "email", "") if actor else "",
        organisation_id=organisation_id, target=target, detail=detail or {}, ip=ip or CALLER_IP.get(),
        using_db=using_db,
    )


def dump_entry(entry: AuditEntry, language: str = "fr") -> dict:
    return {"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor_label, "action": entry.action,
            "action_name": names.action_name(entry.action, language), "target": entry.target,
            "target_name": names.target_name(entry.target, language), "detail": entry.detail, "ip": entry.ip}


@dataclass
class TrailFilters:
    organisation_id: int
    action: str | None = None
    actor: str | None = None  # the actor's e-mail
    target: str | None = None
    q: str | None = None  # words found in the person, the target or the details (a name, a reason, an address)
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
        if self.q:
            query = query.annotate(detail_text=RawSQL("CAST(detail AS TEXT)")).filter(
                Q(actor_label__icontains=self.q) | Q(target__icontains=self.q) | Q(detail_text__icontains=self.q))
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


COLUMNS = {"fr": ["N°", "Quand ({tz})", "Qui", "Quoi", "Objet", "Code de l'action", "Détails", "D'où (IP)"],
           "en": ["No.", "When ({tz})", "Who", "What", "Target", "Action code", "Details", "From (IP)"]}


async def rows(filters: TrailFilters, language: str = "fr", chunk: int = 1000) -> AsyncIterator[list]:
    """The whole filtered trail as export rows, read a thousand entries at a time."""
    before = None
    while True:
        page, before = await entries(filters, before_id=before, limit=chunk)
        for entry in page:
            d = dump_entry(entry, language)
            yield [d["id"], entry.at, d["actor"] or "—", d["action_name"], d["target_name"], d["action"],
                   json.dumps(d["detail"], ensure_ascii=False), d["ip"] or "—"]
        if before is None:
            return
