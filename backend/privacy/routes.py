"""A citizen's own data: download all of it, delete the account."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.accounts.models import Session
from backend.middleware import SESSION_COOKIE
from backend.privacy import schemas, service
from backend.ratelimit import service as ratelimit
from backend.realtime import service as live
from backend.web import doc, read_json, settings_of, viewer

EXPORTS_PER_HOUR = 10


@doc("All the signed-in person's data as one ZIP: data.json (account, requests with their timelines and answers, "
     "lost-object declarations, claims, joined requests, messages, push devices) and photos/.", auth="user",
     tag="accounts", responses={200: "application/zip", 429: "rate_limited"})
async def export_mine(request: Request) -> Response:
    user = (await viewer(request)).require_user()
    await ratelimit.consume(key=f"export:{user.id}", limit=EXPORTS_PER_HOUR, window_seconds=3600)
    body = await service.archive(user, settings_of(request).media_root)
    day = service.utcnow().date().isoformat()
    return Response(body, media_type="application/zip", headers={
        "content-disposition": f'attachment; filename="guichet-mes-donnees-{day}.zip"', "cache-control": "no-store"})


@doc("Delete the signed-in citizen's account (password asked again). Their requests stay, anonymised; a staff "
     "account is ended through the access flow (409 staff_account).", body=schemas.erase, auth="user",
     tag="accounts", responses={204: "deleted, signed out", 422: "invalid_credentials", 409: "staff_account"})
async def erase_mine(request: Request) -> Response:
    user = (await viewer(request)).require_user()
    form = await read_json(request, schemas.erase)
    sessions = [s["id"] for s in await Session.filter(user_id=user.id).values("id")]
    await service.erase(user=user, password=form["password"], media_root=settings_of(request).media_root)
    for session_id in sessions:  # its live screens end now, in every process
        await live.publish_access_change(request.app.state.bus, session_id=session_id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


routes = [
    Route("/api/v1/me/export", export_mine, methods=["GET"]),
    Route("/api/v1/me", erase_mine, methods=["DELETE"]),
]
