"""The statistics of the requests a staff member may see, as JSON, CSV and XLSX."""
from __future__ import annotations

from typing import Any, AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from backend import exports
from backend.requests import service, stats
from backend.web import doc, json_response, language_of, viewer

QUERY = {"group_by": "service (default), organisation, channel or status", "organisation": "slug",
         "service": "service code", "channel": "channel", "from": "created from (ISO 8601; default 12 weeks ago)",
         "to": "created before (ISO 8601)"}


async def _figures(request: Request) -> tuple[dict[str, Any], str]:
    v = await viewer(request)
    p = request.query_params
    lang = language_of(request, v.user)
    figures = await stats.compute(viewer=v, group_by=p.get("group_by", "service"), organisation=p.get("organisation"),
                                  service=p.get("service"), channel=p.get("channel"), created_from=p.get("from"),
                                  created_to=p.get("to"), language=lang)
    return figures, lang


@doc("Staff: figures of the requests they may see: received, resolved, open, overdue (and its share of those with "
     "a due date), median and 90th percentile of the hours to a first answer and to resolution, by group and in "
     "total, and per week (received, resolved).", query=QUERY, auth="staff", tag="staff",
     responses={200: "`{from, to, group_by, totals, groups: [{key, label, ...}], weeks: [{week, received, resolved}]}`",
                403: "not staff"})
async def get_stats(request: Request) -> JSONResponse:
    return json_response((await _figures(request))[0])


async def _rows(figures: dict, lang: str) -> AsyncIterator[list]:
    for row in stats.table_rows(figures, lang):
        yield row


def _name(figures: dict, ext: str) -> dict[str, str]:
    stamp = service.utcnow().strftime("%Y%m%d-%H%M")
    return {"content-disposition": f'attachment; filename="statistiques-{figures["group_by"]}-{stamp}.{ext}"'}


@doc("Staff: the statistics' table as CSV (`sep` as the queue's export).", query=QUERY, auth="staff", tag="staff",
     content="text/csv", responses={200: "CSV", 403: "not staff"})
async def stats_csv(request: Request) -> StreamingResponse:
    figures, lang = await _figures(request)
    return StreamingResponse(exports.csv_chunks(_rows(figures, lang), stats.COLUMN_NAMES[lang],
                                                sep=exports.delimiter(request.query_params.get("sep"), lang)),
                             media_type="text/csv; charset=utf-8", headers=_name(figures, "csv"))


@doc("Staff: the statistics' table as XLSX.", query=QUERY, auth="staff", tag="staff", content=exports.XLSX,
     responses={200: "XLSX", 403: "not staff"})
async def stats_xlsx(request: Request) -> StreamingResponse:
    figures, lang = await _figures(request)
    handle = await exports.xlsx_file(_rows(figures, lang), stats.COLUMN_NAMES[lang],
                                     "Statistiques" if lang == "fr" else "Statistics")
    return StreamingResponse(exports.file_chunks(handle), media_type=exports.XLSX, headers=_name(figures, "xlsx"))


routes = [
    Route("/api/v1/staff/stats", get_stats, methods=["GET"]),
    Route("/api/v1/staff/stats.csv", stats_csv, methods=["GET"]),
    Route("/api/v1/staff/stats.xlsx", stats_xlsx, methods=["GET"]),
]
