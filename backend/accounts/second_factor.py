"""The second factor of staff accounts: an authenticator app (TOTP) enrolled once, ten recovery codes, checks."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timezone

import segno
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.accounts import sealing
from backend.accounts.models import RecoveryCode, Session, User
from backend.accounts.totp import matching_step, new_secret, otpauth_uri
from backend.errors import Conflict, ValidationFailed

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").replace(" ", "").encode()).hexdigest()


def _enrolment_proof(user: User, secret: str, secret_key: str) -> str:
    return hmac.new(secret_key.encode(), f"totp-enrolment:{user.id}:{secret}".encode(), hashlib.sha256).hexdigest()


def enrolment(user: User, *, secret_key: str) -> dict:
    """A new secret to add to an authenticator: as text, as an otpauth URI and as a QR code (an SVG data URI),
    with the proof (`enrolment`) that this server made it for this account."""
    if user.totp_secret:
        raise Conflict("A second factor is already set up for this account.", code="second_factor_enrolled")
    secret = new_secret()
    uri = otpauth_uri(secret, user.email)
    return {"secret": secret, "otpauth_uri": uri, "qr": segno.make(uri, error="m").svg_data_uri(scale=4),
            "enrolment": _enrolment_proof(user, secret, secret_key)}


async def confirm(*, user: User, secret: str, code: str, enrolment: str, session: Session | None,
                  secret_key: str) -> list[str]:
    """Keeps the secret (sealed) once a code of it is right: ten recovery codes are made and this session has
    passed; the account's other sessions end (they never passed). Only a secret this server made for this
    account is kept: a client-chosen one (a weak or shared key) is refused."""
    if user.totp_secret:
        raise Conflict("A second factor is already set up for this account.", code="second_factor_enrolled")
    if not hmac.compare_digest(enrolment, _enrolment_proof(user, secret, secret_key)):
        raise ValidationFailed("Start the set-up again: this secret was not made by the server for you.",
                               code="invalid_enrolment", field="secret")
    try:
        step = matching_step(secret, code)
    except ValueError:
        raise ValidationFailed("This secret is not valid.", code="invalid", field="secret") from None
    if step is None:
        raise ValidationFailed("This code is wrong or has expired: type the code the app shows now.",
                               code="invalid_totp", field="code")
    async with in_transaction() as conn:
        user.totp_secret, user.totp_last_step = sealing.seal(secret, secret_key=secret_key), step
        await user.save(update_fields=["totp_secret", "totp_last_step"], using_db=conn)
        codes = await _new_recovery_codes(user, conn)
        others = Session.filter(user=user).using_db(conn)
        if session is not None:
            others = others.exclude(id=session.id)
            await Session.filter(id=session.id).using_db(conn).update(second_factor_at=utcnow())
        await others.delete()
    return codes


async def _new_recovery_codes(user: User, conn: object) -> list[str]:
    await RecoveryCode.filter(user=user).using_db(conn).delete()
    codes = ["-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
             for _ in range(RECOVERY_CODES)]
    await RecoveryCode.bulk_create([RecoveryCode(user=user, code_hash=_code_hash(c)) for c in codes], using_db=conn)
    return codes


async def renew_recovery_codes(*, user: User) -> list[str]:
    async with in_transaction() as conn:
        return await _new_recovery_codes(user, conn)


async def recovery_codes_left(user: User) -> int:
    return await RecoveryCode.filter(user=user, used_at=None).count()


async def check(user: User, code: str, *, secret_key: str) -> bool:
    """An authenticator code, good once (a replayed one is refused), or an unused recovery code."""
    secret = sealing.unseal(user.totp_secret, secret_key=secret_key)
    if not sealing.is_sealed(user.totp_secret):  # kept in clear before sealing existed: sealed from now on
        await User.filter(id=user.id).update(totp_secret=sealing.seal(secret, secret_key=secret_key))
    step = matching_step(secret, code) if code.strip().replace(" ", "").isdigit() else None
    if step is not None:
        # The step moves forward in one statement: two sign-ins with one code cannot both pass.
        return bool(await User.filter(Q(totp_last_step=None) | Q(totp_last_step__lt=step), id=user.id)
                    .update(totp_last_step=step))
    return bool(await RecoveryCode.filter(user=user, code_hash=_code_hash(code), used_at=None).update(used_at=utcnow()))
