"""Tokens: random values stored as their hash (sessions, links, API tokens), and personal API tokens with scopes and
an end, made in a browser session (a staff account's after its second factor)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from backend.accounts.models import STAFF_ROLES, ApiToken, User
from backend.errors import Conflict, Forbidden, ValidationFailed

TOKEN_SCOPES = ("read", "write", "staff")
LEGACY_TOKEN_DAYS = 90  # a token made before tokens had an end ends this long after it was made


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_token(prefix: str = "") -> tuple[str, str]:
    """A random token and the SHA-256 under which it is stored."""
    token = prefix + secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_expiry(row: ApiToken) -> datetime:
    return row.expires_at or row.created_at + timedelta(days=LEGACY_TOKEN_DAYS)


async def create_api_token(*, viewer: Any, name: str, scopes: list | None, expires_in_days: int) -> tuple[ApiToken, str]:
    """A personal token, made in a browser session: a staff account's only after its second factor, and with
    the staff scope only for a staff account."""
    user = viewer.require_user()
    if viewer.via != "session":
        raise Forbidden("API tokens are made in a signed-in browser, not with another token.", code="session_required")
    wanted = scopes if scopes is not None else ["read"]
    if not wanted or any(s not in TOKEN_SCOPES for s in wanted) or len(set(wanted)) != len(wanted):
        raise ValidationFailed(f"scopes lists some of: {', '.join(TOKEN_SCOPES)}.", code="invalid_choice",
                               field="scopes")
    staff_account = any(m.role in STAFF_ROLES for m in viewer.held)
    if (staff_account or viewer.grants or user.totp_secret) and \
            (viewer.session is None or viewer.session.second_factor_at is None):
        raise Forbidden("Sign in with your second factor before making an API token.", code="second_factor_required")
    if "staff" in wanted and not viewer.is_staff:
        raise Forbidden("Only a staff account gives a token the staff scope.", code="forbidden", field="scopes")
    if await ApiToken.filter(user=user, revoked_at=None).count() >= 20:
        raise Conflict("You already have 20 active tokens; revoke one first.", code="too_many_tokens")
    token, hashed = new_token("gch_")
    row = await ApiToken.create(token_hash=hashed, prefix=token[:8], name=name, user=user,
                                scopes=" ".join(s for s in TOKEN_SCOPES if s in wanted),
                                expires_at=utcnow() + timedelta(days=expires_in_days))
    return row, token


async def list_api_tokens(*, user: User) -> list[ApiToken]:
    return await ApiToken.filter(user=user, revoked_at=None).order_by("-created_at")


async def revoke_api_token(*, user: User, token_id: int) -> None:
    if not await ApiToken.filter(id=token_id, user=user, revoked_at=None).update(revoked_at=utcnow()):
        raise Forbidden("This token is not yours or is already revoked.", code="not_found")
