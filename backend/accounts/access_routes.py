"""Staff access endpoints: apply, decide, the dashboards and their exports, naming and ending, idle accounts."""
from __future__ import annotations

from starlette.requests import Request
from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from backend import exports
from backend.accounts import access, access_boxes, access_documents, access_grants, access_people, schemas
from backend.accounts.models import AccessKind, AccessRequest, AccessStatus, IdentityMethod, Role
from backend.errors import ValidationFailed
from backend.realtime import service as live
from backend.validation import parse_time
from backend.web import client_ip, doc, json_response, language_of, page_limit, read_json, settings_of, viewer

BOX_QUERY = {"box": "mine, identity, attachments or rights", "status": "pending (default to handle), accepted, "
             "refused, withdrawn or all", "kind": "account, attachment, secretary, rights", "organisation": "slug",
             "q": "words in the applicant's name or e-mail, the service or the municipality", "limit": "1-500",
             "cursor": "from next_cursor"}


def _string_list(value: object, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) <= 64 for v in value):
        raise ValidationFailed(f"{field} is a list of codes.", code="invalid_type", field=field)
    return value


def _time(value: str | None, field: str):
    return parse_time(value, field) if value else None


@doc("Ask for a staff account (identity and attachment), an attachment, to be secretary, or rights on services; "
     "an account or an attachment in several municipalities at once (`also`).",
     body=schemas.access_request, auth="user", tag="access",
     responses={201: "`{items}`: the requests made", 403: "email_unverified, not_attached", 409: "already_requested"})
async def apply(request: Request) -> JSONResponse:
    v = await viewer(request)
    form = await read_json(request, schemas.access_request)
    identity = form["identity"] or {}
    if not all(isinstance(value, str) for value in identity.values()):
        raise ValidationFailed("identity holds text only.", code="invalid_type", field="identity")
    made = await access.apply_in(viewer=v, also=_string_list(form["also"], "also"), application=access.Application(
        kind=AccessKind(form["kind"]), organisation=form["organisation"], identity=identity,
        message=form["message"] or "", role=Role(form["role"]) if form["role"] else None,
        services=_string_list(form["services"], "services"), valid_until=_time(form["valid_until"], "valid_until")))
    lang = language_of(request, v.user)
    return json_response({"items": [await access_boxes.dump(r, viewer=v, language=lang) for r in made]}, 201)


def _filters(request: Request) -> access_boxes.BoxFilters:
    p = request.query_params
    return access_boxes.BoxFilters(box=p.get("box", "mine"), status=p.get("status") or None,
                                   kind=p.get("kind") or None, organisation=p.get("organisation") or None,
                                   q=p.get("q") or None)


@doc("A dashboard's requests, newest first: mine, identities to validate, attachments or rights to decide; `total`: "
     "how many the box holds with these filters.", query=BOX_QUERY, auth="user", tag="access",
     responses={200: "`{items, next_cursor, total}`"})
async def list_box(request: Request) -> JSONResponse:
    v = await viewer(request)
    cursor = request.query_params.get("cursor")
    if cursor is not None and not (cursor.isdigit() and int(cursor) < 2**31):
        raise ValidationFailed("This cursor is not valid.", code="invalid_cursor", field="cursor")
    filters = _filters(request)
    rows, before = await access_boxes.page(viewer=v, filters=filters, before_id=int(cursor) if cursor else None,
                                           limit=page_limit(request))
    total = await access_boxes.total(viewer=v, filters=filters)
    lang = language_of(request, v.user)
    return json_response({"items": [await access_boxes.dump(r, viewer=v, language=lang) for r in rows],
                          "next_cursor": str(before) if before else None, "total": total})


async def _export(request: Request) -> tuple:
    v = await viewer(request)
    filters = _filters(request)
    await access_boxes.page(viewer=v, filters=filters, before_id=None, limit=1)  # refused before the first byte
    lang = language_of(request, v.user)
    return access_boxes.rows(viewer=v, filters=filters, language=lang), lang


@doc("A dashboard as CSV (UTF-8 with BOM), with the same filters.", query=BOX_QUERY, auth="user", tag="access",
     content="text/csv", responses={200: "CSV"})
async def export_csv(request: Request) -> StreamingResponse:
    source, lang = await _export(request)
    return StreamingResponse(exports.csv_chunks(source, access_boxes.COLUMNS[lang],
                                                sep=exports.delimiter(request.query_params.get("sep"), lang)),
                             media_type="text/csv; charset=utf-8",
                             headers={"content-disposition": 'attachment; filename="acces.csv"'})


@doc("A dashboard as an XLSX workbook, with the same filters.", query=BOX_QUERY, auth="user", tag="access",
     content=exports.XLSX, responses={200: "XLSX"})
async def export_xlsx(request: Request) -> StreamingResponse:
    source, lang = await _export(request)
    handle = await exports.xlsx_file(source, access_boxes.COLUMNS[lang], "Accès" if lang == "fr" else "Access")
    return StreamingResponse(exports.file_chunks(handle), media_type=exports.XLSX,
                             headers={"content-disposition": 'attachment; filename="acces.xlsx"'})


@doc("What waits in each dashboard, the idle accounts, and the applicant's steps.", auth="user", tag="access",
     responses={200: "`{counts, steps, held, powers, second_factor_missing, idle_days}`"})
async def summary(request: Request) -> JSONResponse:
    v = await viewer(request)
    return json_response({
        "counts": await access_boxes.counts(viewer=v, idle_days=settings_of(request).staff_idle_days),
        "steps": await access_boxes.steps(viewer=v),
        "held": [{"organisation": m.organisation.slug, "role": m.role.value} for m in v.held],
        "powers": await access_people.powers(v),
        "second_factor_missing": v.second_factor_missing,
        "idle_days": settings_of(request).staff_idle_days,
    })


@doc("Accept, refuse or put on hold a request (its decider: secretary, deputy, prefect or service manager).",
     body=schemas.access_decision, auth="staff", tag="access",
     responses={200: "the request", 403: "own_request, not_yours", 409: "already_decided", 422: "required"})
async def decide(request: Request) -> JSONResponse:
    v = await viewer(request)
    form = await read_json(request, schemas.access_decision)
    req = await access.decide(
        viewer=v, request_id=request.path_params["id"], accept=form["accept"], reason=form["reason"] or "",
        identity_method=IdentityMethod(form["identity_method"]) if form["identity_method"] else None,
        identity_note=form["identity_note"] or "", valid_until=_time(form["valid_until"], "valid_until"),
        ip=client_ip(request), hold=bool(form["hold"]))
    if req.status != AccessStatus.ON_HOLD:  # decided: the identity document's copy goes
        await access_documents.discard(req, settings_of(request))
    return json_response(await access_boxes.dump(req, viewer=v, language=language_of(request, v.user)))


@doc("The applicant withdraws a pending request.", auth="user", tag="access", responses={204: "withdrawn"})
async def withdraw(request: Request) -> Response:
    await access.withdraw(viewer=await viewer(request), request_id=request.path_params["id"])
    withdrawn = await AccessRequest.get(id=request.path_params["id"])
    await access_documents.discard(withdrawn, settings_of(request))
    return Response(status_code=204)


@doc("The applicant attaches a copy of an identity document to their open request for an account (or to be "
     "secretary): a PDF, JPEG or PNG up to IDENTITY_DOCUMENT_MAX_BYTES, multipart field `document`. Seen by the "
     "deciders only; deleted once decided or withdrawn.", auth="user", tag="access", content="multipart/form-data",
     responses={201: "the request", 413: "payload_too_large", 422: "unsupported_document"})
async def attach_document(request: Request) -> JSONResponse:
    v = await viewer(request)
    settings = settings_of(request)
    async with request.form(max_files=1, max_fields=2, max_part_size=1024) as form:
        upload = form.get("document")
        if not isinstance(upload, UploadFile):
            raise ValidationFailed("Send the file as the multipart field `document`.", code="required",
                                   field="document")
        data = await upload.read(settings.identity_document_max_bytes + 1)
    req = await access_documents.attach(viewer=v, request_id=request.path_params["id"], data=data, settings=settings)
    req = await AccessRequest.get(id=req.id).select_related("organisation", "service", "applicant", "decided_by")
    return json_response(await access_boxes.dump(req, viewer=v, language=language_of(request, v.user)), 201)


@doc("The identity document of a request, for its applicant and those who decide it.", auth="user", tag="access",
     content="application/pdf", responses={200: "the file", 404: "unknown_document"})
async def get_document(request: Request) -> Response:
    path, media_type = await access_documents.document_of(viewer=await viewer(request),
                                                          request_id=request.path_params["id"],
                                                          settings=settings_of(request))
    return FileResponse(path, media_type=media_type, headers={
        "cache-control": "no-store", "content-disposition": f'attachment; filename="piece-identite{path.suffix}"'})


@doc("The account holders of a municipality with their roles and rights (its secretary, deputies, managers).",
     auth="staff", tag="access", responses={200: "`{items, grantable: [{code, name}]}`", 403: "forbidden"})
async def people(request: Request) -> JSONResponse:
    v = await viewer(request)
    lang = language_of(request, v.user)
    items = await access_people.people(viewer=v, organisation=request.path_params["slug"], language=lang)
    return json_response({"items": items, "next_cursor": None,  # and the services the viewer gives rights on
                          "grantable": await access_grants.grantable(v, request.path_params["slug"], lang)})


@doc("Accounts of the municipality unused for STAFF_IDLE_DAYS: the secretary confirms their removal.",
     auth="staff", tag="access", responses={200: "`{items}`"})
async def idle(request: Request) -> JSONResponse:
    items = await access_people.idle_accounts(viewer=await viewer(request), organisation=request.path_params["slug"],
                                       days=settings_of(request).staff_idle_days)
    return json_response({"items": items, "next_cursor": None})


@doc("End a person's attachment to the municipality: every role and right there ends at once.",
     body=schemas.access_end, auth="staff", tag="access", responses={204: "ended", 403: "forbidden"})
async def end_membership(request: Request) -> Response:
    v = await viewer(request)
    form = await read_json(request, schemas.access_end)
    await access_people.end_membership(viewer=v, organisation=request.path_params["slug"],
                                user_id=request.path_params["user_id"], reason=form["reason"], ip=client_ip(request))
    await live.publish_access_change(request.app.state.bus, user_id=request.path_params["user_id"])
    return Response(status_code=204)


@doc("Name a deputy or a service manager (secretary), a secretary (prefect) or a prefect (administrator).",
     body=schemas.access_name, auth="staff", tag="access", responses={204: "named", 403: "not_yours"})
async def name(request: Request) -> Response:
    v = await viewer(request)
    form = await read_json(request, schemas.access_name)
    await access_people.name(viewer=v, organisation=request.path_params["slug"], user_id=form["user"], email=form["email"],
                      role=Role(form["role"]),
                      services=_string_list(form["services"], "services"), ip=client_ip(request))
    return Response(status_code=204)


@doc("Remove a right on a service (its manager), with the reason.", body=schemas.grant_removal, auth="staff",
     tag="access", responses={204: "removed", 422: "required (reason)"})
async def remove_grant(request: Request) -> Response:
    form = await read_json(request, schemas.grant_removal)
    holder = await access_people.remove_grant(viewer=await viewer(request), grant_id=request.path_params["id"],
                                       reason=form["reason"], ip=client_ip(request))
    await live.publish_access_change(request.app.state.bus, user_id=holder)
    return Response(status_code=204)


@doc("A service's manager (or the secretary) gives an attached account holder a right on the service, for good or "
     "until a date, without waiting for a request (audited; the person is told).", body=schemas.new_grant,
     auth="staff", tag="access", responses={201: "`{id, service, role, valid_until}`", 403: "not_yours",
                                            422: "not_attached, in_the_past"})
async def give_grant(request: Request) -> JSONResponse:
    v = await viewer(request)
    form = await read_json(request, schemas.new_grant)
    grant = await access_grants.give(viewer=v, organisation=request.path_params["slug"],
                                     user_id=request.path_params["user_id"], service_code=form["service"],
                                     role=form["role"], valid_until=_time(form["valid_until"], "valid_until"),
                                     ip=client_ip(request))
    await live.publish_access_change(request.app.state.bus, user_id=request.path_params["user_id"])
    return json_response(_dump_grant(grant), 201)


@doc("Move or remove the end of a right (its manager or the secretary; audited).", body=schemas.grant_end,
     auth="staff", tag="access", responses={200: "`{id, service, role, valid_until}`", 403: "not_yours"})
async def change_grant(request: Request) -> JSONResponse:
    form = await read_json(request, schemas.grant_end)
    grant = await access_grants.set_end(viewer=await viewer(request), grant_id=request.path_params["id"],
                                        valid_until=_time(form["valid_until"], "valid_until"), ip=client_ip(request))
    await live.publish_access_change(request.app.state.bus, user_id=grant.membership.user_id)
    return json_response(_dump_grant(grant))


def _dump_grant(grant) -> dict:
    return {"id": grant.id, "service": grant.service.code, "role": grant.role.value,
            "valid_until": grant.valid_until.isoformat() if grant.valid_until else None}


routes = [
    Route("/api/v1/access/requests", apply, methods=["POST"]),
    Route("/api/v1/access/requests", list_box, methods=["GET"]),
    Route("/api/v1/access/requests.csv", export_csv, methods=["GET"]),
    Route("/api/v1/access/requests.xlsx", export_xlsx, methods=["GET"]),
    Route("/api/v1/access/summary", summary, methods=["GET"]),
    Route("/api/v1/access/requests/{id:int}/decision", decide, methods=["POST"]),
    Route("/api/v1/access/requests/{id:int}/withdraw", withdraw, methods=["POST"]),
    Route("/api/v1/access/requests/{id:int}/document", attach_document, methods=["POST"]),
    Route("/api/v1/access/requests/{id:int}/document", get_document, methods=["GET"]),
    Route("/api/v1/access/organisations/{slug}/people", people, methods=["GET"]),
    Route("/api/v1/access/organisations/{slug}/idle", idle, methods=["GET"]),
    Route("/api/v1/access/organisations/{slug}/people/{user_id:int}/end", end_membership, methods=["POST"]),
    Route("/api/v1/access/organisations/{slug}/names", name, methods=["POST"]),
    Route("/api/v1/access/grants/{id:int}", remove_grant, methods=["DELETE"]),
    Route("/api/v1/access/grants/{id:int}", change_grant, methods=["PATCH"]),
    Route("/api/v1/access/organisations/{slug}/people/{user_id:int}/grants", give_grant, methods=["POST"]),
]
