"""GeoReport v2 endpoints, each in .json and .xml, and the administrators' Open311 keys."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backend.accounts import organisations
from backend.audit import service as audit
from backend.errors import GuichetError
from backend.media import service as media
from backend.open311 import service
from backend.open311.formats import Open311Error, answer, error_answer
from backend.ratelimit import service as ratelimit
from backend.requests import service as requests
from backend.requests.models import Channel, Event, IdempotencyKey, ServiceRequest, Status
from backend.validation import EMAIL_RE, F, Schema, point
from backend.web import client_ip, doc, json_response, language_of, read_json, settings_of, viewer

SPEC = "http://wiki.open311.org/GeoReport_v2"
MAX_IDS = 200  # service_request_id values read from one query
STATUS_OF = {"open": [s.value for s in (Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS)],
             "closed": [s.value for s in (Status.RESOLVED, Status.REJECTED, Status.DUPLICATE, Status.CLOSED)]}


def georeport(root: str) -> Callable:
    """The format from the path (.json or .xml), and every error, ours or Guichet's, in the spec's shape."""
    def wrap(handler: Callable[..., Awaitable[Any]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            fmt = request.path_params.get("fmt", "json")
            if fmt not in ("json", "xml"):
                return error_answer("json", 404, "The format is .json or .xml.")
            try:
                return answer(fmt, root, await handler(request, fmt))
            except Open311Error as exc:
                return error_answer(fmt, exc.status, exc.description)
            except GuichetError as exc:
                return error_answer(fmt, 400 if exc.status == 422 else exc.status,
                                    f"{exc.body()['error']['message']}" + (f" ({exc.field})" if exc.field else ""))
            except HTTPException as exc:  # a form Starlette could not read within its limits (a file, too many parts)
                return error_answer(fmt, exc.status_code, str(exc.detail))
        endpoint.__name__ = handler.__name__
        return doc(f"Open311 GeoReport v2: {handler.__doc__}", tag="open311", content="application/json",
                   query={"jurisdiction_id": "organisation slug"},
                   responses={200: "as the GeoReport v2 specification names it", 400: "[{code, description}]"})(endpoint)
    return wrap


@georeport("discovery")
async def discovery(request: Request, fmt: str) -> dict:
    """Service discovery: where GeoReport v2 is served here, in which formats."""
    base = settings_of(request).base_url.rstrip("/")
    return {"changeset": "2026-11-24T00:00:00Z", "contact": settings_of(request).vapid_contact,
            "key_service": f"{base}/agent (an administrator of the municipality gives keys)",
            "endpoints": [{"specification": SPEC, "url": f"{base}/open311/v2", "changeset": "2026-11-24T00:00:00Z",
                           "type": "production", "formats": ["text/xml", "application/json"]}]}


@georeport("services")
async def list_services(request: Request, fmt: str) -> list[dict]:
    """The services a citizen can report through Open311 (not the lost-and-found declarations)."""
    org = await service.jurisdiction(request.query_params.get("jurisdiction_id"))
    lang = language_of(request)
    return [service.dump_service(s, lang) for s in await service.services(org)]


@georeport("service_definition")
async def definition(request: Request, fmt: str) -> dict:
    """A service's extra questions (its attributes)."""
    org = await service.jurisdiction(request.query_params.get("jurisdiction_id"))
    code = request.path_params["code"]
    found = next((s for s in await service.services(org) if s.code == code), None)
    if found is None:
        raise Open311Error(404, f"No service {code!r} here.")
    return service.dump_definition(found, language_of(request))


def _time(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be a date and time in ISO 8601 with its offset.") from None
    if value.tzinfo is None:
        raise Open311Error(400, f"{name} needs its time zone offset (Z or +01:00).")
    return value


async def _dump_all(reqs: list[ServiceRequest], org: Any, request: Request) -> list[dict]:
    photos = await media.photos_of([r.id for r in reqs])
    notes: dict[int, str] = {}
    # Only what staff wrote publicly: a citizen's comment is never published (views.dump_event).
    for e in await Event.filter(request_id__in=[r.id for r in reqs], public=True, actor_is_staff=True) \
            .exclude(comment="").order_by("at"):
        notes[e.request_id] = e.comment
    base, lang = settings_of(request).base_url, language_of(request)
    return [service.dump_request(r, org, base, next((p["path"] for p in photos.get(r.id, [])
                                                     if p["role"] == "report" and not p["hidden"]), None),
                                 notes.get(r.id, ""), lang) for r in reqs]


@georeport("service_requests")
async def list_requests(request: Request, fmt: str) -> list[dict]:
    """Requests by ids, or by service, time window (90 days at most, the last 90 by default) and status."""
    p = request.query_params
    org = await service.jurisdiction(p.get("jurisdiction_id"))
    query = ServiceRequest.filter(organisation=org, public=True).exclude(status=Status.WITHDRAWN)
    if p.get("service_request_id"):
        query = query.filter(ref__in=[x.strip() for x in p["service_request_id"].split(",") if x.strip()][:MAX_IDS])
    else:
        start, end = service.window(_time(p.get("start_date"), "start_date"), _time(p.get("end_date"), "end_date"))
        query = query.filter(created_at__gte=start, created_at__lte=end)
        if p.get("service_code"):
            query = query.filter(service__code=p["service_code"])
        if p.get("status"):
            wanted = [s for part in p["status"].split(",") for s in STATUS_OF.get(part.strip(), [None])]
            if None in wanted:
                raise Open311Error(400, "status is open or closed.")
            query = query.filter(status__in=wanted)
    reqs = await query.order_by("-created_at", "-id").limit(service.MAX_RESULTS).prefetch_related("service")
    return await _dump_all(reqs, org, request)



@georeport("service_requests")
async def one_request(request: Request, fmt: str) -> list[dict]:
    """One request, as a list of one (as the spec has it)."""
    org = await service.jurisdiction(request.query_params.get("jurisdiction_id"))
    req = await ServiceRequest.get_or_none(ref=request.path_params["id"], organisation=org, public=True) \
        .prefetch_related("service")
    if req is None or req.status == Status.WITHDRAWN:
        raise Open311Error(404, "No such service request here.")
    return await _dump_all([req], org, request)


@georeport("service_requests")
async def token(request: Request, fmt: str) -> list[dict]:
    """The request a creation token stands for."""
    req = await service.by_token(request.path_params["token"])
    if req is None:
        raise Open311Error(404, "Unknown token.")
    return [{"service_request_id": req.ref, "token": request.path_params["token"]}]


@georeport("service_requests")
async def create(request: Request, fmt: str) -> list[dict]:
    """Create a request with an api_key: a point (lat, long) or an address_string, attribute[code]...

    A key in the query string is checked before the body is read; a body is a small form (JSON's size limit, no
    file: a photo comes as media_url) whatever its content type."""
    settings = settings_of(request)
    if request.query_params.get("api_key"):
        await service.key_for(request.query_params["api_key"])
    form = await request.form(max_files=0, max_fields=100, max_part_size=settings.max_description * 4 + 1024)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    key = await service.key_for(fields.get("api_key", "") or request.query_params.get("api_key", ""))
    email = (fields.get("email") or "").strip().lower()
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        raise Open311Error(400, "email must be one e-mail address.")
    await ratelimit.consume(key=f"open311:{key.id}", limit=settings.open311_posts_per_hour, window_seconds=3600,
                            message="This api_key created too many requests this hour.")
    jurisdiction = fields.get("jurisdiction_id") or request.query_params.get("jurisdiction_id")
    org = await service.jurisdiction(jurisdiction) if jurisdiction else await key.organisation
    if key.organisation_id not in await organisations.ancestors_and_self(org.id):  # a canton's key serves its towns
        raise Open311Error(403, "This api_key is not for this jurisdiction.")
    if fields.get("lat") or fields.get("long"):
        lat, lon = point(fields.get("lat"), fields.get("long"))
    elif fields.get("address_string"):
        found = await request.app.state.geocoder.point_of(fields["address_string"])
        if found is None:
            raise Open311Error(400, "This address could not be placed; send lat and long.")
        lat, lon = found
    else:
        raise Open311Error(400, "lat and long, or address_string, are required.")
    offered = {s.code: s for s in await service.services(org)}
    svc = offered.get(fields.get("service_code", ""))
    if svc is None:
        raise Open311Error(400, "service_code is missing or unknown here.")
    attributes: dict[str, Any] = {}
    for name in form.keys():
        if name.startswith("attribute[") and name.endswith("]"):
            values = [v for v in form.getlist(name) if isinstance(v, str)]
            attributes[name[10:-1]] = values if len(values) > 1 else values[0]
    multi = {a["code"] for a in svc.attributes or [] if a["datatype"] == "multivaluelist"}
    attributes = {k: ([v] if k in multi and isinstance(v, str) else v) for k, v in attributes.items()}
    attributes = requests.validate_attributes(svc, attributes, max_text=settings.max_description)
    name = " ".join(x for x in (fields.get("first_name", ""), fields.get("last_name", "")) if x).strip()
    description = (fields.get("description") or "")[: settings.max_description]
    creation_token = service.new_token()

    async def trace(req: ServiceRequest, conn: Any) -> None:
        # Which key made it (and where the client's photo is), in the request's own transaction.
        await IdempotencyKey.create(key=service.token_key(creation_token), request=req, using_db=conn)
        await audit.record(action="open311.request_created", organisation_id=org.id, target=req.ref,
                           ip=client_ip(request), using_db=conn,
                           detail={"key": key.id, "key_prefix": key.prefix, "device_id": fields.get("device_id", ""),
                                   "account_id": fields.get("account_id", ""), "media_url": fields.get("media_url", "")})

    new = requests.NewRequest(service=svc, lat=lat, lon=lon, description=description, attributes=attributes,
                              address=(fields.get("address_string") or "")[:300],
                              contact_email=email, contact_name=name[:200],
                              contact_phone=(fields.get("phone") or "")[:40], channel=Channel.OPEN311,
                              on_insert=trace)
    req, _ = await requests.create_request(new=new, author=None)
    return [{"service_request_id": req.ref, "token": creation_token, "service_notice": "",
             "account_id": fields.get("account_id") or None}]


# The administrators' keys (Guichet's own API, JSON).

key_schema = Schema("Open311Key", F("name", "string", required=True, min_length=1, max_length=100,
                                    doc="Who uses it, e.g. the canton's data portal."))


@doc("Administrators: the Open311 keys of an organisation.", auth="staff", tag="open311",
     responses={200: "`{items: [{id, name, prefix, created_at, revoked_at}]}`", 403: "forbidden"})
async def list_keys(request: Request) -> JSONResponse:
    org = await organisations.organisation_by_slug(request.path_params["slug"])
    keys = await service.keys_of(viewer=await viewer(request), org=org)
    return json_response({"items": [service.dump_key(k) for k in keys], "next_cursor": None})


@doc("Administrators: give an Open311 key; the key itself is shown once.", body=key_schema, auth="staff",
     tag="open311", responses={201: "`{id, name, prefix, key}`", 403: "forbidden"})
async def create_key(request: Request) -> JSONResponse:
    org = await organisations.organisation_by_slug(request.path_params["slug"])
    form = await read_json(request, key_schema)
    key, raw = await service.create_key(viewer=await viewer(request), org=org, name=form["name"], ip=client_ip(request))
    return json_response(service.dump_key(key) | {"key": raw}, 201)


@doc("Administrators: revoke an Open311 key.", auth="staff", tag="open311", responses={204: "revoked"})
async def revoke_key(request: Request) -> Response:
    org = await organisations.organisation_by_slug(request.path_params["slug"])
    await service.revoke_key(viewer=await viewer(request), org=org, key_id=request.path_params["id"],
                             ip=client_ip(request))
    return Response(status_code=204)


V2 = "/open311/v2"
routes = [
    Route(V2 + "/discovery.{fmt}", discovery, methods=["GET"]),
    Route(V2 + "/services.{fmt}", list_services, methods=["GET"]),
    Route(V2 + "/services/{code}.{fmt}", definition, methods=["GET"]),
    Route(V2 + "/requests.{fmt}", list_requests, methods=["GET"]),
    Route(V2 + "/requests.{fmt}", create, methods=["POST"]),
    Route(V2 + "/requests/{id}.{fmt}", one_request, methods=["GET"]),
    Route(V2 + "/tokens/{token}.{fmt}", token, methods=["GET"]),
    Route("/api/v1/organisations/{slug}/open311-keys", list_keys, methods=["GET"]),
    Route("/api/v1/organisations/{slug}/open311-keys", create_key, methods=["POST"]),
    Route("/api/v1/organisations/{slug}/open311-keys/{id:int}", revoke_key, methods=["DELETE"]),
]
