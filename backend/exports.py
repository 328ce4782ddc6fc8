"""Spreadsheet exports, streamed: CSV a chunk at a time, XLSX through openpyxl's write-only mode.

Every cell comes from people outside (a citizen's description, an applicant's message), so none may become a
formula in the spreadsheet program that opens it (CSV injection): a CSV text starting with `=`, `+`, `-`, `@`,
a tab or a carriage return gets a leading apostrophe, and XLSX texts are written as texts, never formulas.
"""
from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from datetime import datetime
from typing import Any, AsyncIterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: times in local notation, texts that a spreadsheet would run made inert."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _xlsx_cells(sheet: Any, cells: list) -> list:
    out = []
    for value in cells:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # openpyxl makes a text starting with "=" a formula: keep it a text
            out.append(cell)
        else:
            out.append(value)
    return out


async def csv_chunks(source: AsyncIterator[list], header: list[str]) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a BOM: spreadsheet programs then read the accents right
    writer.writerow(header)
    async for cells in source:
        writer.writerow([csv_cell(c) for c in cells])
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
        sheet.append(_xlsx_cells(sheet, cells))
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
