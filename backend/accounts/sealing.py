"""Secrets the database must keep but not show (authenticator keys): sealed with AES-256-GCM under a key derived
from SECRET_KEY, so that a copy of the database alone gives no one's codes."""
from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1:"
_PURPOSE = b"guichet: sealed totp secret"


def _key(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(secret_key.encode())


def seal(value: str, *, secret_key: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(secret_key)).encrypt(nonce, value.encode(), _PURPOSE)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def unseal(stored: str, *, secret_key: str) -> str:
    """The value; one stored before sealing existed is returned as it is (sealed again at its next use)."""
    if not is_sealed(stored):
        return stored
    raw = base64.urlsafe_b64decode(stored[len(PREFIX):] + "=" * (-len(stored[len(PREFIX):]) % 4))
    try:
        return AESGCM(_key(secret_key)).decrypt(raw[:12], raw[12:], _PURPOSE).decode()
    except InvalidTag:
        raise ValueError("this secret was sealed under another SECRET_KEY") from None
