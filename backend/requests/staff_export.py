"""The staff queue as CSV or XLSX, page by page from the database, so 100,000 rows never sit in memory."""
from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from datetime import datetime
from typing import Any, AsyncIterator

from openpyxl import Workbook

from backend.requests import staff_queue
from backend.requests.texts import status_label

CHUNK = 1000
COLUMNS = {
    "fr": ["Référence", "Reçue le", "Catégorie", "Adresse", "Description", "Statut", "Canal", "Attribuée à", "Équipe",
           "Échéance", "En retard", "Latitude", "Longitude"],
    "en": ["Reference", "Received", "Category", "Address", "Description", "Status", "Channel", "Assigned to", "Team",
           "Due", "Overdue", "Latitude", "Longitude"],
}


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _local(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=None) if value else None  # UTC, as spreadsheets know no time zones


def _cells(row: dict, language: str, now: datetime) -> list[Any]:
    status = row["status"]
    due = _time(row["due_at"])
    overdue = bool(due and due < now and status in ("submitted", "acknowledged", "in_progress"))
    return [row["ref"], _local(_time(row["created_at"])), row[f"service_name_{language}"] or row["service_name_fr"],
            row["address"], row["description"], status_label(status, language),
            row["channel"], row["assignee_name"] or "", row["team"],
            _local(due), ("oui" if language == "fr" else "yes") if overdue else "", row["lat"], row["lon"]]


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


async def csv_chunks(source: AsyncIterator[list], language: str) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a BOM: spreadsheet programs then read the accents right
    writer.writerow(COLUMNS[language])
    async for cells in source:
        writer.writerow(["" if c is None else (c.isoformat(sep=" ", timespec="minutes") if isinstance(c, datetime) else c)
                         for c in cells])
        if buffer.tell() > 65536:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


async def xlsx_file(source: AsyncIterator[list], language: str) -> tempfile.SpooledTemporaryFile:
    """A real XLSX written in openpyxl's write-only mode (rows go to disk as they come), rewound for reading."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Demandes" if language == "fr" else "Requests")
    sheet.append(COLUMNS[language])
    async for cells in source:
        sheet.append(cells)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    await asyncio.to_thread(book.save, out)
    out.seek(0)
    return out


async def file_chunks(handle: Any) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(handle.read, 65536):
            yield chunk
    finally:
        handle.close()
