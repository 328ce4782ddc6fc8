"""HTTP glue shared by every domain's routes: reading bodies, the caller, pagination, route docs."""
from __future__ import annotations

import base64
import json
from typing import Any, Callable

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse

from backend.config import Settings
from backend.errors import BadRequest, Forbidden, MalformedJson, UnsupportedMediaType, ValidationFailed
from backend.validation import Schema, to_number


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def client_ip(request: Request) -> str:
    """The caller's address; behind the trusted proxy, the one it appended to X-Forwarded-For (the rightmost):
    anything to its left was written by the client and proves nothing."""
    if settings_of(request).trusted_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()[:64]
    return request.client.host if request.client else ""


def caller_key(request: Request, viewer: Any) -> str:
    """Whom a citizen's limit counts: the account when signed in, else the address; staff (identified, second
    factor) are not limited, "" (a counter agent may enter many reports)."""
    if viewer.is_staff:
        return ""
    return f"user:{viewer.user.id}" if viewer.user is not None else f"ip:{client_ip(request)}"


async def read_json(request: Request, schema: Schema) -> dict[str, Any]:
    """The JSON body checked against `schema`; 415 for another content type, 400 for broken JSON."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    raw = await request.body()
    try:
        data = json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        raise MalformedJson() from None
    if data is None:
        raise MalformedJson("The body is empty; a JSON object is expected.")
    return schema.parse(data, settings_of(request))


class JSON(JSONResponse):
    """Every JSON answer: compact UTF-8 like Starlette's, encoded by orjson (a page of the map in a fifth of the time)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSON(body, status_code=status, headers=headers)


# Pagination: `?limit=` (default 50, max 500) and an opaque cursor that encodes the last row's sort key.

def page_limit(request: Request, default: int = 50, maximum: int = 500) -> int:
    raw = request.query_params.get("limit")
    if raw is None:
        return default
    value = to_number(raw, "limit", integer=True)
    if not 1 <= value <= maximum:
        raise ValidationFailed(f"limit must be between 1 and {maximum}.", code="out_of_range", field="limit")
    return int(value)


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(request: Request) -> list[Any] | None:
    raw = request.query_params.get("cursor")
    if not raw:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("This cursor is not valid; start again from the first page.", code="invalid_cursor",
                         field="cursor") from None
    # Every number a cursor holds is a row id or a count: one past the database's integers is no cursor of ours.
    if not isinstance(value, list) or any(isinstance(v, int) and not -2**31 <= v < 2**31 for v in value):
        raise BadRequest("This cursor is not valid.", code="invalid_cursor", field="cursor")
    return value


def language_of(request: Request, user: Any = None) -> str:
    """fr or en: `?lang=`, then the user's choice, then Accept-Language, then the default."""
    lang = request.query_params.get("lang")
    if lang in ("fr", "en"):
        return lang
    if user is not None and getattr(user, "language", None) in ("fr", "en"):
        return user.language
    accept = request.headers.get("accept-language", "").lower()
    for part in accept.split(","):
        code = part.split(";")[0].strip()[:2]
        if code in ("fr", "en"):
            return code
    return settings_of(request).default_language


def doc(summary: str, *, body: Schema | None = None, query: dict[str, str] | None = None,
        responses: dict[int, str] | None = None, auth: str = "none", tag: str = "",
        content: str = "application/json") -> Callable[[Callable], Callable]:
    """Attaches the OpenAPI description to a handler; `openapi.py` gathers them."""
    def wrap(fn: Callable) -> Callable:
        fn.openapi = {  # type: ignore[attr-defined]
            "summary": summary, "body": body, "query": query or {}, "responses": responses or {200: "OK"},
            "auth": auth, "tag": tag, "content": content,
        }
        return fn
    return wrap


async def viewer(request: Request) -> Any:
    """The caller (cached per request): Bearer token first, then the session cookie."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    from backend.audit.service import CALLER_IP
    CALLER_IP.set(client_ip(request))  # every audit entry of this request says where it came from
    found = await credential_viewer(request)
    if found.via == "token" and request.method not in ("GET", "HEAD", "OPTIONS") and "write" not in found.scopes:
        raise Forbidden("This API token may only read; make one with the write scope.", code="insufficient_scope")
    request.state.viewer = found
    return found


async def credential_viewer(request: Request) -> Any:
    """Who the request's credential stands for now, read afresh (a live stream asks again as it goes on): the
    Bearer token first, then the session cookie. NotAuthenticated for an unknown, expired or revoked token."""
    from backend.accounts import service as accounts
    from backend.middleware import SESSION_COOKIE

    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return await accounts.viewer_for_api_token(auth[7:].strip())
    return await accounts.viewer_for_session(request.cookies.get(SESSION_COOKIE, ""),
                                             max_days=settings_of(request).session_max_days)
