"""Builders for test data: the town, people with roles, signed-in clients."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import httpx

from backend import demo
from backend.accounts import service as accounts
from backend.accounts.models import Organisation, Role, User
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
    user = await accounts.create_user(email=email or f"person{next(_seq)}@example.org", name=name, password=PASSWORD)
    if role is not None and org is not None:
        await accounts.grant_role(user=user, organisation_id=org.id, role=role, team=team)
    return user


async def csrf(client: httpx.AsyncClient) -> str:
    """Fetches the CSRF token and makes it the client's default header, as the PWA does."""
    token = (await client.get("/api/v1/session")).json()["csrf_token"]
    client.headers["X-CSRF-Token"] = token
    return token


async def sign_in(client: httpx.AsyncClient, user: User, password: str = PASSWORD) -> httpx.AsyncClient:
    await csrf(client)
    r = await client.post("/api/v1/auth/login", json={"email": user.email, "password": password})
    assert r.status_code == 200, r.text
    return client
