"""Spreadsheet exports, streamed: CSV a chunk at a time, XLSX through openpyxl's write-only mode."""
from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from datetime import datetime
from typing import Any, AsyncIterator

from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def csv_chunks(source: AsyncIterator[list], header: list[str]) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a BOM: spreadsheet programs then read the accents right
    writer.writerow(header)
    async for cells in source:
        writer.writerow(["" if c is None else (c.isoformat(sep=" ", timespec="minutes") if isinstance(c, datetime) else c)
                         for c in cells])
        if buffer.tell() > 65536:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


async def xlsx_file(source: AsyncIterator[list], header: list[str], sheet_name: str) -> tempfile.SpooledTemporaryFile:
    """A real XLSX written in openpyxl's write-only mode (rows go to disk as they come), rewound for reading."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    sheet.append(header)
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
