"""Live events over real HTTP: uvicorn streams server-sent events to staff, resumable with Last-Event-ID."""
from __future__ import annotations

import asyncio
import contextlib
import json

import httpx
import pytest

from backend.accounts.models import Membership, Role, ServiceGrant
from tests.conftest import IS_POSTGRES
from tests.factories import IN_BRENLES, IN_CHESALLES, person, sign_in
from tests.test_server import server, start_server, stop_server  # noqa: F401 (server: the fixture)


async def signed_in(base: str, user) -> httpx.AsyncClient:
    """A client of the real server, signed in the PWA's way (with the second factor for staff)."""
    return await sign_in(httpx.AsyncClient(base_url=base, timeout=10), user)


async def read_events(response: httpx.Response, count: int) -> list[dict]:
    events, current = [], {}
    async for line in response.aiter_lines():
        if line.startswith("id: "):
            current["id"] = int(line[4:])
        elif line.startswith("data: "):
            current["data"] = json.loads(line[6:])
        elif line == "" and "data" in current:
            events.append(current)
            current = {}
            if len(events) == count:
                return events
    return events


async def report(base: str, where=IN_BRENLES, service: str = "proprete") -> str:
    async with httpx.AsyncClient(base_url=base) as anonymous:
        anonymous.headers["X-CSRF-Token"] = (await anonymous.get("/api/v1/session")).json()["csrf_token"]
        r = await anonymous.post("/api/v1/requests", json={"service": service, "lat": where[0], "lon": where[1],
                                                          "contact_email": "vu@example.org"})
        assert r.status_code == 201, r.text
        return r.json()["ref"]


async def test_staff_see_new_requests_of_their_organisation_live_and_catch_up_after_a_break(server, town):
    dispatcher = await signed_in(server, await person(Role.DISPATCHER, town.brenles, email="dispatch@example.org"))
    citizen = await signed_in(server, await person(email="citoyen@example.org"))
    assert (await citizen.get("/api/v1/stream")).status_code == 403
    async with dispatcher.stream("GET", "/api/v1/stream") as live:
        assert live.headers["content-type"].startswith("text/event-stream")
        await asyncio.sleep(0.3)  # connected and subscribed
        elsewhere = await report(server, IN_CHESALLES)  # another municipality: never shown here
        ref = await report(server)
        [event] = await asyncio.wait_for(read_events(live, 1), 5)
    assert event["data"]["ref"] == ref and event["data"]["status"] == "submitted" and elsewhere != ref
    assert event["data"]["lat"] == IN_BRENLES[0] and event["data"]["service"]["code"] == "proprete"
    # Disconnected: two changes happen; reconnecting from the last event id replays them, in order.
    missed = [await report(server), await report(server)]
    async with dispatcher.stream("GET", "/api/v1/stream", headers={"Last-Event-ID": str(event["id"])}) as again:
        replay = await asyncio.wait_for(read_events(again, 2), 5)
    assert [e["data"]["ref"] for e in replay] == missed and replay[0]["id"] > event["id"]
    await dispatcher.aclose()
    await citizen.aclose()


async def test_a_dispatcher_of_one_service_sees_that_service_live_and_in_the_replay_only(server, town):
    user = await person(Role.MEMBER, town.brenles, email="dispatch-proprete@example.org")
    member = await Membership.get(user=user, role=Role.MEMBER)
    await ServiceGrant.create(membership=member, service=town.services["proprete"], role=Role.DISPATCHER)
    dispatcher = await signed_in(server, user)
    async with dispatcher.stream("GET", "/api/v1/stream") as live:
        await asyncio.sleep(0.3)
        await report(server, service="mobilier")  # another service of the same municipality: not theirs
        ref = await report(server)
        [event] = await asyncio.wait_for(read_events(live, 1), 5)
    assert event["data"]["ref"] == ref
    missed = [await report(server, service="mobilier"), await report(server)]
    async with dispatcher.stream("GET", "/api/v1/stream", headers={"Last-Event-ID": str(event["id"])}) as again:
        replay = await asyncio.wait_for(read_events(again, 1), 5)
    assert [e["data"]["ref"] for e in replay] == missed[1:]
    await dispatcher.aclose()


@pytest.mark.skipif(not IS_POSTGRES, reason="several processes share live events through PostgreSQL LISTEN/NOTIFY; "
                                            "on SQLite the app runs as one process and its events stay in memory")
async def test_a_request_created_through_one_process_reaches_staff_connected_to_another(server, settings, town):
    dispatch = await person(Role.DISPATCHER, town.brenles, email="dispatch@example.org")
    other, proc = await start_server(settings)
    try:
        dispatcher = await signed_in(server, dispatch)
        async with dispatcher.stream("GET", "/api/v1/stream") as live:
            await asyncio.sleep(0.3)
            ref = await report(other)  # through the second process
            [event] = await asyncio.wait_for(read_events(live, 1), 5)
        assert event["data"]["ref"] == ref
        await dispatcher.aclose()
    finally:
        stop_server(proc)


async def _ended(response: httpx.Response) -> bool:
    """Reads until the stream says it ended and closes (True), or the reading is cut by the caller's timeout."""
    said = False
    async for line in response.aiter_lines():
        said = said or line == "event: ended"
    return said


async def test_a_live_stream_ends_with_its_session_and_with_its_rights(server, town):
    """Audit point 11: an open stream kept delivering after logout (and after rights removal)."""
    dispatcher = await signed_in(server, await person(Role.DISPATCHER, town.brenles, email="dispatch@example.org"))
    async with dispatcher.stream("GET", "/api/v1/stream") as live:
        await asyncio.sleep(0.3)
        assert (await dispatcher.post("/api/v1/auth/logout")).status_code == 204
        assert await asyncio.wait_for(_ended(live), 5)  # at once, not at the next keep-alive (15 s)
    # A right on one service, removed by its manager: the stream of its holder ends.
    user = await person(Role.MEMBER, town.brenles, email="dispatch-proprete@example.org")
    member = await Membership.get(user=user, role=Role.MEMBER)
    grant = await ServiceGrant.create(membership=member, service=town.services["proprete"], role=Role.DISPATCHER)
    holder = await signed_in(server, user)
    secretary = await signed_in(server, await person(Role.SECRETARY, town.brenles, email="secretaire@example.org"))
    async with holder.stream("GET", "/api/v1/stream") as live:
        await asyncio.sleep(0.3)
        assert (await secretary.request("DELETE", f"/api/v1/access/grants/{grant.id}",
                                         json={"reason": "Fin du remplacement"})).status_code == 204
        assert await asyncio.wait_for(_ended(live), 5)
    for client in (dispatcher, holder, secretary):
        await client.aclose()


async def test_one_person_holds_a_bounded_number_of_live_streams(server, settings, town):
    dispatcher = await signed_in(server, await person(Role.DISPATCHER, town.brenles, email="dispatch@example.org"))
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(settings.live_streams_per_person):
            live = await stack.enter_async_context(dispatcher.stream("GET", "/api/v1/stream"))
            assert live.status_code == 200
        r = await dispatcher.get("/api/v1/stream")
        assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_requests" and r.headers["retry-after"]
    await asyncio.sleep(0.3)  # the streams are closed: one may open again
    async with dispatcher.stream("GET", "/api/v1/stream") as live:
        assert live.status_code == 200
    await dispatcher.aclose()
