"""Accounts: registration, e-mail links, sign-in, throttling, CSRF, sessions, passwords, API tokens."""
from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta, timezone

from backend.accounts.models import AccountToken, Session, User
from backend.push.models import Outbox
from tests.factories import PASSWORD, csrf, person, sign_in


def _link_token(row: Outbox) -> str:
    return re.search(r"token=([\w-]+)", row.payload["text"]).group(1)


async def test_register_queues_a_verification_link_that_works_once(client):
    await csrf(client)
    r = await client.post("/api/v1/auth/register",
                          json={"email": "Ana@Example.org ", "password": PASSWORD, "name": "Ana", "language": "en"})
    assert r.status_code == 202, r.text
    assert r.json() == {"email": "ana@example.org", "verification_sent": True}
    user = await User.get(email="ana@example.org")
    assert user.email_verified_at is None and user.language == "en" and user.name == "Ana"
    mail = await Outbox.get(recipient="ana@example.org")
    assert mail.payload["subject"] == "Confirm your e-mail address"
    assert "http://testserver/account/verify?token=" in mail.payload["text"]
    token = _link_token(mail)
    r = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert r.status_code == 200 and r.json()["user"]["email_verified"] is True
    again = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert again.status_code == 410 and again.json()["error"]["code"] == "link_expired"


async def test_register_refuses_weak_passwords_and_creates_nothing(client):
    await csrf(client)
    cases = [
        ({"email": "new@example.org", "password": "short", "name": "X"}, 422, "password_too_short", "password"),
        ({"email": "new@example.org", "password": "motdepasse123", "name": "X"}, 422, "password_too_common", "password"),
        ({"email": "new@example.org", "password": "aaaaaaaaaaaa", "name": "X"}, 422, "password_too_common", "password"),
        ({"email": "not-an-email", "password": PASSWORD, "name": "X"}, 422, "invalid_email", "email"),
        ({"email": "new@example.org", "password": PASSWORD}, 422, "required", "name"),
        ({"email": "new@example.org", "password": PASSWORD, "name": "X", "admin": True}, 422, "unknown_field", "admin"),
        ({"email": "new@example.org", "password": PASSWORD, "name": "X" * 500}, 422, "too_long", "name"),
    ]
    for body, status, code, field in cases:
        r = await client.post("/api/v1/auth/register", json=body)
        assert r.status_code == status, (body, r.text)
        error = r.json()["error"]
        assert error == {"code": code, "message": error["message"], "field": field} | (
            {"params": {"min": 10}} if code == "password_too_short" else {"params": {"max": 200}} if code == "too_long"
            else {})
    assert await User.filter(email="new@example.org").count() == 0
    assert await Outbox.all().count() == 0


async def test_malformed_json_wrong_type_and_oversized_bodies_are_refused_cleanly(client, settings):
    await csrf(client)
    r = await client.post("/api/v1/auth/register", content=b'{"email": ', headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"
    r = await client.post("/api/v1/auth/register", data={"email": "a@b.ch"})
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"
    r = await client.post("/api/v1/auth/register", json=["a list"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_type"
    big = b'{"name": "' + b"x" * (settings.max_body_bytes + 10) + b'"}'
    r = await client.post("/api/v1/auth/register", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"

    async def chunks():
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"x" * 65536

    r = await client.post("/api/v1/auth/register", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    assert await User.all().count() == 0


async def test_login_session_and_logout(client):
    user = await person(name="Léa")
    await csrf(client)
    r = await client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "guichet_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # BASE_URL is http in tests
    assert r.headers["cache-control"] == "no-store"
    session = (await client.get("/api/v1/session")).json()
    assert session["user"]["name"] == "Léa" and session["unread_messages"] == 0
    assert session["csrf_token"] == r.json()["csrf_token"] != client.headers["X-CSRF-Token"]
    client.headers["X-CSRF-Token"] = session["csrf_token"]
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    assert (await client.get("/api/v1/session")).json()["user"] is None
    assert await Session.all().count() == 0


async def test_wrong_passwords_slow_an_account_down_without_locking_its_owner_out(client, new_client, settings):
    """Audit point 6: five wrong passwords from anywhere locked the owner out for the whole window."""
    import asyncio

    user = await person()
    owner = await sign_in(new_client(), user)  # the owner's phone: known to the account (device cookie)
    await owner.post("/api/v1/auth/logout")
    await csrf(client)
    for _ in range(settings.login_max_failures_account):
        r = await client.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong-password-1"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_credentials"
    # Past the threshold, an unknown browser gets one attempt per period, however fast it asks.
    burst = await asyncio.gather(*(client.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong-2"})
                                   for _ in range(3)))
    slowed = [r for r in burst if r.status_code == 429]
    assert slowed and {r.status_code for r in burst} <= {401, 429}
    assert all(0 < int(r.headers["retry-after"]) <= settings.login_slowest_seconds for r in slowed)
    assert slowed[0].json()["error"]["code"] == "too_many_requests"
    # The owner's own browser is not slowed: the right password signs in at once.
    await csrf(owner)  # signed out: a token for the session-less browser, as the PWA fetches it
    r = await owner.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 200, r.text


async def test_parallel_guesses_are_counted_before_any_is_checked(client, settings, app):
    """Audit point 6: 40 parallel wrong passwords all got 401 (the count was read before any was recorded)."""
    import asyncio

    app.state.settings = dataclasses.replace(settings, login_max_failures_ip=30)
    await csrf(client)
    answers = await asyncio.gather(*(client.post("/api/v1/auth/login", json={"email": f"guess{i}@example.org",
                                                                              "password": "whatever-123"})
                                     for i in range(40)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [401] * 30 + [429] * 10


async def test_behind_the_proxy_the_address_is_the_one_it_appended(client, settings, app):
    """Audit point 6: with TRUSTED_PROXY the leftmost X-Forwarded-For, written by the client, was trusted."""
    app.state.settings = dataclasses.replace(settings, login_max_failures_ip=3, trusted_proxy=True)
    await csrf(client)
    for i in range(3):
        r = await client.post("/api/v1/auth/login", json={"email": f"nobody{i}@example.org", "password": "x-123456789"},
                              headers={"X-Forwarded-For": f"10.9.8.{i}, 203.0.113.7"})
        assert r.status_code == 401
    r = await client.post("/api/v1/auth/login", json={"email": "n@example.org", "password": "x-123456789"},
                          headers={"X-Forwarded-For": "198.51.100.99, 203.0.113.7"})
    assert r.status_code == 429  # a new leftmost value changes nothing: the proxy saw 203.0.113.7
    r = await client.post("/api/v1/auth/login", json={"email": "n@example.org", "password": "x-123456789"},
                          headers={"X-Forwarded-For": "203.0.113.7, 203.0.113.8"})
    assert r.status_code == 401  # another client of the proxy is counted apart


async def test_login_is_throttled_per_ip_across_accounts(client, settings, app):
    app.state.settings = dataclasses.replace(settings, login_max_failures_ip=3)
    await csrf(client)
    for i in range(3):
        r = await client.post("/api/v1/auth/login", json={"email": f"nobody{i}@example.org", "password": "whatever-123"})
        assert r.status_code == 401
    r = await client.post("/api/v1/auth/login", json={"email": "someone@example.org", "password": "whatever-123"})
    assert r.status_code == 429 and "retry-after" in r.headers


async def test_unsafe_calls_with_a_session_cookie_need_the_csrf_token(client):
    user = await person()
    await sign_in(client, user)
    token = client.headers.pop("X-CSRF-Token")
    r = await client.patch("/api/v1/me", json={"name": "Hacked"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    r = await client.patch("/api/v1/me", json={"name": "Hacked"}, headers={"X-CSRF-Token": "0" * 64})
    assert r.status_code == 403
    assert (await User.get(id=user.id)).name == "Test Person"
    r = await client.patch("/api/v1/me", json={"name": "Renamed"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["user"]["name"] == "Renamed"


async def test_an_expired_session_is_anonymous(client):
    user = await person()
    await sign_in(client, user)
    await Session.filter(user=user).update(expires_at=datetime(2020, 1, 1, tzinfo=timezone.utc))
    r = await client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"
    assert (await client.get("/api/v1/session")).json()["user"] is None


async def test_password_reset_by_link_ends_old_sessions(client, new_client):
    user = await person()
    other_device = await sign_in(new_client(), user)
    await csrf(client)
    assert (await client.post("/api/v1/auth/password-reset", json={"email": user.email})).status_code == 202
    assert (await client.post("/api/v1/auth/password-reset", json={"email": "ghost@example.org"})).status_code == 202
    mails = [m for m in await Outbox.all() if m.payload["subject"] == "Réinitialiser votre mot de passe"]
    assert [m.recipient for m in mails] == [user.email]
    token = _link_token(mails[0])
    r = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "123456"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "password"
    r = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "New-long-secret-42"})
    assert r.status_code == 200
    assert (await other_device.get("/api/v1/me")).status_code == 401
    fresh = new_client()
    await sign_in(fresh, user, "New-long-secret-42")
    r = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "Another-secret-43"})
    assert r.status_code == 410


async def test_change_password_keeps_this_session_only(client, new_client):
    user = await person()
    other = await sign_in(new_client(), user)
    await sign_in(client, user)
    r = await client.post("/api/v1/me/password", json={"current_password": "nope-nope-nope", "new_password": "X-new-pass-77"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "current_password"
    r = await client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "X-new-pass-77"})
    assert r.status_code == 200
    assert (await client.get("/api/v1/me")).status_code == 200
    assert (await other.get("/api/v1/me")).status_code == 401


async def test_change_email_goes_through_a_link_sent_to_the_new_address(client):
    user = await person()
    await sign_in(client, user)
    r = await client.post("/api/v1/me/email", json={"new_email": "fresh@example.org", "password": PASSWORD})
    assert r.status_code == 202
    mail = await Outbox.get(recipient="fresh@example.org")
    assert (await User.get(id=user.id)).email == user.email
    r = await client.post("/api/v1/auth/email-change/confirm", json={"token": _link_token(mail)})
    assert r.status_code == 200 and r.json()["user"]["email"] == "fresh@example.org"


async def test_api_tokens_authenticate_without_csrf_and_die_when_revoked(client, new_client):
    user = await person()
    await sign_in(client, user)
    r = await client.post("/api/v1/me/tokens", json={"name": "my script", "scopes": ["read", "write"]})
    assert r.status_code == 201
    token, token_id = r.json()["token"], r.json()["id"]
    assert token.startswith("gch_")
    assert not await AccountToken.exists(token_hash=token)
    script = new_client()
    script.headers["Authorization"] = f"Bearer {token}"
    assert (await script.get("/api/v1/me")).json()["user"]["email"] == user.email
    assert (await script.patch("/api/v1/me", json={"language": "en"})).status_code == 200
    listed = (await client.get("/api/v1/me/tokens")).json()["items"]
    assert [t["name"] for t in listed] == ["my script"] and "token" not in listed[0]
    assert listed[0]["scopes"] == ["read", "write"] and listed[0]["expires_at"] > listed[0]["created_at"]
    assert (await client.delete(f"/api/v1/me/tokens/{token_id}")).status_code == 204
    r = await script.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"


async def test_session_expiry_is_sliding(client):
    user = await person()
    await sign_in(client, user)
    row = await Session.get(user=user)
    assert row.expires_at - row.last_seen_at == timedelta(days=30)


async def test_a_session_ends_at_its_absolute_lifetime_however_much_it_is_used(client, settings):
    """Audit point 23: a session used every day never ended."""
    from backend.accounts.service import utcnow

    user = await person()
    await sign_in(client, user)
    row = await Session.get(user=user)
    # Signed in 89 days ago, used yesterday: the idle expiry moves, but not past the 90th day.
    signed_in = utcnow() - timedelta(days=settings.session_max_days - 1)
    await Session.filter(id=row.id).update(created_at=signed_in, last_seen_at=utcnow() - timedelta(days=1))
    assert (await client.get("/api/v1/me")).status_code == 200
    row = await Session.get(id=row.id)
    assert row.expires_at == signed_in + timedelta(days=settings.session_max_days)
    await Session.filter(id=row.id).update(created_at=utcnow() - timedelta(days=settings.session_max_days, seconds=1),
                                           expires_at=utcnow() + timedelta(days=20))
    assert (await client.get("/api/v1/me")).status_code == 401
    assert not await Session.exists(id=row.id)


async def test_registering_a_taken_address_answers_as_for_a_new_one_and_tells_the_owner(client, new_client):
    """Audit point 20: register answered 409 email_taken (account discovery); reset did not."""
    owner = await person(email="taken@example.org", name="Tina Taken")
    await csrf(client)
    body = {"password": PASSWORD, "name": "Someone Else"}
    taken = await client.post("/api/v1/auth/register", json={"email": "taken@example.org", **body})
    other = new_client()
    await csrf(other)
    fresh = await other.post("/api/v1/auth/register", json={"email": "fresh@example.org", **body})
    assert taken.status_code == fresh.status_code == 202
    assert set(taken.json()) == set(fresh.json()) and taken.headers.keys() == fresh.headers.keys()
    assert (await User.get(id=owner.id)).name == "Tina Taken" and await User.filter(email="taken@example.org").count() == 1
    [told] = await Outbox.filter(recipient="taken@example.org")
    assert told.payload["subject"] == "Vous avez déjà un compte Guichet" and "/account/forgot" in told.payload["text"]
    assert (await Outbox.get(recipient="fresh@example.org")).payload["subject"] == "Confirmez votre adresse e-mail"
