"""Push subscriptions: a browser's endpoint and keys, for a signed-in user or for one anonymous request."""
from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlparse

from backend.errors import Conflict, ValidationFailed
from backend.push import endpoints
from backend.push.models import PushSubscription


def _b64url(value: Any, field: str, length: int) -> str:
    if not isinstance(value, str) or not value or len(value) > 200:
        raise ValidationFailed(f"{field} is missing.", code="required", field=field)
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raise ValidationFailed(f"{field} must be base64url.", code="invalid", field=field) from None
    if len(raw) != length:
        raise ValidationFailed(f"{field} must hold {length} bytes.", code="invalid", field=field)
    return value


async def check_subscription(body: Any, *, allow_loopback: bool) -> tuple[str, str, str]:
    """(endpoint, p256dh, auth) of a PushSubscription JSON, or a ValidationFailed naming the wrong field.

    The endpoint must be https on a public address: the worker posts to it, so any other URL could aim it at
    a service inside our network (see endpoints.py). Loopback, over http too, is accepted only when
    PUSH_ALLOW_LOOPBACK says so (the tests' push service).
    """
    if not isinstance(body, dict):
        raise ValidationFailed("Send the browser's PushSubscription as JSON.", code="invalid_type")
    endpoint = body.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 1000:
        raise ValidationFailed("endpoint must be a URL of at most 1000 characters.", code="invalid", field="endpoint")
    url = urlparse(endpoint)
    try:
        host, port = url.hostname or "", url.port or 443
    except ValueError:
        host, port = "", 0
    address = endpoints.literal_address(host) if host else None
    test_loopback = allow_loopback and url.scheme in ("http", "https") and address is not None and address.is_loopback
    if not host or not (url.scheme == "https" or test_loopback):
        raise ValidationFailed("endpoint must be an https URL of a push service.", code="invalid", field="endpoint")
    try:
        await endpoints.check_host(host, port, allow_loopback=allow_loopback)
    except endpoints.EndpointRefused:
        raise ValidationFailed("endpoint must be the URL of a push service on the internet.", code="invalid",
                               field="endpoint") from None
    keys = body.get("keys")
    if not isinstance(keys, dict):
        raise ValidationFailed("keys.p256dh and keys.auth are required.", code="required", field="keys")
    p256dh = _b64url(keys.get("p256dh"), "keys.p256dh", 65)
    if base64.urlsafe_b64decode(p256dh + "=" * (-len(p256dh) % 4))[0] != 4:
        raise ValidationFailed("keys.p256dh must be an uncompressed P-256 point.", code="invalid", field="keys.p256dh")
    return endpoint, p256dh, _b64url(keys.get("auth"), "keys.auth", 16)


async def subscribe(*, body: Any, user: Any = None, request: Any = None, language: str, settings: Any) -> tuple[PushSubscription, bool]:
    """Stores a subscription (or refreshes its keys); (subscription, created). Either `user` or `request`."""
    endpoint, p256dh, auth = await check_subscription(body, allow_loopback=settings.push_allow_loopback)
    owner = {"user_id": user.id} if user else {"request_id": request.id, "user_id": None}
    existing = await PushSubscription.filter(endpoint=endpoint, **owner).first()
    if existing:
        existing.p256dh, existing.auth, existing.language = p256dh, auth, language
        await existing.save(update_fields=["p256dh", "auth", "language"])
        return existing, False
    if await PushSubscription.filter(**owner).count() >= settings.push_max_subscriptions:
        raise Conflict(f"At most {settings.push_max_subscriptions} devices receive notifications; "
                       "remove one first.", code="too_many_subscriptions", field="endpoint")
    return await PushSubscription.create(endpoint=endpoint, p256dh=p256dh, auth=auth, language=language, **owner), True


async def unsubscribe(*, endpoint: Any, user: Any = None, request: Any = None) -> int:
    """Forgets this device for that user (or request); how many rows went."""
    if not isinstance(endpoint, str) or not endpoint:
        raise ValidationFailed("endpoint is required.", code="required", field="endpoint")
    owner = {"user_id": user.id} if user else {"request_id": request.id, "user_id": None}
    return await PushSubscription.filter(endpoint=endpoint, **owner).delete()


def dump_subscription(sub: PushSubscription) -> dict:
    return {"id": sub.id, "endpoint": sub.endpoint, "created_at": sub.created_at.isoformat() if sub.created_at else None}
