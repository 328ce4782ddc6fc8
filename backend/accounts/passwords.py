"""Password hashing (argon2id, memory-hard) and the rules a new password must meet."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backend.errors import ValidationFailed

_hasher = PasswordHasher()  # argon2id with the library's current recommended cost
_DUMMY_HASH = _hasher.hash("timing-equaliser-for-unknown-accounts")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    text = (Path(__file__).parent / "common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def check_policy(password: str, *, min_length: int, email: str = "", name: str = "") -> None:
    """Raises a clear 422 when the password is too short, too long or too easy to guess."""
    if len(password) < min_length:
        raise ValidationFailed(f"The password needs at least {min_length} characters.",
                               code="password_too_short", field="password", params={"min": min_length})
    if len(password) > 256:
        raise ValidationFailed("The password is too long (at most 256 characters).", code="too_long",
                               field="password", params={"max": 256})
    lowered = password.lower()
    local = email.split("@")[0].lower()
    if lowered in _common() or len(set(lowered)) < 4 or (local and len(local) >= 4 and local in lowered) \
            or (name and lowered == name.lower().replace(" ", "")):
        raise ValidationFailed("This password is too common or too easy to guess; choose another.",
                               code="password_too_common", field="password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant-ish time: an unknown account still pays for one verification."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
