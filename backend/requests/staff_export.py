"""The staff queue as CSV or XLSX, page by page from the database, so 100,000 rows never sit in memory."""
from __future__ import annotations

from datetime import datetime
from typing import Any, AsyncIterator

from backend.requests import staff_queue
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


async def rows(*, viewer: Any, filters: staff_queue.QueueFilters, language: str, now: datetime) -> AsyncIterator[list]:
    """Every row of the filtered queue, newest first, read a thousand at a time."""
    cursor = None
    while True:
        page, cursor, _ = await staff_queue.queue(viewer=viewer, filters=filters, cursor=cursor, limit=CHUNK, now=now,
                                                  with_counts=False)
        for row in page:
            yield _cells(row, language, now)
        if cursor is None:
            return
