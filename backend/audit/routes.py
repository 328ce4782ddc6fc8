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
from backend.web import decode_cursor, doc, encode_cursor, json_response, page_limit, viewer

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
    return audit.TrailFilters(organisation_id=org.id, action=p.get("action"), actor=p.get("actor"),
                              target=p.get("target"), since=p.get("from"), until=p.get("to"))


QUERY = {"organisation": "slug (required)", "action": "e.g. request.contact_viewed", "actor": "e-mail",
         "target": "e.g. a request reference", "from": "since (ISO 8601)", "to": "before (ISO 8601)"}


@doc("The audit trail of an organisation, newest first (administrators and the municipal secretary).",
     auth="staff", tag="audit", query={**QUERY, "limit": "1-500", "cursor": "from next_cursor"},
     responses={200: "`{items, next_cursor}`", 403: "forbidden"})
async def list_entries(request: Request) -> JSONResponse:
    filters = await _trail_of(request)
    cursor = decode_cursor(request)
    try:
        before = int(cursor[0]) if cursor else None
    except (ValueError, TypeError):
        raise ValidationFailed("This cursor is not valid.", code="invalid_cursor", field="cursor") from None
    rows, next_id = await audit.entries(filters, before_id=before, limit=page_limit(request))
    return json_response({"items": [audit.dump_entry(e) for e in rows],
                          "next_cursor": encode_cursor(next_id) if next_id else None})


@doc("The filtered audit trail as CSV (UTF-8 with BOM), streamed.", auth="staff", tag="audit", query=QUERY,
     content="text/csv", responses={200: "CSV", 403: "forbidden"})
async def export_entries(request: Request) -> StreamingResponse:
    filters = await _trail_of(request)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    return StreamingResponse(exports.csv_chunks(audit.rows(filters), audit.COLUMNS), media_type="text/csv; charset=utf-8",
                             headers={"content-disposition": f'attachment; filename="journal-{stamp}.csv"'})


routes = [
    Route("/api/v1/audit", list_entries, methods=["GET"]),
    Route("/api/v1/audit.csv", export_entries, methods=["GET"]),
]
