"""GET /api/v1/stream: server-sent events of the viewer's organisations, resumable with Last-Event-ID.

A stream lasts as long as its credential: it checks again at every keep-alive, and at once when the bus says
its session ended or its person's rights changed (sign-out, membership ended, right removed); it then follows
the new rights or ends. A person holds at most LIVE_STREAMS_PER_PERSON streams in one process.
"""
from __future__ import annotations

import asyncio
import json
from typing import AsyncIterator

from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from backend import db
from backend.errors import Forbidden, NotAuthenticated, TooManyRequests
from backend.realtime import service
from backend.realtime.bus import RESYNC
from backend.requests.staff_queue import OFFICE_ROLES
from backend.web import credential_viewer, doc, settings_of, viewer

KEEPALIVE_SECONDS = 15
_open_streams: dict[int, int] = {}  # user id -> streams open in this process


def _scope(v) -> tuple[set[int], set[int]]:
    """The organisations and the services whose events this viewer may see live."""
    return v.org_ids_with(*OFFICE_ROLES), {sid for ids in v.service_ids_with(*OFFICE_ROLES).values() for sid in ids}


async def _current_scope(request: Request) -> tuple[set[int], set[int]]:
    """The scope of the stream's credential as it is now; empty when it ended or lost its rights."""
    try:
        return _scope(await credential_viewer(request))
    except NotAuthenticated:
        return set(), set()


def _frame(event: dict) -> str:
    return f"id: {event['id']}\nevent: request\ndata: {json.dumps(event, separators=(',', ':'))}\n\n"


@doc("Staff: live changes of the requests of my organisations, as server-sent events (`event: request`); "
     "send Last-Event-ID to get what was missed.", auth="staff", tag="staff", content="text/event-stream",
     responses={200: "an endless text/event-stream", 403: "not staff"})
async def stream(request: Request) -> StreamingResponse:
    v = await viewer(request)
    user = v.require_user()
    orgs, services = _scope(v)
    if not orgs and not services:
        raise Forbidden("The live stream is for the staff of an organisation.")
    limit = settings_of(request).live_streams_per_person
    if _open_streams.get(user.id, 0) >= limit:
        raise TooManyRequests(KEEPALIVE_SECONDS, f"At most {limit} live screens at once; close one first.")
    session_id = v.session.id if v.session else None
    last = request.headers.get("last-event-id") or request.query_params.get("last_event_id") or ""
    bus = request.app.state.bus
    queue = bus.subscribe()
    _open_streams[user.id] = _open_streams.get(user.id, 0) + 1

    async def frames() -> AsyncIterator[str]:
        nonlocal orgs, services
        mark = int(last) if last.isdigit() and int(last) < 2**63 else None  # a live event id (64 bits), or afresh
        try:
            yield "retry: 2000\n\n"
            if mark is None:
                mark = await service.latest_id()  # where to catch up from if the bus loses events (RESYNC)
            else:
                for event in await service.missed(organisation_ids=orgs, service_ids=services, after=mark):
                    mark = max(mark, event["id"])
                    yield _frame(event)
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except asyncio.TimeoutError:
                    event = None
                try:
                    concerned = event is not None and event.get("kind") == "access" and \
                        (event.get("session_id") == session_id or event.get("user_id") == user.id)
                    if event is None or concerned:
                        orgs, services = await _current_scope(request)
                        if not orgs and not services:
                            yield "event: ended\ndata: {}\n\n"  # signed out or no longer staff: the stream ends
                            return
                    if event is None:
                        yield ": keep-alive\n\n"
                    elif event is RESYNC:  # the bus was cut off for a while: what changed meanwhile, from the database
                        for missed in await service.missed(organisation_ids=orgs, service_ids=services, after=mark):
                            mark = max(mark, missed["id"])
                            yield _frame(missed)
                    elif event.get("organisation_id") in orgs or event.get("service_id") in services:
                        mark = max(mark, event["id"])
                        yield _frame(event)
                except Exception as exc:
                    if not db.is_outage(exc):
                        raise
                    return  # the database is away: the client reconnects with Last-Event-ID once it is back
        finally:
            bus.unsubscribe(queue)
            _open_streams[user.id] -= 1
            if not _open_streams[user.id]:
                del _open_streams[user.id]

    return StreamingResponse(frames(), media_type="text/event-stream",
                             headers={"cache-control": "no-cache", "x-accel-buffering": "no"})


routes = [Route("/api/v1/stream", stream, methods=["GET"])]
