"""HTTP routes of the staff side: the queue of the organisation's requests."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from backend import exports
from backend.accounts import organisations
from backend.errors import Forbidden, ValidationFailed
from backend.media import service as media
from backend.realtime import service as live
from backend.requests import actions, schemas, service, staff_actions, staff_export, staff_queue
from backend.requests.models import OPEN_STATUSES, Channel
from backend.requests.views import dump_event, dump_summary
from backend.web import (client_ip, decode_cursor, doc, encode_cursor, json_response, language_of, page_limit,
                         read_json, viewer)


OPEN = {s.value for s in OPEN_STATUSES}
XLSX = exports.XLSX


def dump_queue_row(row: dict, language: str, photos: list, now) -> dict:
    out = dump_summary(row, relation="staff", language=language, photos=photos)
    due = row["due_at"]
    out.update({
        "team": row["team"], "priority": row["priority"], "due_at": due,
        "overdue": bool(due and datetime.fromisoformat(due) < now and out["status"] in OPEN),
        "assignee": {"id": row["assignee_id"], "name": row["assignee_name"]} if row["assignee_id"] else None,
        "contact_name": row["contact_name"], "public": row["public"],
    })
    return out


@doc("Staff: the requests of my organisations, newest first, with counts per status.", auth="staff", tag="staff",
     query={"organisation": "slug", "status": "comma-separated, or open", "service": "code",
            "assignee": "me, team (mine and my teams' unassigned), none or a user id", "team": "team name", "channel": "app, web, phone, counter, mail, open311",
            "q": "reference, words of the description, address or citizen name", "overdue": "1: past their due date",
            "from": "created since (ISO 8601)", "to": "created before (ISO 8601)", "group": "service group",
            "has_photo": "1 or 0", "priority": "-1 low, 0 normal, 1 high, 2 urgent",
            "sort": "newest (default), oldest, updated, due, priority", "limit": "1-500", "cursor": "from next_cursor"},
     responses={200: "`{items, next_cursor, counts}`", 403: "not staff"})
async def staff_requests(request: Request) -> JSONResponse:
    v = await viewer(request)
    filters = _filters(request)
    now = service.utcnow()
    rows, next_key, counts = await staff_queue.queue(viewer=v, filters=filters, cursor=decode_cursor(request),
                                                     limit=page_limit(request), now=now)
    lang = language_of(request, v.user)
    photos = await media.photos_of([r["id"] for r in rows if r["has_photos"]])
    return json_response({"items": [dump_queue_row(r, lang, photos.get(r["id"], []), now) for r in rows],
                          "next_cursor": encode_cursor(*next_key) if next_key else None, "counts": counts})


def _filters(request: Request) -> staff_queue.QueueFilters:
    p = request.query_params
    if p.get("channel") and p["channel"] not in {c.value for c in Channel}:
        raise ValidationFailed("Unknown channel.", code="invalid_choice", field="channel")
    if len(p.get("q", "")) > 200:
        raise ValidationFailed("q is too long.", code="too_long", field="q", params={"max": 200})
    return staff_queue.QueueFilters(
        organisation=p.get("organisation"), status=[s for s in p.get("status", "").split(",") if s] or None,
        service=p.get("service"), assignee=p.get("assignee"), team=p.get("team"), channel=p.get("channel"),
        q=p.get("q"), overdue=p.get("overdue") in ("1", "true"), created_from=p.get("from"), created_to=p.get("to"),
        group=p.get("group"), has_photo={"1": True, "true": True, "0": False, "false": False}.get(p.get("has_photo", "")),
        priority=_priority(p.get("priority")), sort=p.get("sort") or "newest")


def _priority(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if raw not in ("-1", "0", "1", "2"):
        raise ValidationFailed("priority is -1, 0, 1 or 2.", code="invalid_choice", field="priority")
    return int(raw)


async def _export(request: Request) -> tuple:
    v = await viewer(request)
    filters = _filters(request)
    await staff_queue.scope(v, filters.organisation)  # refuse before the first byte goes out
    lang = language_of(request, v.user)
    stamp = service.utcnow().strftime("%Y%m%d-%H%M")
    asked = await staff_export.questions(v, filters)
    header = staff_export.COLUMNS[lang] + staff_export.question_headers(asked, lang)
    return staff_export.rows(viewer=v, filters=filters, language=lang, now=service.utcnow(), asked=asked), header, \
        lang, stamp


@doc("Staff: the filtered queue as CSV (UTF-8 with BOM), streamed; the same filters as the list; times in "
     "TIME_ZONE; `sep`: semicolon (default in French) or comma. Filtered to one `service`, a column per question "
     "of it, answers in words.", auth="staff",
     tag="staff", content="text/csv", responses={200: "CSV", 403: "not staff"})
async def export_csv(request: Request) -> StreamingResponse:
    source, header, lang, stamp = await _export(request)
    return StreamingResponse(exports.csv_chunks(source, header,
                                                sep=exports.delimiter(request.query_params.get("sep"), lang)),
                             media_type="text/csv; charset=utf-8",
                             headers={"content-disposition": f'attachment; filename="demandes-{stamp}.csv"'})


@doc("Staff: the filtered queue as an XLSX workbook; the same filters as the list.", auth="staff", tag="staff",
     content=XLSX, responses={200: "XLSX", 403: "not staff"})
async def export_xlsx(request: Request) -> StreamingResponse:
    source, header, lang, stamp = await _export(request)
    handle = await exports.xlsx_file(source, header, "Demandes" if lang == "fr" else "Requests")
    return StreamingResponse(exports.file_chunks(handle), media_type=XLSX,
                             headers={"content-disposition": f'attachment; filename="demandes-{stamp}.xlsx"'})


@doc("Staff a request of this organisation can be assigned to (dispatchers and managers).", auth="staff", tag="staff",
     query={"organisation": "slug"}, responses={200: "`{items: [{id, name, role, team}]}`", 403: "forbidden"})
async def staff_people(request: Request) -> JSONResponse:
    v = await viewer(request)
    v.require_user()
    return json_response({"items": await staff_queue.people(viewer=v, organisation=request.query_params.get("organisation", ""))})


@doc("Staff: the same change (status, comment, assignee, team, priority) on up to 100 requests; each is done or "
     "refused on its own, and the answer says which.", body=schemas.bulk, auth="staff", tag="staff",
     responses={200: "`{items: [{ref, ok, error?}]}`", 422: "refs out of range"})
async def staff_bulk(request: Request) -> JSONResponse:
    v = await viewer(request)
    v.require_user()
    form = await read_json(request, schemas.bulk)
    refs = form["refs"]
    if not all(isinstance(r, str) and 0 < len(r) <= 32 for r in refs):
        raise ValidationFailed("refs is a list of request references.", code="invalid_type", field="refs")
    change = staff_actions.BulkChange(status=form.get("status"), comment=form.get("comment") or "",
                                      public=form["public"], assignee_id=form.get("assignee"),
                                      handling={k: form[k] for k in ("team", "priority") if form.get(k) is not None})
    results = await staff_actions.bulk(viewer=v, refs=refs, change=change, ip=client_ip(request))
    for done in results:
        request_id = done.pop("request_id", None)
        if request_id is not None:
            await live.publish_request(request.app.state.bus, request_id)
    return json_response({"items": results})


async def _handled_request(request: Request) -> tuple[Any, Any]:
    """The request of the path and its viewer, who must be of the staff that handles it (401 or 403 otherwise)."""
    v = await viewer(request)
    req, relation = await service.request_for(request.path_params["ref"], v)
    if relation != "staff":
        v.require_user()
        raise Forbidden("Only the staff of this organisation can do this.")
    return req, v


@doc("Staff: hide a citizen's text or one photo from the public (or show it again), with the reason; the author "
     "and staff still see it.", body=schemas.moderation, auth="staff", tag="staff",
     responses={201: "the internal `moderated` event", 403: "forbidden", 404: "unknown_photo"})
async def moderate(request: Request) -> JSONResponse:
    req, v = await _handled_request(request)
    form = await read_json(request, schemas.moderation)
    event = await actions.moderate(viewer=v, req=req, reason=form["reason"], ip=client_ip(request),
                                   description_hidden=form.get("description_hidden"), photo=form.get("photo"),
                                   photo_hidden=form.get("photo_hidden"))
    await event.fetch_related("actor")
    await live.publish_request(request.app.state.bus, req.id)
    return json_response(dump_event(event, "staff"), 201)


@doc("Staff: split a report that holds a second problem; the new request keeps the author and the place.",
     body=schemas.split, auth="staff", tag="staff", responses={201: "the new request", 403: "forbidden"})
async def split_request(request: Request) -> JSONResponse:
    req, v = await _handled_request(request)
    form = await read_json(request, schemas.split)
    created = await staff_actions.split(viewer=v, req=req, service_code=form["service"],
                                        description=form["description"], lat=form.get("lat"), lon=form.get("lon"),
                                        ip=client_ip(request))
    for changed in (req.id, created.id):
        await live.publish_request(request.app.state.bus, changed)
    return json_response({"ref": created.ref, "split_from": req.ref}, 201)


@doc("Staff: move a request to another service, or hand it to another organisation, with the reason its author "
     "is told (audited on both sides).", body=schemas.move, auth="staff", tag="staff",
     responses={201: "the public `moved` event", 403: "forbidden", 404: "unknown_service"})
async def move_request(request: Request) -> JSONResponse:
    req, v = await _handled_request(request)
    form = await read_json(request, schemas.move)
    org = await organisations.organisation_by_slug(form["organisation"]) if form.get("organisation") else None
    event = await staff_actions.move(viewer=v, req=req, service_code=form["service"], organisation=org,
                                     reason=form["reason"], ip=client_ip(request))
    await event.fetch_related("actor")
    await live.publish_request(request.app.state.bus, req.id)
    return json_response(dump_event(event, "staff"), 201)


@doc("Staff: my saved queue filters.", auth="staff", tag="staff", responses={200: "`{items: [{id, name, query}]}`"})
async def list_filters(request: Request) -> JSONResponse:
    user = (await viewer(request)).require_user()
    return json_response({"items": await staff_actions.saved_filters(user), "next_cursor": None})


@doc("Staff: save the queue's current filter under a name.", body=schemas.saved_filter, auth="staff", tag="staff",
     responses={201: "`{id, name, query}`", 409: "filter_exists"})
async def create_filter(request: Request) -> JSONResponse:
    v = await viewer(request)
    user = v.require_user()
    if not v.is_staff:
        raise Forbidden("Saved filters are for the staff's queue.")
    form = await read_json(request, schemas.saved_filter)
    return json_response(await staff_actions.save_filter(user=user, name=form["name"], query=form["query"]), 201)


@doc("Staff: delete one of my saved filters.", auth="staff", tag="staff", responses={204: "deleted", 404: "unknown_filter"})
async def delete_filter(request: Request) -> Response:
    user = (await viewer(request)).require_user()
    await staff_actions.delete_filter(user=user, filter_id=request.path_params["id"])
    return Response(status_code=204)


routes = [
    Route("/api/v1/staff/people", staff_people, methods=["GET"]),
    Route("/api/v1/staff/requests/bulk", staff_bulk, methods=["POST"]),
    Route("/api/v1/staff/filters", list_filters, methods=["GET"]),
    Route("/api/v1/staff/filters", create_filter, methods=["POST"]),
    Route("/api/v1/staff/filters/{id:int}", delete_filter, methods=["DELETE"]),
    Route("/api/v1/requests/{ref}/split", split_request, methods=["POST"]),
    Route("/api/v1/requests/{ref}/move", move_request, methods=["POST"]),
    Route("/api/v1/requests/{ref}/moderation", moderate, methods=["POST"]),
    Route("/api/v1/staff/requests", staff_requests, methods=["GET"]),
    Route("/api/v1/staff/requests.csv", export_csv, methods=["GET"]),
    Route("/api/v1/staff/requests.xlsx", export_xlsx, methods=["GET"]),
]
