"""Health checks for a load balancer and for monitoring: the process, its dependencies, the outbox worker."""
from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tortoise import connections
from tortoise.exceptions import BaseORMException

from backend import db
from backend.media.store import store_of
from backend.push import worker
from backend.web import doc, json_response, settings_of

NO_STORE = {"cache-control": "no-store"}


@doc("Liveness: this process answers.", tag="meta", responses={200: "`{status: ok}`"})
async def healthz(request: Request) -> JSONResponse:
    return json_response({"status": "ok"}, headers=NO_STORE)


async def _database_ok() -> bool:
    try:
        await asyncio.wait_for(connections.get("default").execute_query("SELECT 1"), 5)
        return True
    except (OSError, asyncio.TimeoutError, BaseORMException):
        return False
    except Exception as exc:  # noqa: BLE001 (whatever the driver raises when the server is away: not ready)
        if db.is_outage(exc):
            return False
        raise


@doc("Readiness: the database answers and the media folder is writable; 503 otherwise.", tag="meta",
     responses={200: "`{status: ready, database, media}`", 503: "`{status: not_ready, ...}`"})
async def readyz(request: Request) -> JSONResponse:
    checks = {"database": await _database_ok(),
              "media": await asyncio.to_thread(store_of(settings_of(request)).ok)}
    ready = all(checks.values())
    body = {"status": "ready" if ready else "not_ready", **checks}
    return json_response(body, 200 if ready else 503, headers=NO_STORE | ({} if ready else {"retry-after": "10"}))


@doc("The outbox worker: 200 when one wrote its heartbeat lately, 503 when none did (e-mails and pushes wait).",
     tag="meta", responses={200: "`{ok, last_beat_at, seconds_since_beat, failures, last_error}`", 503: "stale"})
async def worker_health(request: Request) -> JSONResponse:
    state = await worker.health(stale_seconds=settings_of(request).worker_stale_seconds)
    return json_response(state, 200 if state["ok"] else 503, headers=NO_STORE)


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/healthz/worker", worker_health, methods=["GET"]),
]
