"""Request endpoints: create, read, list, the timeline, citizen actions. Thin handlers over the services."""
from __future__ import annotations

import json
from datetime import timezone
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from backend.accounts import service as accounts
from backend.appointments import service as appointments
from backend.errors import BadRequest, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from backend.media import documents, service as media
from backend.media.models import Attachment
from backend.ratelimit import service as ratelimit
from backend.middleware import CSRF_COOKIE
from backend.requests import actions, idempotency, queries, questions, schemas, service
from backend.lostfound import service as lostfound
from backend.requests.models import Channel, ServiceKind
from backend.realtime import service as live
from backend.requests.views import dump_event, dump_request, dump_summary
from backend.validation import point
from backend.web import (
    caller_key, client_ip, decode_cursor, doc, encode_cursor, json_response, language_of, page_limit, read_json, settings_of,
    viewer,
)

STAFF_CHANNELS = {"phone", "counter", "mail"}


MAX_FILE_QUESTIONS = 10  # file parts in one body (file.<question code>), beside the photos


async def _read_form(request: Request) -> tuple[dict[str, Any], list[bytes]]:
    """The fields and photo bytes of a multipart body (no other file), the limits enforced while reading."""
    fields, uploads, _ = await _read_parts(request, answers=False)
    return fields, uploads


async def _read_parts(request: Request, *, answers: bool = True) -> tuple[dict[str, Any], list[bytes],
                                                                          dict[str, tuple[str, bytes]]]:
    """The fields, photo bytes and files (`file.<question>` parts, when `answers`) of a multipart body, the limits
    enforced while reading."""
    settings = settings_of(request)
    async with request.form(max_files=settings.max_photos + MAX_FILE_QUESTIONS + 1, max_fields=50,
                            max_part_size=settings.max_description * 4 + 1024) as form:
        fields: dict[str, Any] = {}
        uploads: list[bytes] = []
        files: dict[str, tuple[str, bytes]] = {}
        for key, value in form.multi_items():
            if key == "photo" and isinstance(value, UploadFile):
                if len(uploads) >= settings.max_photos:
                    raise ValidationFailed(f"At most {settings.max_photos} photos per request.",
                                           code="too_many_photos", field="photo",
                                           params={"max": settings.max_photos})
                data = await value.read(settings.max_photo_bytes + 1)
                if len(data) > settings.max_photo_bytes:
                    raise PayloadTooLarge(f"A photo may weigh at most {settings.max_photo_bytes // 1_048_576} MB.",
                                          field="photo", params={"mb": settings.max_photo_bytes // 1_048_576})
                uploads.append(data)
            elif answers and key.startswith("file.") and isinstance(value, UploadFile):
                code = key.removeprefix("file.")
                if code in files:
                    raise ValidationFailed(f"{key} is given twice.", code="invalid", field=f"attributes.{code}")
                # One byte more than allowed is enough to refuse it (documents.check says so, with the limit).
                files[code] = (value.filename or "", await value.read(settings.max_file_bytes + 1))
            elif isinstance(value, UploadFile):
                raise ValidationFailed(f"Unexpected file in {key}.", code="unknown_field", field=key)
            elif key in fields:
                raise ValidationFailed(f"{key} is given twice.", code="invalid", field=key)
            else:
                fields[key] = value
    if "attributes" in fields:
        try:
            fields["attributes"] = json.loads(fields["attributes"]) if fields["attributes"] else {}
        except ValueError:
            raise ValidationFailed("attributes must be a JSON object.", code="invalid_type",
                                   field="attributes") from None
    return fields, uploads, files


async def _body_with_photos(request: Request) -> tuple[dict[str, Any], list[bytes], dict[str, tuple[str, bytes]]]:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        fields, uploads, files = await _read_parts(request)
        return schemas.new_request.parse(fields, settings_of(request)), uploads, files
    if ctype.split(";")[0].strip() == "application/json":
        return await read_json(request, schemas.new_request), [], {}
    raise UnsupportedMediaType("Send the request as multipart/form-data (with photos) or application/json.")


@doc("Report: create a request, with photos (multipart, repeatable `photo`) or as JSON. An `Idempotency-Key` "
     "header makes a resend return the same request.", body=schemas.new_request, tag="requests",
     responses={201: "the request, with `tracking_token` when anonymous and `photo_location`",
                413: "payload_too_large, image_too_large", 415: "unsupported_media_type",
                422: "outside_area, unknown_service, image_unreadable, ..."}, content="multipart/form-data")
async def create_request(request: Request) -> JSONResponse:
    settings = settings_of(request)
    v = await viewer(request)
    form, uploads, files = await _body_with_photos(request)
    idem = idempotency.of(client_key=request.headers.get("idempotency-key", ""), user_id=v.user.id if v.user else None,
                          browser=request.cookies.get(CSRF_COOKIE, ""), form=form,
                          uploads=uploads + [name.encode() + b"\0" + data for name, data in files.values()])
    if idem is not None and (existing := await idempotency.find(idem)):
        return await _created_answer(request, existing, v, replay=True, reveal_token=idem.identified)
    await ratelimit.consume(key=f"create:ip:{client_ip(request)}", limit=settings.create_per_hour_ip,
                            window_seconds=3600, message="Too many reports from this address; try again later.")
    lat, lon, org, svc = await _where(form)
    channel = form.get("channel") or "app"
    if channel in STAFF_CHANNELS and not v.has_role(org.id, *service.STAFF_HANDLING):
        raise Forbidden("Only staff record requests received by phone, at the counter or by mail.", field="channel")
    given = form.get("attributes")
    checked = await documents.check_all(files, settings)  # each file answers its question, checked by content
    if checked:
        if not isinstance(given, (dict, type(None))):
            raise ValidationFailed("attributes must be an object.", code="invalid_type", field="attributes")
        given = {**(given or {}), **checked}
    attributes = service.validate_attributes(svc, given, max_text=settings.max_description)
    kept = {code: doc for code, doc in checked.items() if code in attributes}
    prepared = await media.prepare_all(uploads, settings=settings, gate=request.app.state.image_gate,
                                       caller=caller_key(request, v))
    location = next((p.gps for p in prepared if p.gps), None)
    new = service.NewRequest(
        service=svc, lat=lat, lon=lon, description=form.get("description") or "", attributes=attributes,
        address=form.get("address") or "", contact_email=form.get("contact_email") or "",
        contact_name=form.get("contact_name") or "", contact_phone=form.get("contact_phone") or "",
        channel=Channel(channel), language=form.get("language") or language_of(request, v.user),
    )
    author = v.user if channel not in STAFF_CHANNELS else None
    await _book(svc, form.get("appointment"), new)
    held: dict = {}
    if svc.kind in (ServiceKind.LOST, ServiceKind.FOUND):  # the object's own row, written with the request
        declaration = lostfound.from_attributes(svc, attributes, lat=lat, lon=lon, description=new.description)
        new.public = False
        new.on_insert = lostfound.item_writer(declaration, org, lostfound.categories_of(svc)[declaration.category], held)
    if not new.address and lat is not None:
        new.address = await request.app.state.geocoder.address_at(lat, lon)
    writer = documents.Writers(media.PhotoWriter(settings, prepared) if prepared else None,
                               documents.DocumentWriter(settings, kept) if kept else None) or None
    try:
        req, _ = await service.create_request(new=new, author=author, idempotency=idem, writer=writer,
                                             photo_location=location)
    except service.IdempotentReplay:  # the same key won a race with this call (two tabs sending one report)
        return await _created_answer(request, await idempotency.find(idem), v, replay=True,
                                     reveal_token=idem.identified)
    if held.get("item") is not None:
        await lostfound.find_candidates(held["item"])
    await live.publish_request(request.app.state.bus, req.id)
    return await _created_answer(request, req, v, replay=False)


async def _book(svc: Any, raw: str | None, new: Any) -> None:
    """A procedure with agendas books its slot with the request (required there, refused elsewhere)."""
    agendas = await appointments.agendas_of(svc) if svc.kind == ServiceKind.FORM else []
    if not agendas:
        if raw:
            raise ValidationFailed("This procedure books no appointment.", code="unknown_field", field="appointment")
        return
    if not raw:
        raise ValidationFailed("Choose a slot for the appointment.", code="required", field="appointment")
    agenda, start = await appointments.chosen(svc, raw)
    new.on_insert = appointments.booker(agenda, start, new)


async def _where(form: dict) -> tuple[float | None, float | None, Any, Any]:
    """(lat, lon, organisation, service): the organisation serving the point, or, for a procedure without a place
    (a service of kind `form`), the one named."""
    if form.get("lat") is None and form.get("lon") is None and form.get("organisation"):
        org = await accounts.organisation_by_slug(form["organisation"])
        svc = await service.service_by_code(org, form["service"])
        if svc.kind != ServiceKind.FORM:
            raise ValidationFailed("This category is about a place: give lat and lon.", code="required", field="lat")
        return None, None, org, svc
    for name in ("lat", "lon"):
        if form.get(name) is None:
            raise ValidationFailed(f"{name} is required (or, for a procedure without a place, organisation).",
                                   code="required", field=name)
    lat, lon = float(form["lat"]), float(form["lon"])  # the schema checked type and range
    org = await accounts.organisation_at(lat, lon)
    return lat, lon, org, await service.service_by_code(org, form["service"])


async def _created_answer(request: Request, req: Any, v: Any, *, replay: bool, reveal_token: bool = True) -> JSONResponse:
    if replay:  # a fresh request holds its service, organisation and author already
        await req.fetch_related("service", "organisation", "author", "assignee", "duplicate_of")
    relation = service.viewer_relation(v, req)
    body = await _dump_full(req, relation if relation == "staff" else "author", language_of(request, v.user))
    if req.author_id is None and req.contact_email and reveal_token:
        body["tracking_token"] = service.tracking_token(req.ref)
    body["photo_location"] = ({"lat": req.photo_lat, "lon": req.photo_lon} if req.photo_lat is not None else None)
    return json_response(body, 201, headers={"idempotent-replayed": "true"} if replay else None)


async def _dump_full(req: Any, relation: str, language: str) -> dict:
    photos = (await media.photos_of([req.id])).get(req.id, [])
    events = await service.events_for(req, relation)
    body = dump_request(req, relation=relation, language=language, photos=photos, events=events)
    if relation == "staff":  # the moves of the status table from here (a merge has its own form; withdrawing is the author's)
        body["next_statuses"] = service.next_statuses(req.status)
    answers = service.answers(req.service, req.attributes, language, await questions.asked_with(req, req.service))
    if relation == "public":  # an e-mail address, a phone number, a postal address, a file: never on the public page
        answers = [a for a in answers if a["datatype"] not in PERSONAL_TYPES]
    if relation != "public" and req.service.kind == ServiceKind.FORM:
        body["appointment"] = appointments.dump_booking(await appointments.current(req), language)
    for answer in answers:
        if answer["datatype"] == "file":
            answer["url"] = f"/api/v1/requests/{req.ref}/files/{answer['code']}"
    return body | {"answers": answers}


PERSONAL_TYPES = ("email", "phone", "address", "file")


async def _request_and_relation(request: Request) -> tuple[Any, str, Any]:
    v = await viewer(request)
    token = request.headers.get("x-tracking-token") or request.query_params.get("token") or ""
    req, relation = await service.request_for(request.path_params["ref"], v, token)
    if relation == "staff":
        await req.fetch_related("author", "assignee")
    return req, relation, v


@doc("A request as its viewer may see it (`?token=` or `X-Tracking-Token` for an anonymous author).",
     tag="requests", responses={200: "the request", 404: "unknown_request"})
async def get_request(request: Request) -> JSONResponse:
    req, relation, v = await _request_and_relation(request)
    if relation == "staff":
        await service.record_staff_view(viewer=v, req=req, ip=client_ip(request))
    body = await _dump_full(req, relation, language_of(request, v.user))
    body["is_supporter"] = await actions.supports(req, v.user)  # the page then says "you follow it", not "me too"
    return json_response(body)


@doc("A file answering one of the request's questions (its author and its staff only; never cached).",
     tag="requests", responses={200: "application/pdf or image/jpeg, as an attachment", 404: "unknown_file"})
async def get_file(request: Request) -> Response:
    req, relation, v = await _request_and_relation(request)
    row = await Attachment.get_or_none(request_id=req.id, code=request.path_params["code"])
    path = documents.folder(settings_of(request)) / row.path if row is not None else None
    if relation == "public" or path is None or not path.is_file():
        raise NotFound("No such file.", code="unknown_file")
    if relation == "staff":
        await service.record_staff_view(viewer=v, req=req, ip=client_ip(request))
    return FileResponse(path, media_type=documents.TYPES[row.kind], filename=row.name,
                        headers={"cache-control": "private, no-store"})


async def _page_answer(request: Request, rows: list, next_key: list | None, relation_of: Any) -> JSONResponse:
    v = await viewer(request)
    lang = language_of(request, v.user)
    photos = await media.photos_of([r["id"] for r in rows if r["has_photos"]])
    items = [dump_summary(r, relation=relation_of(v, r), language=lang, photos=photos.get(r["id"], [])) for r in rows]
    return json_response({"items": items, "next_cursor": encode_cursor(*next_key) if next_key else None})


@doc("Public requests, newest first.", tag="requests",
     query={"bbox": "minlon,minlat,maxlon,maxlat", "status": "comma-separated statuses, or open",
            "service": "service code", "q": "words or a reference", "since": "updated since (ISO 8601)",
            "organisation": "slug", "limit": "1-500", "cursor": "from next_cursor"},
     responses={200: "`{items, next_cursor}`"})
async def list_requests(request: Request) -> JSONResponse:
    p = request.query_params
    org_id = (await accounts.organisation_by_slug(p["organisation"])).id if p.get("organisation") else None
    q = p.get("q")
    if q is not None and len(q) > 200:
        raise ValidationFailed("q is too long.", code="too_long", field="q", params={"max": 200})
    rows, next_key = await queries.list_public(
        bbox=p.get("bbox"), status=[s for s in p.get("status", "").split(",") if s], service=p.get("service"),
        q=q, since=p.get("since"), organisation_id=org_id, cursor=decode_cursor(request), limit=page_limit(request))
    return await _page_answer(request, rows, next_key, lambda v, r: "public")


@doc("The signed-in citizen's requests, newest first.", auth="user", tag="requests",
     query={"limit": "1-500", "cursor": "from next_cursor"}, responses={200: "`{items, next_cursor}`"})
async def my_requests(request: Request) -> JSONResponse:
    user = (await viewer(request)).require_user()
    rows, next_key = await queries.list_mine(user_id=user.id, cursor=decode_cursor(request),
                                             limit=page_limit(request))
    return await _page_answer(request, rows, next_key, lambda v, r: "author")


@doc("An anonymous author's view of their request.", tag="requests",
     responses={200: "the request", 404: "unknown_token"})
async def track(request: Request) -> JSONResponse:
    req = await service.request_by_tracking_token(request.path_params["token"])
    v = await viewer(request)
    body = await _dump_full(req, "author", language_of(request, v.user))
    body["tracking_token"] = request.path_params["token"]
    return json_response(body)


@doc("Open requests of a service near a point (\"is it one of these?\"), nearest first.", tag="requests",
     query={"lat": "latitude", "lon": "longitude", "service": "service code"},
     responses={200: "`{items: [... with distance_m], next_cursor: null}`"})
async def nearby(request: Request) -> JSONResponse:
    settings = settings_of(request)
    lat, lon = point(request.query_params.get("lat"), request.query_params.get("lon"))
    found = await queries.nearby_open(lat=lat, lon=lon, service_code=request.query_params.get("service"),
                                      metres=settings.nearby_meters, days=settings.nearby_days, now=service.utcnow())
    v = await viewer(request)
    lang = language_of(request, v.user)
    photos = await media.photos_of([r["id"] for r, _ in found if r["has_photos"]])
    items = [dump_summary(r, relation="public", language=lang, photos=photos.get(r["id"], [])) | {"distance_m": d}
             for r, d in found]
    return json_response({"items": items, "next_cursor": None})


@doc("Staff: change the status, comment publicly, add an internal note, assign, or mark as duplicate.",
     body=schemas.staff_event, auth="staff", tag="requests",
     responses={201: "the new event", 403: "forbidden", 422: "invalid_transition"})
async def post_event(request: Request) -> JSONResponse:
    req, relation, v = await _request_and_relation(request)
    form = await read_json(request, schemas.staff_event)
    if relation != "staff":
        v.require_user()
        raise Forbidden("Only the staff of this organisation can do this.")
    if form["status"] == "duplicate":
        if not form.get("duplicate_of"):
            raise ValidationFailed("Give the reference of the original request.", code="required",
                                   field="duplicate_of")
        event = await actions.mark_duplicate(viewer=v, req=req, original_ref=form["duplicate_of"],
                                             comment_text=form.get("comment") or "")
    else:
        event = await service.post_staff_event(viewer=v, req=req, status=form["status"],
                                               comment=form.get("comment") or "", public=form["public"],
                                               assignee_id=form.get("assignee"), ip=client_ip(request),
                                               hand_back=form["hand_back"], handling=handling_of(form))
    await event.fetch_related("actor")
    await live.publish_request(request.app.state.bus, req.id)
    return json_response(dump_event(event, "staff"), 201)


def handling_of(form: dict) -> dict:
    """The team, priority and due date a staff event sets, checked (a due date needs its offset)."""
    out: dict[str, Any] = {k: form[k] for k in ("team", "priority") if form.get(k) is not None}
    if form.get("due_at"):
        out["due_at"] = queries.parse_time(form["due_at"], "due_at").astimezone(timezone.utc)
    return out


async def _citizen_event(request: Request, act: Any) -> JSONResponse:
    req, relation, v = await _request_and_relation(request)
    event = await act(req, relation, v)
    await event.fetch_related("actor")
    await live.publish_request(request.app.state.bus, req.id)
    return json_response(dump_event(event, relation), 201)


@doc("The author withdraws a request that is still submitted.", tag="requests",
     responses={201: "the event", 403: "forbidden", 422: "invalid_transition"})
async def withdraw(request: Request) -> JSONResponse:
    return await _citizen_event(request, lambda req, rel, v: actions.withdraw(req=req, relation=rel, actor=v.user))


@doc("The author reopens a resolved request (\"not fixed\") within the reopening period.", body=schemas.reopen,
     tag="requests", responses={201: "the event", 422: "reopen_period_over"})
async def reopen(request: Request) -> JSONResponse:
    form = await read_json(request, schemas.reopen)
    days = settings_of(request).reopen_days
    return await _citizen_event(request, lambda req, rel, v: actions.reopen(
        req=req, relation=rel, actor=v.user, comment=form["comment"], reopen_days=days))


@doc("The author adds a comment while the request is open.", body=schemas.citizen_comment, tag="requests",
     responses={201: "the event"})
async def add_comment(request: Request) -> JSONResponse:
    form = await read_json(request, schemas.citizen_comment)
    return await _citizen_event(request, lambda req, rel, v: actions.comment(
        req=req, relation=rel, actor=v.user, text=form["comment"]))


@doc("Add photos (multipart `photo`): the author while open, staff at any time (`role=after`).", tag="requests",
     content="multipart/form-data", responses={201: "the event"})
async def add_photos(request: Request) -> JSONResponse:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UnsupportedMediaType("Send photos as multipart/form-data.")
    fields, uploads = await _read_form(request)
    if not uploads:
        raise ValidationFailed("Add at least one photo.", code="required", field="photo")
    role = fields.get("role", "report")
    if role not in ("report", "after"):
        raise BadRequest("role must be report or after.", code="invalid_choice", field="role")
    settings = settings_of(request)
    caller = caller_key(request, await viewer(request))
    prepared = await media.prepare_all(uploads, settings=settings, gate=request.app.state.image_gate, caller=caller)
    writer = media.PhotoWriter(settings, prepared)
    return await _citizen_event(request, lambda req, rel, v: actions.add_photos(
        req=req, relation=rel, actor=v.user, writer=writer, role=role if rel == "staff" else "report",
        comment_text=str(fields.get("comment", ""))[:settings.max_comment]))


@doc("Me too: the signed-in citizen supports the request and follows it.", auth="user", tag="requests",
     responses={200: "`{supporters}`", 409: "already_supported"})
async def support(request: Request) -> JSONResponse:
    req, _, v = await _request_and_relation(request)
    count = await actions.support(req=req, user=v.user)
    return json_response({"ref": req.ref, "supporters": count})


routes = [
    Route("/api/v1/requests", create_request, methods=["POST"]),
    Route("/api/v1/requests", list_requests, methods=["GET"]),
    Route("/api/v1/requests/nearby", nearby, methods=["GET"]),
    Route("/api/v1/requests/{ref}", get_request, methods=["GET"]),
    Route("/api/v1/requests/{ref}/events", post_event, methods=["POST"]),
    Route("/api/v1/requests/{ref}/files/{code}", get_file, methods=["GET"]),
    Route("/api/v1/requests/{ref}/withdraw", withdraw, methods=["POST"]),
    Route("/api/v1/requests/{ref}/reopen", reopen, methods=["POST"]),
    Route("/api/v1/requests/{ref}/comments", add_comment, methods=["POST"]),
    Route("/api/v1/requests/{ref}/photos", add_photos, methods=["POST"]),
    Route("/api/v1/requests/{ref}/support", support, methods=["POST"]),
    Route("/api/v1/me/requests", my_requests, methods=["GET"]),
    Route("/api/v1/track/{token}", track, methods=["GET"]),
]
