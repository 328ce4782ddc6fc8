"""Statistics of the requests a staff member may see: received, resolved, open and overdue, the median and 90th
percentile of the time to a first answer and to resolution, by service, organisation, channel or status, and per
week; over a period of creation (the last twelve weeks unless said).

Counted by the database in a few statements over the same scope as the queue (`staff_queue.scope`): percentiles by
window functions (both SQLite and PostgreSQL have them), so that 100,000 requests never travel to Python.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from backend import db, sql
from backend.accounts.models import Organisation
from backend.errors import ValidationFailed
from backend.requests.texts import channel_label, status_label
from backend.requests.models import OPEN_STATUSES, Service
from backend.requests.staff_queue import QueueFilters, filtered, scope

GROUPS = ("service", "organisation", "channel", "status")
COLUMNS = {"service": "service_id", "organisation": "organisation_id", "channel": "channel", "status": "status"}
DEFAULT_DAYS = 84


def _seconds(later: str, earlier: str) -> str:
    if db.dialect() == "postgres":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def _week(column: str) -> str:
    """The Monday (UTC) of the week of `column`, as text YYYY-MM-DD."""
    if db.dialect() == "postgres":
        return f"to_char(date_trunc('week', {column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"
    return f"date({column}, '-6 days', 'weekday 1')"


async def _percentiles(where: sql.Where, group: str, later: str) -> dict[Any, tuple[float, float]]:
    """{group value: (median, 90th percentile)} of `later` - created_at, in hours, over the rows that have one."""
    rows = await sql.rows(
        f"SELECT g, MIN(CASE WHEN rn >= 0.5 * n THEN v END) AS p50, MIN(CASE WHEN rn >= 0.9 * n THEN v END) AS p90 "
        f"FROM (SELECT g, v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY v) AS rn, COUNT(*) OVER (PARTITION BY g) AS n "
        f"FROM (SELECT {group} AS g, {_seconds(later, 'created_at')} AS v FROM service_request "
        f"WHERE {where} AND {later} IS NOT NULL) d) r GROUP BY g", list(where.values))
    return {row["g"]: (round(row["p50"] / 3600, 1), round(row["p90"] / 3600, 1)) for row in rows}


async def compute(*, viewer: Any, group_by: str, organisation: str | None, service: str | None,
                  channel: str | None, created_from: str | None, created_to: str | None, language: str,
                  now: datetime | None = None) -> dict[str, Any]:
    if group_by not in GROUPS:
        raise ValidationFailed(f"group_by is one of {', '.join(GROUPS)}.", code="invalid_choice", field="group_by")
    now = now or datetime.now(timezone.utc)
    start = created_from or (now - timedelta(days=DEFAULT_DAYS)).isoformat()
    filters = QueueFilters(organisation=organisation, service=service, channel=channel, created_from=start,
                           created_to=created_to)
    where = await filtered(await scope(viewer, organisation), filters, viewer, now)
    column = COLUMNS[group_by]
    open_list = ", ".join(f"'{s.value}'" for s in OPEN_STATUSES)  # constants of ours, not input
    values = list(where.values)
    late = f"${len(values) + 1}" if where.postgres else f"?{len(values) + 1}"  # `now`, for the counts only
    counted = (f"COUNT(*) AS received, SUM(CASE WHEN resolved_at IS NOT NULL THEN 1 ELSE 0 END) AS resolved, "
               f"SUM(CASE WHEN status IN ({open_list}) THEN 1 ELSE 0 END) AS open, "
               f"SUM(CASE WHEN due_at IS NOT NULL THEN 1 ELSE 0 END) AS with_due, "
               f"SUM(CASE WHEN due_at < COALESCE(resolved_at, CASE WHEN status IN ({open_list}) THEN {late} END) "
               f"THEN 1 ELSE 0 END) AS overdue")
    by_group = await sql.rows(f"SELECT {column} AS g, {counted} FROM service_request WHERE {where} GROUP BY {column}",
                              values + [now])
    total = (await sql.rows(f"SELECT {counted} FROM service_request WHERE {where}", values + [now]))[0]
    answers = await _percentiles(where, column, "first_answer_at")
    resolutions = await _percentiles(where, column, "resolved_at")
    all_answers = await _percentiles(where, "0", "first_answer_at")
    all_resolutions = await _percentiles(where, "0", "resolved_at")
    weeks = await _weeks(where)
    labels = await _labels(group_by, [row["g"] for row in by_group], language)

    def figures(row: dict, answer: tuple | None, resolution: tuple | None) -> dict[str, Any]:
        with_due = int(row["with_due"] or 0)
        return {"received": int(row["received"] or 0), "resolved": int(row["resolved"] or 0),
                "open": int(row["open"] or 0), "overdue": int(row["overdue"] or 0),
                "overdue_share": round(int(row["overdue"] or 0) / with_due, 3) if with_due else None,
                "first_answer_hours": {"median": answer[0], "p90": answer[1]} if answer else None,
                "resolution_hours": {"median": resolution[0], "p90": resolution[1]} if resolution else None}

    groups = sorted(({"key": str(row["g"]), "label": labels.get(row["g"], str(row["g"])),
                      **figures(row, answers.get(row["g"]), resolutions.get(row["g"]))} for row in by_group),
                    key=lambda g: (-g["received"], g["label"]))
    only = lambda found: next(iter(found.values()), None)  # noqa: E731  the one group of "0"
    return {"from": start, "to": created_to, "group_by": group_by,
            "totals": figures(total, only(all_answers), only(all_resolutions)), "groups": groups, "weeks": weeks}


async def _weeks(where: sql.Where) -> list[dict[str, Any]]:
    received = await sql.rows(f"SELECT {_week('created_at')} AS w, COUNT(*) AS n FROM service_request WHERE {where} "
                              f"GROUP BY {_week('created_at')}", list(where.values))
    resolved = await sql.rows(f"SELECT {_week('resolved_at')} AS w, COUNT(*) AS n FROM service_request WHERE {where} "
                              f"AND resolved_at IS NOT NULL GROUP BY {_week('resolved_at')}", list(where.values))
    by_week: dict[str, dict[str, Any]] = {}
    for name, rows in (("received", received), ("resolved", resolved)):
        for row in rows:
            by_week.setdefault(str(row["w"]), {"week": str(row["w"]), "received": 0, "resolved": 0})[name] = int(row["n"])
    return [by_week[w] for w in sorted(by_week)]


async def _labels(group_by: str, keys: list[Any], language: str) -> dict[Any, str]:
    if group_by == "service":
        return {s.id: (s.name_en if language == "en" and s.name_en else s.name_fr)
                for s in await Service.filter(id__in=keys)}
    if group_by == "organisation":
        return {o.id: (o.name_en if language == "en" else o.name_fr) for o in await Organisation.filter(id__in=keys)}
    if group_by == "channel":
        return {k: channel_label(k, language) for k in keys}
    return {k: status_label(k, language) for k in keys}


COLUMN_NAMES = {
    "fr": ["Groupe", "Reçues", "Résolues", "Ouvertes", "En retard", "Part en retard",
           "Première réponse, médiane (h)", "Première réponse, 90e centile (h)", "Résolution, médiane (h)",
           "Résolution, 90e centile (h)"],
    "en": ["Group", "Received", "Resolved", "Open", "Overdue", "Overdue share", "First answer, median (h)",
           "First answer, 90th percentile (h)", "Resolution, median (h)", "Resolution, 90th percentile (h)"],
}


def table_rows(figures: dict[str, Any], language: str) -> list[list[Any]]:
    """The groups and the total as rows of COLUMN_NAMES, for the CSV and XLSX exports."""
    def row(label: str, g: dict) -> list[Any]:
        hours = lambda part, key: (g[part] or {}).get(key)  # noqa: E731
        return [label, g["received"], g["resolved"], g["open"], g["overdue"], g["overdue_share"],
                hours("first_answer_hours", "median"), hours("first_answer_hours", "p90"),
                hours("resolution_hours", "median"), hours("resolution_hours", "p90")]
    return [row(g["label"], g) for g in figures["groups"]] + [row("Total", figures["totals"])]
