"""HTTP routes of notifications: push subscriptions, preferences, the citizen's inbox."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backend.errors import NotAuthenticated, NotFound
from backend.push import service, subscriptions
from backend.push.models import Message
from backend.requests import service as requests_service
from backend.validation import F, Schema
from backend.web import decode_cursor, doc, encode_cursor, json_response, language_of, page_limit, read_json, settings_of, viewer

subscription_schema = Schema(
    "PushSubscription",
    F("endpoint", "string", required=True, max_length=1000, doc="https URL of the browser's push service."),
    F("keys", "object", required=True, doc="`p256dh` (65-byte P-256 point) and `auth` (16 bytes), base64url."),
    F("expirationTime", "number", nullable=True),
)
unsubscribe_schema = Schema("PushUnsubscribe", F("endpoint", "string", required=True, max_length=1000))
prefs_schema = Schema("NotificationPreferences", F("prefs", "object", required=True,
                                                   doc='`{"status": ["push", "email"], "comment": [], ...}`'))


async def _owner(request: Request) -> dict:
    """The signed-in user, or the request an anonymous author proves with X-Tracking-Token."""
    v = await viewer(request)
    if v.user:
        return {"user": v.user}
    token = request.headers.get("x-tracking-token", "")
    if not token:
        raise NotAuthenticated("Sign in, or send the tracking token of your request in X-Tracking-Token.")
    return {"request": await requests_service.request_by_tracking_token(token)}


@doc("The VAPID application server key for `pushManager.subscribe()`.", tag="push",
     responses={200: "`{public_key}` (base64url of the 65-byte point)"})
async def vapid_public_key(request: Request) -> JSONResponse:
    return json_response({"public_key": settings_of(request).vapid_public_key}, headers={"cache-control": "public, max-age=3600"})


@doc("Register this device for notifications: of all the user's requests, or (X-Tracking-Token) of one.",
     body=subscription_schema, auth="user or tracking token", tag="push",
     responses={201: "created", 200: "already known: keys refreshed", 409: "too_many_subscriptions", 422: "invalid"})
async def subscribe(request: Request) -> JSONResponse:
    owner = await _owner(request)
    body = await read_json(request, subscription_schema)
    user = owner.get("user")
    sub, created = await subscriptions.subscribe(body=body, language=language_of(request, user),
                                                 settings=settings_of(request), **owner)
    return json_response(subscriptions.dump_subscription(sub), 201 if created else 200)


@doc("Stop notifications on this device.", body=unsubscribe_schema, auth="user or tracking token", tag="push",
     responses={204: "gone (or never known)"})
async def unsubscribe(request: Request) -> Response:
    owner = await _owner(request)
    body = await read_json(request, unsubscribe_schema)
    await subscriptions.unsubscribe(endpoint=body["endpoint"], **owner)
    return Response(status_code=204)


def _prefs_body(user) -> dict:
    return {"prefs": service.preferences(user), "kinds": list(service.PREFERENCE_KINDS), "channels": list(service.CHANNELS)}


@doc("How the signed-in user is told of each kind of event.", auth="user", tag="push",
     responses={200: "`{prefs, kinds, channels}`"})
async def get_preferences(request: Request) -> JSONResponse:
    return json_response(_prefs_body((await viewer(request)).require_user()))


@doc("Choose the channels per kind of event (an empty list: none; the inbox keeps every message).",
     body=prefs_schema, auth="user", tag="push", responses={200: "`{prefs, kinds, channels}`", 422: "invalid_choice"})
async def put_preferences(request: Request) -> JSONResponse:
    user = (await viewer(request)).require_user()
    body = await read_json(request, prefs_schema)
    user.notify_prefs = service.preferences(user) | service.check_preferences(body["prefs"])
    await user.save(update_fields=["notify_prefs"])
    return json_response(_prefs_body(user))


def _dump_message(m: Message) -> dict:
    return {"id": m.id, "subject": m.subject, "body": m.body, "created_at": m.created_at.isoformat(),
            "read": m.read_at is not None, "request": m.request.ref if m.request_id and hasattr(m.request, "ref") else None}


@doc("The signed-in user's messages, newest first.", auth="user", tag="push",
     query={"limit": "1-500", "cursor": "from next_cursor"}, responses={200: "`{items, next_cursor, unread}`"})
async def list_messages(request: Request) -> JSONResponse:
    user = (await viewer(request)).require_user()
    limit = page_limit(request)
    query = Message.filter(user_id=user.id)
    cursor = decode_cursor(request)
    if cursor:
        query = query.filter(id__lt=int(cursor[0]))
    rows = await query.order_by("-id").limit(limit + 1).prefetch_related("request")
    more = len(rows) > limit
    rows = rows[:limit]
    return json_response({"items": [_dump_message(m) for m in rows],
                          "next_cursor": encode_cursor(rows[-1].id) if more else None,
                          "unread": await service.unread_count(user_id=user.id)})


@doc("Mark one message read.", auth="user", tag="push", responses={200: "`{unread}`", 404: "not_found"})
async def read_message(request: Request) -> JSONResponse:
    user = (await viewer(request)).require_user()
    changed = await Message.filter(id=request.path_params["message_id"], user_id=user.id, read_at=None).update(
        read_at=service.utcnow())
    if not changed and not await Message.exists(id=request.path_params["message_id"], user_id=user.id):
        raise NotFound("No such message.")
    return json_response({"unread": await service.unread_count(user_id=user.id)})


@doc("Mark every message read.", auth="user", tag="push", responses={200: "`{unread: 0}`"})
async def read_all(request: Request) -> JSONResponse:
    user = (await viewer(request)).require_user()
    await Message.filter(user_id=user.id, read_at=None).update(read_at=service.utcnow())
    return json_response({"unread": 0})


routes = [
    Route("/api/v1/push/vapid-public-key", vapid_public_key, methods=["GET"]),
    Route("/api/v1/push/subscriptions", subscribe, methods=["POST"]),
    Route("/api/v1/push/subscriptions", unsubscribe, methods=["DELETE"]),
    Route("/api/v1/me/notifications", get_preferences, methods=["GET"]),
    Route("/api/v1/me/notifications", put_preferences, methods=["PUT"]),
    Route("/api/v1/me/messages", list_messages, methods=["GET"]),
    Route("/api/v1/me/messages/read", read_all, methods=["POST"]),
    Route("/api/v1/me/messages/{message_id:int}/read", read_message, methods=["POST"]),
]
