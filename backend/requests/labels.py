"""What a list shows of each request's service, kept in memory: the catalogue changes a few times a year, the
map is read all day.

A page's rows carry their service's id and `updated_at` (a join through the primary key, two values) instead of
its six label columns, which were a fifth of the public map's query. The label is read once per version of the
service and process: a change saved anywhere (Tortoise's `auto_now` moves `updated_at` on every `save()`) makes
a new version, so every worker shows the new name on its next page, with no cache to clear. Change services
with `save()`: `Service.filter(...).update(...)` leaves `updated_at` as it was, and lists would keep the old
label.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend import sql
from backend.requests.catalogue import localised

# The columns a page's query asks for in place of the label, and the names the rows give them.
COLUMNS = {"service_id": "service_id", "service_version": "service__updated_at"}
_FIELDS = ("code", "kind", "group", "icon", "name_fr", "name_en")  # a Label's, as the service table names them
_SELECT = "SELECT id, updated_at, " + ", ".join(f'"{name}"' for name in _FIELDS) + " FROM service"


@dataclass(frozen=True, slots=True)
class Label:
    code: str
    kind: str
    group: str
    icon: str
    name_fr: str
    name_en: str
    views: dict[str, dict] = field(default_factory=dict, compare=False)

    def name(self, language: str) -> str:
        return localised(self, "name", language)

    def view(self, language: str) -> dict:
        """The `service` object of a list item, one per service and language, shared by every item: read only."""
        view = self.views.get(language)
        if view is None:
            view = self.views[language] = {"code": self.code, "name": self.name(language), "kind": self.kind,
                                           "group": self.group, "icon": self.icon}
        return view


def label_of(service: Any) -> Label:
    """The label of a loaded Service."""
    values = [getattr(service, name) for name in _FIELDS]
    return Label(*(getattr(v, "value", v) for v in values))  # the kind's enum as the table holds it


_known: dict[int, tuple[Any, Label]] = {}  # service id -> (the version it was read at, its label)


async def attach(rows: list[dict]) -> list[dict]:
    """Each row's `service` becomes its Label; the services not known at their row's version are read at once."""
    missing = {row["service_id"] for row in rows
               if (known := _known.get(row["service_id"])) is None or known[0] != row["service_version"]}
    if missing:
        where = sql.Where().any_of("id", sorted(missing))
        for s in await sql.rows(f"{_SELECT} WHERE {where}", where.values, quick=True):
            _known[s["id"]] = (s["updated_at"], Label(*(s[name] for name in _FIELDS)))
    for row in rows:
        row["service"] = _known[row["service_id"]][1]
    return rows
