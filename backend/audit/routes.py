"""Reading the audit trail: administrators and secretaries of an organisation; there is no route to change it."""
from __future__ import annotations

from datetime import datetime, timezone

from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from backend import exports
from backend.accounts import service as accounts
from backend.accounts.models import Role
from backend.audit import service as audit
from backend.errors import Forbidden, ValidationFailed
from backend.web import decode_cursor, doc, encode_cursor, json_response, language_of, page_limit, viewer

READERS = (Role.ADMIN, Role.SECRETARY)


async def _trail_of(request: Request) -> audit.TrailFilters:
    v = await viewer(request)
    v.require_user()
    p = request.query_params
    if not p.get("organisation"):
        raise ValidationFailed("Name the organisation.", code="required", field="organisation")
    org = await accounts.organisation_by_slug(p["organisation"])
    if not v.has_role(org.id, *READERS):
        raise Forbidden("Only administrators and the secretary of this organisation read its audit trail.")
    if len(p.get("q", "")) > 200:
        raise ValidationFailed("q is too long.", code="too_long", field="q", params={"max": 200})
    return audit.TrailFilters(organisation_id=org.id, action=p.get("action"), actor=p.get("actor"),
                              target=p.get("target"), q=p.get("q") or None, since=p.get("from"), until=p.get("to"))


QUERY = {"organisation": "slug (required)", "action": "e.g. request.contact_viewed", "actor": "e-mail",
         "q": "words in the person, the target or the details",
         "target": "e.g. a request reference", "from": "since (ISO 8601)", "to": "before (ISO 8601)"}


@doc("The audit trail of an organisation, newest first (administrators and the municipal secretary).",
     auth="staff", tag="audit", query={**QUERY, "limit": "1-500", "cursor": "from next_cursor"},
     responses={200: "`{items, actions, next_cursor}`: `actions`, every action's code and name", 403: "forbidden"})
async def list_entries(request: Request) -> JSONResponse:
    filters = await _trail_of(request)
    cursor = decode_cursor(request)
    try:
        before = int(cursor[0]) if cursor else None
    except (ValueError, TypeError):
        raise ValidationFailed("This cursor is not valid.", code="invalid_cursor", field="cursor") from None
    rows, next_id = await audit.entries(filters, before_id=before, limit=page_limit(request))
    lang = language_of(request, (await viewer(request)).user)
    return json_response({"items": [audit.dump_entry(e, lang) for e in rows],
                          "actions": [{"code": code, "name": audit.names.action_name(code, lang)}
                                      for code in audit.names.ACTIONS],
                          "next_cursor": encode_cursor(next_id) if next_id else None})


@doc("The filtered audit trail as CSV (UTF-8 with BOM), streamed; `sep`: semicolon (default in French) or comma.",
     auth="staff", tag="audit", query=QUERY, content="text/csv", responses={200: "CSV", 403: "forbidden"})
async def export_entries(request: Request) -> StreamingResponse:
    filters = await _trail_of(request)
    lang = language_of(request, (await viewer(request)).user)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    return StreamingResponse(exports.csv_chunks(audit.rows(filters, lang), audit.COLUMNS[lang],
                                                sep=exports.delimiter(request.query_params.get("sep"), lang)),
                             media_type="text/csv; charset=utf-8",
                             headers={"content-disposition": f'attachment; filename="journal-{stamp}.csv"'})


@doc("The filtered audit trail as an XLSX workbook.", auth="staff", tag="audit", query=QUERY, content=exports.XLSX,
     responses={200: "XLSX", 403: "forbidden"})
async def export_xlsx(request: Request) -> StreamingResponse:
    filters = await _trail_of(request)
    lang = language_of(request, (await viewer(request)).user)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    handle = await exports.xlsx_file(audit.rows(filters, lang), audit.COLUMNS[lang], "Journal" if lang == "fr" else "Audit")
    return StreamingResponse(exports.file_chunks(handle), media_type=exports.XLSX,
                             headers={"content-disposition": f'attachment; filename="journal-{stamp}.xlsx"'})


routes = [
    Route("/api/v1/audit", list_entries, methods=["GET"]),
    Route("/api/v1/audit.csv", export_entries, methods=["GET"]),
    Route("/api/v1/audit.xlsx", export_xlsx, methods=["GET"]),
]
