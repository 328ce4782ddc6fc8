"""create_app(settings) -> Starlette: every domain's routes, the middleware, the error handlers, the lifespan."""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator
from urllib.parse import urlparse

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Scope
from tortoise.exceptions import BaseORMException, ValidationError as TortoiseValidationError

from backend import db, errors, exports, health, logredact, openapi, shell
from backend.accounts.access_routes import routes as access_routes
from backend.accounts.routes import routes as account_routes
from backend.appointments.routes import routes as appointment_routes
from backend.audit.routes import routes as audit_routes
from backend.lostfound import service as lostfound_service
from backend.lostfound.routes import routes as lostfound_routes
from backend.open311.routes import routes as open311_routes
from backend.config import Settings
from backend.middleware import BodyLimit, CsrfCheck, NoNulInUrl, SecurityHeaders
from backend.push import coalesce as push_coalesce, worker
from backend.privacy.page_routes import routes as page_routes
from backend.privacy.routes import routes as privacy_routes
from backend.push.routes import routes as push_routes
from backend.realtime.bus import bus_for
from backend.realtime.routes import routes as realtime_routes
from backend.requests import service as requests_service
from backend.requests.request_routes import routes as request_routes
from backend.requests.routes import routes as catalogue_routes
from backend.requests.staff_routes import routes as staff_routes
from backend.requests.stats_routes import routes as stats_routes
from backend.media.routes import routes as media_routes
from backend.geo.geocoder import geocoder_for
from backend.web import doc, json_response

VERSION = "0.1.0"
SHUTDOWN_WORKER_SECONDS = 10.0  # then the in-process worker is cancelled; what it held is taken again later
log = logging.getLogger("guichet")
_HTTP_ERRORS = {404: errors.NotFound, 405: errors.MethodNotAllowed, 413: errors.PayloadTooLarge,
                415: errors.UnsupportedMediaType, 400: errors.BadRequest}


def error_response(exc: errors.GuichetError) -> JSONResponse:
    return json_response(exc.body(), exc.status, exc.headers())


async def on_guichet_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.GuichetError)
    return error_response(exc)


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    cls = _HTTP_ERRORS.get(exc.status_code, errors.GuichetError)
    error = cls()
    if cls is errors.GuichetError:
        error.status, error.code, error.message = exc.status_code, "http_error", str(exc.detail)
    return error_response(error)


async def on_client_gone(request: Request, exc: Exception) -> Response:
    """The client hung up before its body arrived: nothing was done, and nobody is there to read an answer."""
    log.info("client disconnected during %s %s", request.method, request.url.path)
    return error_response(errors.BadRequest("The connection was closed before the request was complete.",
                                            code="client_disconnected"))


async def on_value_out_of_bounds(request: Request, exc: Exception) -> Response:
    """A value the database cannot hold (a slug of 5,000 characters, an integer past 64 bits) reached a query:
    the caller's input, so a 422, never a 500 (every parameter is checked where it is read; this is the net)."""
    log.info("value out of bounds on %s %s: %r", request.method, request.url.path, exc)
    return error_response(errors.ValidationFailed("A value is too long or out of range.", code="invalid_value"))


async def on_database_error(request: Request, exc: Exception) -> Response:
    """The database out of reach (stopped, restarting, failing over): a 503 that says when to try again, one line
    in the log instead of a trace per request, and nothing done (the transaction never committed). The pool
    connects again by itself on a later request."""
    if db.is_outage(exc):
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc.__class__.__name__)
        return error_response(errors.ServiceUnavailable())
    return await on_unexpected(request, exc)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    if db.is_outage(exc):  # wrapped in an error of another kind
        return await on_database_error(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(errors.GuichetError())


@doc("This OpenAPI document.", tag="meta")
async def openapi_document(request: Request) -> JSONResponse:
    return json_response(openapi.build(request.app.routes, version=VERSION))


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.load()
    logredact.install()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ctx = await db.init_db(settings)
        requests_service.configure(base_url=settings.base_url, secret=settings.secret_key)
        lostfound_service.configure(holding_days=settings.lost_holding_days, min_score=settings.lost_min_score)
        push_coalesce.configure(seconds=settings.mail_coalesce_seconds)
        exports.configure(time_zone=settings.time_zone)
        app.state.image_gate = asyncio.Semaphore(settings.image_workers)
        app.state.bus = bus_for(settings.database_url)
        await app.state.bus.start()
        stop = asyncio.Event()
        task = asyncio.create_task(worker.supervise(settings, stop)) if settings.worker_in_process else None
        try:
            yield
        finally:
            stop.set()
            if task is not None:  # a delivery stuck on a database that does not answer must not hold the stop up:
                done, _ = await asyncio.wait([task], timeout=SHUTDOWN_WORKER_SECONDS)  # its rows' lease runs out
                if not done:
                    log.warning("the outbox worker did not stop within %s s; cancelled", SHUTDOWN_WORKER_SECONDS)
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
            await app.state.bus.stop()
            await db.close_db(ctx)

    def body_limit(scope: Scope) -> int:
        ctype = Headers(scope=scope).get("content-type", "")
        uploads = ctype.startswith("multipart/") and not scope["path"].startswith("/open311/")  # Open311 takes no file
        return settings.max_upload_bytes if uploads else settings.max_body_bytes

    routes = [
        *request_routes,  # first: the busiest paths (the map, the lists) are matched with the fewest tries
        *account_routes,
        *appointment_routes,
        *access_routes,
        *catalogue_routes,
        *staff_routes,
        *stats_routes,
        *media_routes,
        *push_routes,
        *privacy_routes,
        *page_routes,
        *audit_routes,
        *lostfound_routes,
        *open311_routes,
        *realtime_routes,
        *health.routes,
        *shell.routes,
        Route("/api/openapi.json", openapi_document, methods=["GET"]),
        shell.shell_route,
    ]
    tile_origin = "{uri.scheme}://{uri.netloc}".format(uri=urlparse(settings.tile_url.replace("{s}", "a")))
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(GZipMiddleware, minimum_size=800, compresslevel=6),
            Middleware(SecurityHeaders, tile_origin=tile_origin, hsts=settings.secure_cookies),
            Middleware(NoNulInUrl),
            Middleware(BodyLimit, limit_for=body_limit),
            Middleware(CsrfCheck, secret=settings.secret_key),
        ],
        exception_handlers={
            errors.GuichetError: on_guichet_error,
            HTTPException: on_http_exception,
            ClientDisconnect: on_client_gone,
            TortoiseValidationError: on_value_out_of_bounds,
            OverflowError: on_value_out_of_bounds,
            **{kind: on_database_error for kind in (*db.OUTAGES, BaseORMException)},
            Exception: on_unexpected,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.assets = shell.Assets.scan()
    app.state.geocoder = geocoder_for(settings.geocoder, settings.nominatim_url, settings.vapid_contact)
    return app
