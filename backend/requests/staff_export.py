"""The staff queue as CSV or XLSX, page by page from the database, so 100,000 rows never sit in memory."""
from __future__ import annotations

from datetime import datetime
from typing import Any, AsyncIterator

from backend.requests import catalogue, staff_queue
from backend.requests.models import Service
from backend.requests.service import OFFICE_HANDLING
from backend.accounts.models import Organisation, Role
from backend.requests.texts import channel_label, status_label

CHUNK = 1000
COLUMNS = {
    "fr": ["Référence", "Reçue le ({tz})", "Catégorie", "Adresse", "Description", "Statut", "Canal", "Attribuée à",
           "Équipe", "Échéance ({tz})", "En retard", "Latitude", "Longitude"],
    "en": ["Reference", "Received ({tz})", "Category", "Address", "Description", "Status", "Channel", "Assigned to",
           "Team", "Due ({tz})", "Overdue", "Latitude", "Longitude"],
}


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _cells(row: dict, language: str, now: datetime) -> list[Any]:
    status = row["status"]
    due = _time(row["due_at"])
    overdue = bool(due and due < now and status in ("submitted", "acknowledged", "in_progress"))
    return [row["ref"], _time(row["created_at"]), row["service"].name(language),  # times: exports.local() writes them
            row["address"], row["description"], status_label(status, language),
            channel_label(row["channel"], language), row["assignee_name"] or "", row["team"],
            due, ("oui" if language == "fr" else "yes") if overdue else "", row["lat"], row["lon"]]


async def questions(viewer: Any, filters: staff_queue.QueueFilters) -> list[dict]:
    """An export filtered to one service has a column per question of it (issue 17, point 6): the questions of
    that service in the first of the viewer's organisations that has it (or in the one filtered on)."""
    if not filters.service:
        return []
    roles = (*OFFICE_HANDLING, Role.FIELD_AGENT)
    visible = viewer.org_ids_with(*roles) | set(viewer.service_ids_with(*roles))
    if filters.organisation:
        org = await Organisation.get_or_none(slug=filters.organisation)
        visible &= {org.id} if org else set()
    service = await Service.filter(code=filters.service, organisation_id__in=sorted(visible)).order_by(
        "organisation_id").first()
    return sorted(service.attributes, key=lambda a: a.get("order", 0)) if service else []


def question_headers(asked: list[dict], language: str) -> list[str]:
    return [catalogue.question_text(q, language) for q in asked]


async def rows(*, viewer: Any, filters: staff_queue.QueueFilters, language: str, now: datetime,
               asked: list[dict] | None = None) -> AsyncIterator[list]:
    """Every row of the filtered queue, newest first, read a thousand at a time; then its answers to `asked`."""
    cursor = None
    while True:
        page, cursor, _ = await staff_queue.queue(viewer=viewer, filters=filters, cursor=cursor, limit=CHUNK, now=now,
                                                  with_counts=False)
        for row in page:  # its attributes parsed by queries.page, on both drivers
            given = row["attributes"] or {}
            yield _cells(row, language, now) + [catalogue.answer_text(q, given.get(q["code"]), language)
                                                for q in asked or []]
        if cursor is None:
            return
