"""Builders for test data: the town, people with roles, signed-in clients."""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import httpx

from backend import demo
from backend.accounts import service as accounts
from backend.accounts.models import STAFF_ROLES, Organisation, Role, User
from backend.accounts.totp import code_at, new_secret
from backend.requests.models import Service

PASSWORD = "Correct-horse-battery-9"
_seq = itertools.count(1)
IN_BRENLES = demo.CENTER
IN_CHESALLES = demo.CHESALLES_CENTER
IN_DISTRICT_ONLY = (46.655, 6.79)  # inside the district, outside both municipalities
OUTSIDE = (46.2044, 6.1432)


@dataclass
class Town:
    canton: Organisation
    district: Organisation
    brenles: Organisation
    chesalles: Organisation
    services: dict[str, Service]
    chesalles_services: dict[str, Service]


async def town() -> Town:
    orgs = await demo._organisations()
    services = await demo._catalogue(orgs["brenles"])
    other = await demo._catalogue(orgs["chesalles"])
    return Town(orgs["lemanie"], orgs["broye-jorat"], orgs["brenles"], orgs["chesalles"],
                {s.code: s for s in services}, {s.code: s for s in other})


async def person(role: Role | None = None, org: Organisation | None = None, *, email: str | None = None,
                 name: str = "Test Person", team: str = "") -> User:
    """A person, with `role` in `org` if given: a staff member has an authenticator (`totp_secret`), as every
    staff account must before its rights count."""
    user = await accounts.create_user(email=email or f"person{next(_seq)}@example.org", name=name, password=PASSWORD)
    if role is not None and org is not None:
        await accounts.grant_role(user=user, organisation_id=org.id, role=role, team=team)
        if role in STAFF_ROLES:
            user.totp_secret = _clear_secrets[user.email] = new_secret()
            await user.save(update_fields=["totp_secret"])  # in clear, as an earlier version kept it: sealed at sign-in
    return user


_last_step: dict[str, int] = {}
_clear_secrets: dict[str, str] = {}  # e-mail -> the authenticator's secret, as its owner's phone holds it


def totp_code(secret: str, account: str) -> str:
    """A code the server takes for this account: of a 30 s step after the last one used (a code is good once),
    waiting for the clock where two sign-ins come too close."""
    step = int(time.time() // 30)
    if account in _last_step and step <= _last_step[account]:
        step = _last_step[account] + 1
        while step > int(time.time() // 30) + 1:  # the server takes one step ahead, not two
            time.sleep(0.5)
    _last_step[account] = step
    return code_at(secret, step * 30)


async def csrf(client: httpx.AsyncClient) -> str:
    """Fetches the CSRF token and makes it the client's default header, as the PWA does."""
    token = (await client.get("/api/v1/session")).json()["csrf_token"]
    client.headers["X-CSRF-Token"] = token
    return token


async def sign_in(client: httpx.AsyncClient, user: User, password: str = PASSWORD) -> httpx.AsyncClient:
    """Signs in as the PWA does: the password, then the authenticator's code when the account has one."""
    await csrf(client)
    r = await client.post("/api/v1/auth/login", json={"email": user.email, "password": password})
    if user.totp_secret:
        secret = _clear_secrets.get(user.email, user.totp_secret)
        assert r.status_code == 401 and r.json()["error"]["code"] == "second_factor_required", r.text
        r = await client.post("/api/v1/auth/login", json={"email": user.email, "password": password,
                                                           "totp": totp_code(secret, user.email)})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]  # bound to the new session, as the PWA takes it
    return client
