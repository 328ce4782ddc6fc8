"""Delivering one push: RFC 8291 encryption (aes128gcm) and RFC 8292 VAPID through pywebpush, over one HTTP pool.

What the push service answers decides the row's fate: 201 sent; 404 or 410 the subscription is gone
(deleted, never retried); 429 and 5xx retried after `Retry-After` or a backoff; a timeout retried; a redirect
is not followed (refused). Connections go to public addresses only (endpoints.py), checked as they are made.
"""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import urlparse

import aiohttp
from py_vapid import Vapid02, VapidException
from pywebpush import WebPusher

from backend.config import Settings
from backend.push import endpoints
from backend.push.models import PushSubscription

VAPID_LIFETIME = 12 * 3600  # a signed JWT is reused for this long per push service (RFC 8292 allows 24 h)


class PushGone(Exception):
    """The push service says this subscription no longer exists (404, 410)."""


class PushRefused(Exception):
    """The push service refused this message for good (400, 403, 413, ...)."""


class PushRetry(Exception):
    """Try again later; `seconds` from Retry-After when the push service gave one."""

    def __init__(self, message: str, seconds: float | None = None):
        super().__init__(message)
        self.seconds = seconds


def _retry_after(value: str | None) -> float | None:
    try:
        return max(1.0, float(value)) if value else None
    except ValueError:  # an HTTP date: fall back to the backoff
        return None


class PushSender:
    """One per worker: an aiohttp pool reused for every push, and VAPID headers signed once per audience."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.vapid = Vapid02.from_pem(settings.vapid_private_key.encode())
        self._signed: dict[str, tuple[float, dict]] = {}
        self._session: aiohttp.ClientSession | None = None

    def vapid_headers(self, endpoint: str) -> dict:
        url = urlparse(endpoint)
        audience = f"{url.scheme}://{url.netloc}"
        now = time.time()
        cached = self._signed.get(audience)
        if cached is None or cached[0] - now < 3600:
            expires = int(now) + VAPID_LIFETIME
            # A fresh claims dict each time: py_vapid writes into the one it is given.
            headers = self.vapid.sign({"aud": audience, "exp": expires, "sub": self.settings.vapid_contact})
            cached = self._signed[audience] = (expires, headers)
        return dict(cached[1])

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            resolver = endpoints.PublicOnlyResolver(allow_loopback=self.settings.push_allow_loopback)
            connector = aiohttp.TCPConnector(limit=self.settings.push_concurrency, resolver=resolver,
                                             limit_per_host=self.settings.push_concurrency)
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, sub: PushSubscription, payload: dict, *, topic: str) -> None:
        """Encrypts and posts one message; returns when the push service accepted it, raises otherwise."""
        host = urlparse(sub.endpoint).hostname or ""
        literal = endpoints.literal_address(host)  # an address is never resolved, so never seen by the resolver
        if not host or literal is not None and not endpoints.is_public(
                literal, allow_loopback=self.settings.push_allow_loopback):
            raise PushRefused(f"{host or 'no host'} is not a public address")
        info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
        try:
            headers = self.vapid_headers(sub.endpoint) | {"Urgency": "normal"}
        except VapidException as exc:  # an audience it cannot sign for (an IPv6 literal): never deliverable
            raise PushRefused(f"cannot sign VAPID for this endpoint: {exc}") from None
        if topic:
            headers["Topic"] = topic  # a newer update of the same request replaces this one on the push service
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        pusher = WebPusher(info, aiohttp_session=_NoRedirects(self.session()))
        try:
            response = await pusher.send_async(
                data, headers, ttl=self.settings.push_ttl_seconds, content_encoding="aes128gcm",
                timeout=aiohttp.ClientTimeout(total=self.settings.push_timeout_seconds))
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            refused = exc if isinstance(exc, endpoints.EndpointRefused) else getattr(exc, "os_error", None)
            if isinstance(refused, endpoints.EndpointRefused):  # aiohttp wraps what the resolver raised
                raise PushRefused(str(refused)) from None
            raise PushRetry(f"push service unreachable: {exc!r}") from None
        status = response.status
        if status in (200, 201, 202):
            return
        if status in (404, 410):
            raise PushGone(f"push service answered {status}")
        if status == 429 or status >= 500:
            raise PushRetry(f"push service answered {status}", _retry_after(response.headers.get("Retry-After")))
        raise PushRefused(f"push service answered {status}")


class _NoRedirects:
    """The session as pywebpush sees it: its posts never follow a redirect (a push service answers 201, never 3xx,
    and a redirect could lead the worker to an address inside our network)."""

    def __init__(self, session: aiohttp.ClientSession):
        self.session = session

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.session.post(url, allow_redirects=False, **kwargs)
