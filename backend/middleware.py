"""ASGI middleware: body size limits, CSRF on cookie-authenticated calls, security headers, NUL-free URLs."""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.errors import BadRequest, CsrfFailed, GuichetError, PayloadTooLarge

SESSION_COOKIE = "guichet_session"
CSRF_COOKIE = "guichet_csrf"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


async def send_error(send: Send, error: GuichetError) -> None:
    body = json.dumps(error.body()).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers().items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class NoNulInUrl:
    """A NUL character in the path or the query is never meaningful, and PostgreSQL refuses it in any text: 400
    before anything reads it."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope["query_string"]
                                        or b"\x00" in scope["query_string"]):
            return await send_error(send, BadRequest("The address contains a forbidden character.", code="invalid_url"))
        await self.app(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


class BodyLimit:
    """413 in the API's JSON shape, on Content-Length and on streamed bodies alike.

    `limit_for(scope)` gives the limit of a request: multipart uploads get more room than JSON.
    """

    def __init__(self, app: ASGIApp, limit_for: Callable[[Scope], int]):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope)
        declared = Headers(scope=scope).get("content-length")
        too_large = PayloadTooLarge(f"The body is larger than {limit} bytes.")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await send_error(send, too_large)
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await send_error(send, too_large)


def csrf_token_for(secret: str, cookie_value: str, session: str = "") -> str:
    """The token of a browser (its CSRF cookie) in its current session: a new sign-in is a new token."""
    message = b"csrf:" + cookie_value.encode() + b"\n" + hashlib.sha256(session.encode()).hexdigest().encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class CsrfCheck:
    """Unsafe calls that carry our cookies must carry the matching X-CSRF-Token, bound to the CSRF cookie and to
    the session cookie.

    Only a Bearer token replaces the check, because then the token, not the cookie, says who calls (web.viewer);
    any other Authorization header leaves the cookie in charge, and so the check. Clients that send no cookie
    (Bearer tokens, Open311 keys, scripts) have no ambient credential for another site to abuse.
    """

    def __init__(self, app: ASGIApp, secret: str):
        self.app = app
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE and scope["path"].startswith("/api/"):
            headers = Headers(scope=scope)
            cookies = _cookies(headers.get("cookie", ""))
            bearer = headers.get("authorization", "").lower().startswith("bearer ")
            if not bearer and (SESSION_COOKIE in cookies or CSRF_COOKIE in cookies):
                given = headers.get("x-csrf-token", "")
                expected = csrf_token_for(self.secret, cookies.get(CSRF_COOKIE, ""), cookies.get(SESSION_COOKIE, ""))
                if not cookies.get(CSRF_COOKIE) or not hmac.compare_digest(given, expected):
                    return await send_error(send, CsrfFailed())
        await self.app(scope, receive, send)


def _cookies(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            out[name] = value
    return out


class SecurityHeaders:
    """Headers every answer carries; the CSP keeps the PWA to its own origin (tiles excepted). API answers are
    `no-store` unless their handler says otherwise (they hold people's data, tokens, exports), and HSTS is sent
    when the site is served over https (BASE_URL)."""

    def __init__(self, app: ASGIApp, tile_origin: str, hsts: bool = False):
        self.app = app
        self.hsts = hsts
        self.csp = (
            "default-src 'self'; img-src 'self' data: blob: " + tile_origin + "; "
            "style-src 'self'; script-src 'self'; connect-src 'self'; worker-src 'self'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        api = scope["path"].startswith(("/api/", "/open311/"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"permissions-policy", b"geolocation=(self), camera=(self)"),
                ]
                names = {k for k, _ in message["headers"]}
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", self.csp.encode()))
                if api and b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                if self.hsts:
                    extra.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
                message["headers"] = list(message["headers"]) + extra
            await send(message)

        await self.app(scope, receive, with_headers)
