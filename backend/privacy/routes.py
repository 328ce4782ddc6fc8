"""A person's data: their own download and deletion, a tracking link's download, the rights executed by the
secretary, and the retention rules in force."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from backend.accounts import organisations
from backend.accounts.models import Role, Session
from backend.errors import Conflict, Forbidden
from backend.middleware import SESSION_COOKIE
from backend.privacy import exports, retention, schemas, service, staff
from backend.privacy.models import ExportStatus
from backend.requests import service as requests
from backend.ratelimit import service as ratelimit
from backend.realtime import service as live
from backend.web import doc, json_response, language_of, read_json, settings_of, viewer

EXPORTS_PER_HOUR = 10


@doc("All the signed-in person's data as one ZIP: data.json (account, requests with their timelines and answers, "
     "lost-object declarations, claims, joined requests, messages, push devices) and photos/.", auth="user",
     tag="accounts", responses={200: "application/zip", 429: "rate_limited"})
async def export_mine(request: Request) -> Response:
    user = (await viewer(request)).require_user()
    await ratelimit.consume(key=f"export:{user.id}", limit=EXPORTS_PER_HOUR, window_seconds=3600)
    settings = settings_of(request)
    if await exports.photo_bytes(user) > settings.export_inline_max_bytes:
        raise Conflict("Too many photos to build at once: POST /api/v1/me/exports has the worker build it.",
                       code="export_too_large")
    return _zip_response(await service.archive(user, settings), "guichet-mes-donnees")


@doc("Start a ZIP of all the signed-in person's data: built at once when small (201, ready), else by the worker "
     "(202, with its progress; the person is told by inbox and e-mail). One under way is answered again.",
     auth="user", tag="accounts", responses={201: "`{id, status: ready, download_url, ...}`",
                                             202: "`{id, status: pending, progress}`", 429: "rate_limited"})
async def start_export(request: Request) -> Response:
    user = (await viewer(request)).require_user()
    await ratelimit.consume(key=f"export:{user.id}", limit=EXPORTS_PER_HOUR, window_seconds=3600)
    job = await exports.start(user, settings_of(request))
    return json_response(exports.dump(job), 201 if job.status == ExportStatus.READY else 202)


@doc("The signed-in person's latest data export, if any.", auth="user", tag="accounts",
     responses={200: "`{items: [export], next_cursor: null}`"})
async def list_exports(request: Request) -> Response:
    job = await exports.latest((await viewer(request)).require_user())
    return json_response({"items": [exports.dump(job)] if job else [], "next_cursor": None})


@doc("One data export of the signed-in person: its status and progress.", auth="user", tag="accounts",
     responses={200: "`{id, status, progress, download_url, expires_at}`", 404: "unknown_export"})
async def get_export(request: Request) -> Response:
    user = (await viewer(request)).require_user()
    return json_response(exports.dump(await exports.of(user, request.path_params["export_id"])))


@doc("Download a ready data export (its owner only).", auth="user", tag="accounts",
     responses={200: "application/zip", 404: "unknown_export"})
async def download_export(request: Request) -> Response:
    user = (await viewer(request)).require_user()
    job = await exports.of(user, request.path_params["export_id"])
    day = job.created_at.date().isoformat()
    return FileResponse(exports.file_of(job, settings_of(request)), media_type="application/zip", headers={
        "content-disposition": f'attachment; filename="guichet-mes-donnees-{day}.zip"', "cache-control": "no-store"})


def _zip_response(body: bytes, name: str) -> Response:
    day = service.utcnow().date().isoformat()
    return Response(body, media_type="application/zip", headers={
        "content-disposition": f'attachment; filename="{name}-{day}.zip"', "cache-control": "no-store"})


@doc("The holder of a request's tracking link takes its data away: the same ZIP as an account's, for that "
     "request.", tag="requests", responses={200: "application/zip", 404: "unknown_token", 429: "rate_limited"})
async def export_tracked(request: Request) -> Response:
    token = request.path_params["token"]
    req = await requests.request_by_tracking_token(token)
    await ratelimit.consume(key=f"export:req:{req.id}", limit=EXPORTS_PER_HOUR, window_seconds=3600)
    data = await service.request_data(req, language_of(request))
    return _zip_response(await service.zip_of(data, settings_of(request)), f"guichet-{req.ref}")


@doc("The retention rules in force and the last purge that removed data (secretaries, deputies, administrators, "
     "prefects).", auth="staff", tag="privacy", responses={200: "`{rules: [{setting, days, what}], last_purge}`"})
async def retention_rules(request: Request) -> Response:
    v = await viewer(request)
    v.require_user()
    if not v.org_ids_with(*staff.OFFICERS, Role.PREFECT):
        raise Forbidden("The retention rules are shown to the secretaries and the administrators.")
    return json_response({"rules": retention.rules(settings_of(request), language_of(request, v.user)),
                          "last_purge": await retention.last_purge()})


@doc("What an organisation holds about an e-mail address (secretary, deputy, administrator).", auth="staff",
     tag="privacy", query={"organisation": "slug", "email": "the person's address"},
     responses={200: "`{email, account, requests: [{ref, status, created_at}], claims}`", 403: "forbidden"})
async def find_person(request: Request) -> Response:
    org = await organisations.organisation_by_slug(request.query_params.get("organisation", ""))
    return json_response(await staff.find(viewer=await viewer(request), org=org,
                                          email=request.query_params.get("email", "")))


@doc("A person's data in this organisation as a ZIP, for a rights request by post or at the counter (audited, "
     "with its reason).", body=schemas.person, auth="staff", tag="privacy",
     responses={200: "application/zip", 403: "forbidden"})
async def export_person(request: Request) -> Response:
    form = await read_json(request, schemas.person)
    org = await organisations.organisation_by_slug(form["organisation"])
    body = await staff.export(viewer=await viewer(request), org=org, email=form["email"], reason=form["reason"],
                              settings=settings_of(request))
    return _zip_response(body, f"guichet-{org.slug}-donnees")


@doc("Anonymise a person's requests in this organisation (their account goes too when nothing else hangs on it), "
     "for a rights request by post or at the counter (audited, with its reason).", body=schemas.person,
     auth="staff", tag="privacy",
     responses={200: "`{requests_anonymised, requests_private, account_deleted, account_kept}`", 403: "forbidden"})
async def anonymise_person(request: Request) -> Response:
    form = await read_json(request, schemas.person)
    org = await organisations.organisation_by_slug(form["organisation"])
    return json_response(await staff.anonymise(viewer=await viewer(request), org=org, email=form["email"],
                                               reason=form["reason"], settings=settings_of(request)))


@doc("Delete the signed-in citizen's account (password asked again). Their requests stay, anonymised; a staff "
     "account is ended through the access flow (409 staff_account).", body=schemas.erase, auth="user",
     tag="accounts", responses={204: "deleted, signed out", 422: "invalid_credentials", 409: "staff_account"})
async def erase_mine(request: Request) -> Response:
    user = (await viewer(request)).require_user()
    form = await read_json(request, schemas.erase)
    sessions = [s["id"] for s in await Session.filter(user_id=user.id).values("id")]
    await service.erase(user=user, password=form["password"], settings=settings_of(request))
    for session_id in sessions:  # its live screens end now, in every process
        await live.publish_access_change(request.app.state.bus, session_id=session_id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


routes = [
    Route("/api/v1/me/export", export_mine, methods=["GET"]),
    Route("/api/v1/me/exports", start_export, methods=["POST"]),
    Route("/api/v1/me/exports", list_exports, methods=["GET"]),
    Route("/api/v1/me/exports/{export_id:int}", get_export, methods=["GET"]),
    Route("/api/v1/me/exports/{export_id:int}/download", download_export, methods=["GET"]),
    Route("/api/v1/me", erase_mine, methods=["DELETE"]),
    Route("/api/v1/track/{token}/export", export_tracked, methods=["GET"]),
    Route("/api/v1/privacy/retention", retention_rules, methods=["GET"]),
    Route("/api/v1/privacy/people", find_person, methods=["GET"]),
    Route("/api/v1/privacy/people/export", export_person, methods=["POST"]),
    Route("/api/v1/privacy/people/anonymise", anonymise_person, methods=["POST"]),
]
