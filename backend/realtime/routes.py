"""GET /api/v1/stream: server-sent events of the viewer's organisations, resumable with Last-Event-ID."""
from __future__ import annotations

import asyncio
import json
from typing import AsyncIterator

from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from backend.errors import Forbidden
from backend.realtime import service
from backend.requests.staff_queue import OFFICE_ROLES
from backend.web import doc, viewer

KEEPALIVE_SECONDS = 15


def _frame(event: dict) -> str:
    return f"id: {event['id']}\nevent: request\ndata: {json.dumps(event, separators=(',', ':'))}\n\n"


@doc("Staff: live changes of the requests of my organisations, as server-sent events (`event: request`); "
     "send Last-Event-ID to get what was missed.", auth="staff", tag="staff", content="text/event-stream",
     responses={200: "an endless text/event-stream", 403: "not staff"})
async def stream(request: Request) -> StreamingResponse:
    v = await viewer(request)
    v.require_user()
    orgs = v.org_ids_with(*OFFICE_ROLES)
    services = {sid for ids in v.service_ids_with(*OFFICE_ROLES).values() for sid in ids}
    if not orgs and not services:
        raise Forbidden("The live stream is for the staff of an organisation.")
    last = request.headers.get("last-event-id") or request.query_params.get("last_event_id") or ""
    bus = request.app.state.bus
    queue = bus.subscribe()

    async def frames() -> AsyncIterator[str]:
        try:
            yield "retry: 2000\n\n"
            if last.isdigit() and int(last) < 2**63:  # a live event id (64 bits); anything else starts afresh
                for event in await service.missed(organisation_ids=orgs, service_ids=services, after=int(last)):
                    yield _frame(event)
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except asyncio.TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if event.get("organisation_id") in orgs or event.get("service_id") in services:
                    yield _frame(event)
        finally:
            bus.unsubscribe(queue)

    return StreamingResponse(frames(), media_type="text/event-stream",
                             headers={"cache-control": "no-cache", "x-accel-buffering": "no"})


routes = [Route("/api/v1/stream", stream, methods=["GET"])]
