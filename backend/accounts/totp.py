"""Time-based one-time passwords (RFC 6238, SHA-1, 6 digits, 30 s), the second factor of staff accounts."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def code_at(secret: str, at: float, step: int = 30) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at // step)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def matching_step(secret: str, code: str, *, at: float | None = None) -> int | None:
    """The 30-second step whose code this is, among the current one and its neighbours (one step of clock
    drift either way); None when it is none of them."""
    now = time.time() if at is None else at
    code = code.strip().replace(" ", "")
    for drift in (-1, 0, 1):
        if hmac.compare_digest(code_at(secret, now + drift * 30), code):
            return int((now + drift * 30) // 30)
    return None


def verify_totp(secret: str, code: str, *, at: float | None = None) -> bool:
    return matching_step(secret, code, at=at) is not None


def otpauth_uri(secret: str, account: str, issuer: str = "Guichet") -> str:
    """The URI an authenticator app reads from the QR code (Key Uri Format)."""
    return f"otpauth://totp/{quote(issuer)}:{quote(account)}?secret={secret}&issuer={quote(issuer)}&digits=6&period=30"
