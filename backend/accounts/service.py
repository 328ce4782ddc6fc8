"""Accounts: registration, e-mail links, sign-in with throttling, sessions, API tokens, the viewer."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.accounts import mails, second_factor
from backend.accounts.models import (
    STAFF_ROLES, AccountToken, ApiToken, KnownDevice, Membership, MembershipStatus, Role, ServiceGrant, Session, User,
)
from backend.accounts.organisations import (  # noqa: F401  (re-exported for other domains)
    ancestors_and_self, create_organisation, descendants_and_self, organisation_at, organisation_by_slug,
    organisation_tree,
)
from backend.accounts.passwords import check_policy, hash_password, verify_password
from backend.accounts.tokens import (  # noqa: F401  (re-exported: the routes and other domains use this service)
    TOKEN_SCOPES, create_api_token, list_api_tokens, new_token, revoke_api_token, token_expiry, token_hash,
)
from backend.config import Settings
from backend.errors import (
    Conflict, Gone, InvalidCredentials, NotAuthenticated, SecondFactorRequired, ValidationFailed,
)
from backend.push import service as push
from backend.ratelimit import service as ratelimit

LINK_LIFETIME = {"verify": timedelta(hours=48), "reset": timedelta(hours=1), "email_change": timedelta(hours=48)}
SESSION_TOUCH = timedelta(minutes=5)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Viewer:
    """Who is calling: a user (or nobody), their active memberships and their rights on single services.

    A staff right is used only after the second factor: until then `memberships` and `grants` keep the
    citizen's part alone, and `held` says what waits behind the code."""

    user: User | None = None
    memberships: list[Membership] = field(default_factory=list)
    session: Session | None = None
    via: str = "none"
    grants: list[ServiceGrant] = field(default_factory=list)
    scopes: tuple[str, ...] = TOKEN_SCOPES  # what the credential may do: a token's own, everything for a session
    held: list[Membership] = field(default_factory=list)
    second_factor_missing: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_staff(self) -> bool:
        return holds_staff_rights(self.memberships, self.grants)

    def org_ids_with(self, *roles: Role) -> set[int]:
        """Organisations where the viewer holds one of `roles` (any staff role when none is named)."""
        wanted = set(roles) or STAFF_ROLES
        return {m.organisation_id for m in self.memberships if m.role in wanted}

    def service_ids_with(self, *roles: Role) -> dict[int, set[int]]:
        """The services on which the viewer holds one of `roles` by a grant, by organisation."""
        out: dict[int, set[int]] = {}
        for g in self.grants:
            if g.role in roles:
                out.setdefault(g.service.organisation_id, set()).add(g.service_id)
        return out

    def has_role(self, organisation_id: int, *roles: Role, service_id: int | None = None) -> bool:
        """One of `roles` in the organisation, or, for a request of `service_id`, on that service by a grant."""
        if organisation_id in self.org_ids_with(*roles):
            return True
        return service_id is not None and any(g.service_id == service_id and g.role in roles for g in self.grants)

    def require_user(self) -> User:
        if self.user is None:
            raise NotAuthenticated()
        return self.user


ANONYMOUS = Viewer()


async def active_memberships(user: User) -> list[Membership]:
    return await Membership.filter(user=user, status=MembershipStatus.ACTIVE).select_related("organisation")


async def valid_grants(user: User) -> list[ServiceGrant]:
    """The user's rights on single services: of an active membership, not past their end."""
    now = utcnow()
    return await (ServiceGrant.filter(membership__user=user, membership__status=MembershipStatus.ACTIVE)
                  .filter(Q(valid_until=None) | Q(valid_until__gt=now)).select_related("service"))


def holds_staff_rights(memberships: list[Membership], grants: list[ServiceGrant]) -> bool:
    return any(m.role in STAFF_ROLES for m in memberships) or bool(grants)


async def viewer_of(user: User, *, session: Session | None, via: str, scopes: tuple[str, ...] = ()) -> Viewer:
    """The viewer with its rights; without the second factor, a staff account's rights wait (held). A token
    carries them only with its `staff` scope (given in a session that passed the second factor)."""
    memberships = await active_memberships(user)
    grants = await valid_grants(user) if memberships else []  # a citizen has neither: no second query
    if not holds_staff_rights(memberships, grants):
        return Viewer(user=user, memberships=memberships, session=session, via=via)
    passed = (session is not None and session.second_factor_at is not None) if via == "session" \
        else bool(user.totp_secret) and "staff" in scopes
    if passed:
        return Viewer(user=user, memberships=memberships, session=session, via=via, grants=grants, held=memberships)
    return Viewer(user=user, memberships=[m for m in memberships if m.role not in STAFF_ROLES], session=session,
                  via=via, held=memberships, second_factor_missing=True)


async def viewer_for_session(token: str, *, max_days: int = 90) -> Viewer:
    """The viewer behind a session cookie; an unknown or expired session is anonymous. Use moves the idle expiry
    forward, never past `max_days` after the sign-in."""
    if not token:
        return ANONYMOUS
    now = utcnow()
    session = await Session.get_or_none(token_hash=token_hash(token), expires_at__gt=now).select_related("user")
    if session is None or not session.user.is_active:
        return ANONYMOUS
    ends = session.created_at + timedelta(days=max_days)
    if ends <= now:
        await Session.filter(id=session.id).delete()
        return ANONYMOUS
    if now - session.last_seen_at > SESSION_TOUCH:
        idle = session.expires_at - session.last_seen_at
        await Session.filter(id=session.id).update(last_seen_at=now, expires_at=min(now + idle, ends))
    return await viewer_of(session.user, session=session, via="session")


async def viewer_for_api_token(token: str) -> Viewer:
    row = await ApiToken.get_or_none(token_hash=token_hash(token), revoked_at=None).select_related("user")
    now = utcnow()
    if row is None or not row.user.is_active or token_expiry(row) <= now:
        raise NotAuthenticated("This API token is unknown, expired or revoked.", code="invalid_token")
    if row.last_used_at is None or now - row.last_used_at > SESSION_TOUCH:
        await ApiToken.filter(id=row.id).update(last_used_at=now)
    viewer = await viewer_of(row.user, session=None, via="token", scopes=tuple(row.scopes.split()))
    viewer.scopes = tuple(row.scopes.split())
    return viewer


async def _send_link(*, settings: Settings, user: User, purpose: str, path: str, to: str | None = None,
                     new_email: str | None = None, conn: object = None) -> None:
    token, hashed = new_token()
    await AccountToken.create(token_hash=hashed, purpose=purpose, user=user, new_email=new_email,
                              expires_at=utcnow() + LINK_LIFETIME[purpose], using_db=conn)
    link = f"{settings.base_url.rstrip('/')}{path}?token={token}"
    subject, text, html = mails.render(purpose, user.language, name=user.name, link=link)
    await push.queue_email(to=to or user.email, subject=subject, text=text, html=html, user=user, using_db=conn)


async def register(*, settings: Settings, email: str, password: str, name: str, language: str, ip: str) -> None:
    """Creates a citizen account and queues the e-mail verification link, in one transaction.

    An address that already has an account gets the same answer (no one learns who has an account here): its
    owner is told by e-mail instead, with the way to sign in or reset the password. The password is hashed
    either way, so the time taken tells nothing either."""
    await ratelimit.consume(key=f"register:ip:{ip}", limit=settings.register_per_hour_ip, window_seconds=3600,
                            message="Too many accounts were created from this address; try again later.")
    check_policy(password, min_length=settings.password_min_length, email=email, name=name)
    hashed = await asyncio.to_thread(hash_password, password)
    existing = await User.get_or_none(email=email)
    if existing is None:
        try:
            async with in_transaction() as conn:
                user = await User.create(email=email, name=name, password_hash=hashed, language=language, using_db=conn)
                await _send_link(settings=settings, user=user, purpose="verify", path="/account/verify", conn=conn)
            return
        except IntegrityError:  # created by a concurrent call between the look-up and the insert
            existing = await User.get(email=email)
    if await ratelimit.record(key=f"exists-mail:{existing.id}", window_seconds=3600) <= 3:
        subject, text, html = mails.render("account_exists", existing.language, name=existing.name,
                                           link=f"{settings.base_url.rstrip('/')}/account/forgot")
        await push.queue_email(to=existing.email, subject=subject, text=text, html=html, user=existing)


async def resend_verification(*, settings: Settings, user: User) -> None:
    if user.email_verified_at is None:
        await ratelimit.consume(key=f"verify-mail:{user.id}", limit=5, window_seconds=3600)
        await _send_link(settings=settings, user=user, purpose="verify", path="/account/verify")


async def _use_link(token: str, purpose: str) -> AccountToken:
    row = await AccountToken.get_or_none(token_hash=token_hash(token), purpose=purpose).prefetch_related("user")
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        raise Gone("This link has expired or was already used; ask for a new one.", code="link_expired")
    updated = await AccountToken.filter(id=row.id, used_at=None).update(used_at=utcnow())
    if not updated:
        raise Gone("This link was already used.", code="link_expired")
    return row


async def verify_email(*, token: str) -> User:
    row = await _use_link(token, "verify")
    row.user.email_verified_at = row.user.email_verified_at or utcnow()
    await row.user.save(update_fields=["email_verified_at"])
    return row.user


@dataclass
class SignedIn:
    user: User
    token: str  # the session cookie's value
    device: str  # the device cookie's value (new when the browser had none)


async def login(*, settings: Settings, email: str, password: str, totp: str | None, ip: str,
                user_agent: str, device: str = "") -> SignedIn:
    """Checks the credentials (and the second factor, where the account has one) under throttling; opens a
    session and tells the owner when this browser never signed in to the account before.

    Each attempt takes its place in the address's count before the password is checked (a right one gives it
    back), so parallel guesses cannot all pass the check before any is counted. An account's failures do not
    lock its owner out: past LOGIN_MAX_FAILURES_ACCOUNT, a browser unknown to the account gets one attempt per
    period, a period that doubles with each further failure (up to LOGIN_SLOWEST_SECONDS), while the owner's
    own browsers (the device cookie) sign in as usual."""
    window = settings.login_window_seconds
    slow = "Too many failed sign-ins; wait a few minutes before trying again."
    ip_key = f"login:ip:{ip}"
    await ratelimit.consume(key=ip_key, limit=settings.login_max_failures_ip, window_seconds=window, message=slow)
    user = await User.get_or_none(email=email)
    account_key = f"login:acct:{email}"
    if not (user and device and await KnownDevice.filter(user=user, device_hash=token_hash(device)).exists()):
        failures = await ratelimit.count(key=account_key, window_seconds=window)
        if failures >= settings.login_max_failures_account:
            period = min(settings.login_slowest_seconds, 2 ** (failures - settings.login_max_failures_account + 1))
            await ratelimit.consume(key=f"login:slow:{email}", limit=1, window_seconds=period,
                                    message="Too many failed sign-ins for this account; wait a moment before trying "
                                            "again, or reset the password.")
    ok = await asyncio.to_thread(verify_password, user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        await ratelimit.record(key=account_key, window_seconds=window)
        raise InvalidCredentials()
    passed = None
    if user.totp_secret:
        if not totp:
            await ratelimit.release(key=ip_key, window_seconds=window)  # the password was right: no guess
            raise SecondFactorRequired()
        if not await second_factor.check(user, totp, secret_key=settings.secret_key):
            await ratelimit.record(key=account_key, window_seconds=window)
            raise InvalidCredentials("This code is wrong, has expired or was already used.", code="invalid_totp",
                                     field="totp")
        passed = utcnow()
    await ratelimit.release(key=ip_key, window_seconds=window)
    token, hashed = new_token()
    now = utcnow()
    async with in_transaction() as conn:
        await Session.create(token_hash=hashed, user=user, last_seen_at=now, second_factor_at=passed,
                             expires_at=now + timedelta(days=settings.session_idle_days), ip=ip[:64],
                             user_agent=user_agent[:300], using_db=conn)
        user.previous_login_at, user.last_login_at = user.last_login_at, now
        await user.save(update_fields=["previous_login_at", "last_login_at"], using_db=conn)
        device = await _remember_device(settings=settings, user=user, device=device, user_agent=user_agent,
                                        ip=ip, conn=conn)
    return SignedIn(user=user, token=token, device=device)


async def _remember_device(*, settings: Settings, user: User, device: str, user_agent: str, ip: str,
                           conn: object) -> str:
    """The browser's device token, known to the account from now on; its owner is told of a new one (not of
    the very first sign-in of an account)."""
    if device and await KnownDevice.filter(user=user, device_hash=token_hash(device)).using_db(conn).exists():
        return device
    seen_before = await KnownDevice.filter(user=user).using_db(conn).exists()
    device, hashed = new_token()
    await KnownDevice.create(user=user, device_hash=hashed, user_agent=user_agent[:300], using_db=conn)
    if seen_before:
        subject, text, html = mails.render("new_device", user.language, name=user.name, device=user_agent[:120] or "?",
                                           ip=ip or "?", link=f"{settings.base_url.rstrip('/')}/account/forgot")
        await push.queue_email(to=user.email, subject=subject, text=text, html=html, user=user, using_db=conn)
        await push.queue_inbox(user=user, subject=subject, body=text, using_db=conn)
    return device


async def logout(*, session: Session | None) -> None:
    if session is not None:
        await Session.filter(id=session.id).delete()


async def request_password_reset(*, settings: Settings, email: str, ip: str) -> None:
    """Sends a reset link if the account exists; answers the same either way (no account discovery)."""
    await ratelimit.consume(key=f"reset:ip:{ip}", limit=10, window_seconds=3600)
    user = await User.get_or_none(email=email, is_active=True)
    if user is not None and await ratelimit.record(key=f"reset:acct:{user.id}", window_seconds=3600) <= 3:
        await _send_link(settings=settings, user=user, purpose="reset", path="/account/reset")


async def reset_password(*, settings: Settings, token: str, password: str) -> User:
    row = await AccountToken.get_or_none(token_hash=token_hash(token), purpose="reset", used_at=None,
                                         expires_at__gt=utcnow()).prefetch_related("user")
    if row is None:
        raise Gone("This link has expired or was already used; ask for a new one.", code="link_expired")
    check_policy(password, min_length=settings.password_min_length, email=row.user.email, name=row.user.name)
    await _use_link(token, "reset")
    return await _set_password(settings=settings, user=row.user, password=password, keep_session=None)


async def change_password(*, settings: Settings, user: User, current: str, new: str,
                          session: Session | None) -> User:
    if not await asyncio.to_thread(verify_password, user.password_hash, current):
        raise ValidationFailed("The current password is wrong.", code="invalid_credentials",
                               field="current_password")
    check_policy(new, min_length=settings.password_min_length, email=user.email, name=user.name)
    return await _set_password(settings=settings, user=user, password=new, keep_session=session)


async def _set_password(*, settings: Settings, user: User, password: str, keep_session: Session | None) -> User:
    """Stores the new hash and ends every other session, every API token and every reset link still out: what
    was stolen dies with the old password."""
    user.password_hash = await asyncio.to_thread(hash_password, password)
    now = utcnow()
    async with in_transaction() as conn:
        await user.save(update_fields=["password_hash"], using_db=conn)
        await ApiToken.filter(user=user, revoked_at=None).using_db(conn).update(revoked_at=now)
        await AccountToken.filter(user=user, purpose="reset", used_at=None).using_db(conn).update(used_at=now)
        others = Session.filter(user=user).using_db(conn)
        if keep_session is not None:
            others = others.exclude(id=keep_session.id)
        await others.delete()
        subject, text, html = mails.render("password_changed", user.language, name=user.name,
                                           link=f"{settings.base_url.rstrip('/')}/account/forgot")
        await push.queue_email(to=user.email, subject=subject, text=text, html=html, user=user, using_db=conn)
    return user


async def request_email_change(*, settings: Settings, user: User, new_email: str, password: str) -> None:
    if not await asyncio.to_thread(verify_password, user.password_hash, password):
        raise ValidationFailed("The password is wrong.", code="invalid_credentials", field="password")
    if await User.exists(email=new_email):
        raise Conflict("Another account already uses this e-mail address.", code="email_taken", field="new_email")
    await ratelimit.consume(key=f"email-change:{user.id}", limit=5, window_seconds=3600)
    await _send_link(settings=settings, user=user, purpose="email_change", path="/account/confirm-email",
                     to=new_email, new_email=new_email)


async def confirm_email_change(*, token: str) -> User:
    row = await _use_link(token, "email_change")
    if await User.exists(email=row.new_email):
        raise Conflict("Another account already uses this e-mail address.", code="email_taken")
    row.user.email = row.new_email
    row.user.email_verified_at = utcnow()
    await row.user.save(update_fields=["email", "email_verified_at"])
    return row.user


async def update_profile(*, user: User, name: str | None, language: str | None, phone: str | None = None,
                         postal_address: str | None = None) -> User:
    """What is given changes (the right to rectify); a phone or an address given empty is removed."""
    if name:
        user.name = " ".join(name.split())
    if language:
        user.language = language
    if phone is not None:
        user.phone = " ".join(phone.split())
    if postal_address is not None:
        lines = (" ".join(line.split()) for line in postal_address.splitlines())  # an address keeps its lines
        user.postal_address = "\n".join(line for line in lines if line)
    await user.save(update_fields=["name", "language", "phone", "postal_address"])
    return user


async def create_user(*, email: str, name: str, password: str, language: str = "fr", verified: bool = True) -> User:
    """Creates an account directly (administration command line and demo data)."""
    return await User.create(email=email, name=name, password_hash=await asyncio.to_thread(hash_password, password),
                             language=language, email_verified_at=utcnow() if verified else None)


async def grant_role(*, user: User, organisation_id: int, role: Role, granted_by: User | None = None,
                     team: str = "") -> Membership:
    """Gives `user` an active `role` in the organisation (idempotent)."""
    membership, _ = await Membership.get_or_create(
        user=user, organisation_id=organisation_id, role=role,
        defaults={"status": MembershipStatus.ACTIVE, "granted_by": granted_by, "team": team, "decided_at": utcnow()},
    )
    return membership


def dump_user(user: User, memberships: list[Membership]) -> dict:
    return {
        "id": user.id, "email": user.email, "name": user.name, "language": user.language,
        "phone": user.phone, "postal_address": user.postal_address,
        "email_verified": user.email_verified_at is not None,
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
        "previous_login_at": user.previous_login_at.isoformat() if user.previous_login_at else None,
        "second_factor": bool(user.totp_secret),
        "identity_verified": user.identity_verified_at is not None,
        "roles": [{"organisation": m.organisation.slug, "role": m.role.value, "team": m.team} for m in memberships],
    }
