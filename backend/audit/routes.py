"""Reading the audit trail: administrators and secretaries of an organisation; there is no route to change it."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.accounts import service as accounts
from backend.accounts.models import Role
from backend.audit.models import AuditEntry
from backend.audit.service import dump_entry
from backend.errors import Forbidden, ValidationFailed
from backend.web import decode_cursor, doc, encode_cursor, json_response, page_limit, viewer

READERS = (Role.ADMIN, Role.SECRETARY)


@doc("The audit trail of an organisation, newest first (administrators and the municipal secretary).",
     auth="staff", tag="audit",
     query={"organisation": "slug (required)", "action": "e.g. request.contact_viewed", "actor": "e-mail",
            "target": "e.g. a request reference", "limit": "1-500", "cursor": "from next_cursor"},
     responses={200: "`{items, next_cursor}`", 403: "forbidden"})
async def list_entries(request: Request) -> JSONResponse:
    v = await viewer(request)
    v.require_user()
    p = request.query_params
    if not p.get("organisation"):
        raise ValidationFailed("Name the organisation.", code="required", field="organisation")
    org = await accounts.organisation_by_slug(p["organisation"])
    if not v.has_role(org.id, *READERS):
        raise Forbidden("Only administrators and the secretary of this organisation read its audit trail.")
    query = AuditEntry.filter(organisation_id=org.id)
    for name, column in (("action", "action"), ("actor", "actor_label"), ("target", "target")):
        if p.get(name):
            query = query.filter(**{column: p[name]})
    cursor = decode_cursor(request)
    if cursor:
        query = query.filter(id__lt=int(cursor[0]))
    limit = page_limit(request)
    rows = await query.order_by("-id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return json_response({"items": [dump_entry(e) for e in rows],
                          "next_cursor": encode_cursor(rows[-1].id) if more else None})


routes = [Route("/api/v1/audit", list_entries, methods=["GET"])]
