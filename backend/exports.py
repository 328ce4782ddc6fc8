"""Spreadsheet exports, streamed: CSV a chunk at a time, XLSX through openpyxl's write-only mode.

Every cell comes from people outside (a citizen's description, an applicant's message), so none may become a
formula in the spreadsheet program that opens it (CSV injection): a CSV text starting with `=`, `+`, `-`, `@`,
a tab or a carriage return gets a leading apostrophe, and XLSX texts are written as texts, never formulas.

Times are written in the municipality's time zone (`TIME_ZONE`), which the column names say ("{tz}" in a
header is replaced by it): spreadsheets know no time zones, and a clerk reads the hours of the screen. A CSV is
separated by semicolons for French (what spreadsheet programs expect where the comma is the decimal mark) and by
commas for English; `?sep=comma` or `?sep=semicolon` chooses. An XLSX keeps its header in view, offers a filter
on every column and opens with columns wide enough to read.
"""
from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from datetime import datetime
from typing import Any, AsyncIterator
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ZONE = {"name": "Europe/Zurich", "zone": ZoneInfo("Europe/Zurich")}
SAMPLE = 200  # rows read before an XLSX's column widths are set


def configure(*, time_zone: str) -> None:
    _ZONE.update(name=time_zone, zone=ZoneInfo(time_zone))


def zone_name() -> str:
    return _ZONE["name"]


def zone() -> ZoneInfo:
    """The municipalities' time zone (TIME_ZONE), in which dates are chosen and hours shown."""
    return _ZONE["zone"]


def local(value: datetime | None) -> datetime | None:
    """An instant as the wall-clock time of the municipality, without zone (a spreadsheet's kind of time)."""
    if value is None:
        return None
    if value.tzinfo is None:  # the database's UTC
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(_ZONE["zone"]).replace(tzinfo=None)


def headers(names: list[str]) -> list[str]:
    return [n.replace("{tz}", _ZONE["name"]) for n in names]


def delimiter(sep: str | None, language: str) -> str:
    """`?sep=`: comma or semicolon; by default a semicolon in French, a comma in English."""
    if sep in ("comma", ","):
        return ","
    if sep in ("semicolon", ";"):
        return ";"
    return ";" if language == "fr" else ","


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: times in the municipality's time, texts that a spreadsheet would run made inert."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _xlsx_cells(sheet: Any, cells: list) -> list:
    out = []
    for value in cells:
        if isinstance(value, datetime):
            out.append(local(value))
        elif isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # openpyxl makes a text starting with "=" a formula: keep it a text
            out.append(cell)
        else:
            out.append(value)
    return out


async def csv_chunks(source: AsyncIterator[list], header: list[str], *, sep: str = ",") -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep)
    buffer.write("\ufeff")  # a BOM: spreadsheet programs then read the accents right
    writer.writerow(headers(header))
    async for cells in source:
        writer.writerow([csv_cell(c) for c in cells])
        if buffer.tell() > 65536:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


async def xlsx_file(source: AsyncIterator[list], header: list[str], sheet_name: str) -> tempfile.SpooledTemporaryFile:
    """A real XLSX written in openpyxl's write-only mode (rows go to disk as they come), rewound for reading."""
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    header = headers(header)
    sample: list[list] = []
    rest = source.__aiter__()
    async for cells in rest:  # the first rows say how wide each column should open (a write-only sheet is
        sample.append(cells)  # written in order: widths and the frozen header come before the first row)
        if len(sample) >= SAMPLE:
            break
    for i, name in enumerate(header):
        seen = [len(name)] + [len(_shown(row[i])) for row in sample if i < len(row)]
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(60, max(8, max(seen) + 2))
    sheet.freeze_panes = "A2"
    sheet.append(header)
    count = 0
    for cells in sample:
        sheet.append(_xlsx_cells(sheet, cells))
        count += 1
    if len(sample) >= SAMPLE:
        async for cells in rest:
            sheet.append(_xlsx_cells(sheet, cells))
            count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    await asyncio.to_thread(book.save, out)
    out.seek(0)
    return out


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return "2026-12-04 18:55"
    return str(value).split("\n")[0]


async def file_chunks(handle: Any) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(handle.read, 65536):
            yield chunk
    finally:
        handle.close()
