"""create_app(settings) -> Starlette: every domain's routes, the middleware, the error handlers, the lifespan."""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator
from urllib.parse import urlparse

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from backend import db, errors, openapi
from backend.accounts.routes import routes as account_routes
from backend.config import Settings
from backend.middleware import BodyLimit, CsrfCheck, SecurityHeaders
from backend.push import worker
from backend.requests import service as requests_service
from backend.requests.request_routes import routes as request_routes
from backend.requests.routes import routes as catalogue_routes
from backend.media.routes import routes as media_routes
from backend.geo.geocoder import geocoder_for
from backend.web import doc

VERSION = "0.1.0"
PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"
log = logging.getLogger("guichet")
_HTTP_ERRORS = {404: errors.NotFound, 405: errors.MethodNotAllowed, 413: errors.PayloadTooLarge,
                415: errors.UnsupportedMediaType, 400: errors.BadRequest}
_NOT_THE_SHELL = ("/api/", "/static/", "/media/", "/open311/")


def error_response(exc: errors.GuichetError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers())


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


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(errors.GuichetError())


@doc("This OpenAPI document.", tag="meta")
async def openapi_document(request: Request) -> JSONResponse:
    return JSONResponse(openapi.build(request.app.routes, version=VERSION))


async def app_shell(request: Request) -> Response:
    """Every client-side route of the PWA answers with the shell (deep links, e-mail links)."""
    if request.url.path.startswith(_NOT_THE_SHELL):
        raise errors.NotFound()
    return FileResponse(PWA_DIR / "index.html", headers={"cache-control": "no-cache"})


def _root_file(name: str, media_type: str):
    async def serve(request: Request) -> Response:
        return FileResponse(PWA_DIR / name, media_type=media_type, headers={"cache-control": "no-cache"})
    serve.__name__ = name.replace(".", "_")
    return serve


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.load()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ctx = await db.init_db(settings)
        requests_service.configure(base_url=settings.base_url, secret=settings.secret_key)
        app.state.image_gate = asyncio.Semaphore(settings.image_workers)
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(settings, stop)) if settings.worker_in_process else None
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
            await db.close_db(ctx)

    def body_limit(scope: Scope) -> int:
        ctype = Headers(scope=scope).get("content-type", "")
        return settings.max_upload_bytes if ctype.startswith("multipart/") else settings.max_body_bytes

    routes = [
        *account_routes,
        *catalogue_routes,
        *request_routes,
        *media_routes,
        Route("/api/openapi.json", openapi_document, methods=["GET"]),
        Mount("/static", StaticFiles(directory=PWA_DIR / "static"), name="static"),
        Route("/sw.js", _root_file("sw.js", "text/javascript"), include_in_schema=False),
        Route("/manifest.webmanifest", _root_file("manifest.webmanifest", "application/manifest+json"),
              include_in_schema=False),
        Route("/{path:path}", app_shell, methods=["GET"], include_in_schema=False),
    ]
    tile_origin = "{uri.scheme}://{uri.netloc}".format(uri=urlparse(settings.tile_url.replace("{s}", "a")))
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(GZipMiddleware, minimum_size=800),
            Middleware(SecurityHeaders, tile_origin=tile_origin),
            Middleware(BodyLimit, limit_for=body_limit),
            Middleware(CsrfCheck, secret=settings.secret_key),
        ],
        exception_handlers={
            errors.GuichetError: on_guichet_error,
            HTTPException: on_http_exception,
            Exception: on_unexpected,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.geocoder = geocoder_for(settings.geocoder, settings.nominatim_url, settings.vapid_contact)
    return app
