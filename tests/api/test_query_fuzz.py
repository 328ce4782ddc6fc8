"""Every query parameter of every GET route of the OpenAPI document, sent wrong on purpose: never a server error
(audit point 21: `/api/v1/lostfound/found?limit=-1` or `abc` answered 500)."""
from __future__ import annotations

import re

from backend.accounts.models import Role
from tests.factories import IN_BRENLES, csrf, person, sign_in

HOSTILE = ["-1", "abc", "", "0", "99999999999999999999999", "NaN", "1e309", "[", "\x00", "%", "x" * 5000,
           "2026-13-45T99:99", "-180,-90,180,90", "1,2,3", "../../etc/passwd", "'; DROP TABLE user; --"]
# Path parameters get a value that leads somewhere, so that the query is read.
PATH_VALUES = {"slug": "brenles", "fmt": "json", "code": "voirie", "organisation": "brenles"}


def _path(template: str, ref: str) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        return ref if name == "ref" else PATH_VALUES.get(name, "1")
    return re.sub(r"\{(\w+)(?::\w+)?\}", value, template)


async def test_no_query_value_makes_a_server_error(client, new_client, town):
    await csrf(client)
    ref = (await client.post("/api/v1/requests", json={"service": "proprete", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                       "contact_email": "a@example.org"})).json()["ref"]
    secretary = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles))
    admin = await sign_in(new_client(), await person(Role.ADMIN, town.canton))
    doc = (await client.get("/api/openapi.json")).json()
    tried, failures = 0, []
    for template, operations in doc["paths"].items():
        get = operations.get("get")
        if get is None or "stream" in template or template == "/healthz/worker":  # the live stream never ends;
            continue  # the worker's health is 503 when no worker runs, as here
        names = [p["name"] for p in get.get("parameters", []) if p["in"] == "query"] + ["limit", "cursor"]
        path = _path(template, ref)
        for caller in (client, secretary, admin):
            for name in dict.fromkeys(names):
                for value in HOSTILE:
                    tried += 1
                    try:
                        r = await caller.get(path, params={name: value})
                    except Exception as exc:  # noqa: BLE001  the app raised instead of answering: that is the bug
                        failures.append((path, name, value[:20], repr(exc)[:160]))
                        continue
                    if r.status_code >= 500:
                        failures.append((path, name, value[:20], r.status_code, r.text[:120]))
    assert tried > 1000
    assert not failures, "\n".join(map(str, failures))
