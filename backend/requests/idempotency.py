"""Idempotency keys of creations: a resend with the same key by the same caller, with the same content, gets the
request made the first time; anyone else's key, or other content, never does.

The key is stored hashed with the caller's scope: the account when signed in, else the browser (its CSRF cookie,
which the PWA always has), else a shared anonymous scope. What was sent is stored as a fingerprint (the fields
and each photo's SHA-256), so a key reused for other content is a conflict, not a replay. A tracking token is
shown again only to an identified caller (account or browser): in the shared scope a key and a body are all
there is to tell two callers apart.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from backend.errors import Conflict
from backend.requests.models import IdempotencyKey


@dataclass(frozen=True)
class Idempotency:
    key: str  # as stored: SHA-256 of the scope and the client's key
    fingerprint: str
    identified: bool  # the caller is an account or a browser, not the shared anonymous scope


def of(*, client_key: str, user_id: int | None, browser: str, form: dict[str, Any],
       uploads: list[bytes]) -> Idempotency | None:
    """The creation's idempotency, or None when the client sent no key."""
    client_key = client_key.strip()[:200]
    if not client_key:
        return None
    if user_id is not None:
        scope = f"user:{user_id}"
    elif browser:
        scope = "browser:" + hashlib.sha256(browser.encode()).hexdigest()
    else:
        scope = "anonymous"
    content = hashlib.sha256(json.dumps(form, sort_keys=True, default=str, ensure_ascii=False).encode())
    for upload in uploads:
        content.update(hashlib.sha256(upload).digest())
    return Idempotency(key=hashlib.sha256(f"{scope}\n{client_key}".encode()).hexdigest(),
                       fingerprint=content.hexdigest(), identified=scope != "anonymous")


async def find(idem: Idempotency) -> Any:
    """The request this key already made, or None; a Conflict when the key was used for other content."""
    row = await IdempotencyKey.get_or_none(key=idem.key).prefetch_related("request")
    if row is None:
        return None
    if row.fingerprint != idem.fingerprint:
        raise Conflict("This Idempotency-Key was already used for a different request; use a new key.",
                       code="idempotency_key_reused")
    return row.request
