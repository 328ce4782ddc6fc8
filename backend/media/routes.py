"""Serves stored photos: long cache for public requests, nothing for those the viewer may not see."""
from __future__ import annotations

import asyncio
import re

from starlette.concurrency import iterate_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse
from starlette.routing import Route

from backend.errors import NotFound
from backend.media import service
from backend.media.store import LocalStore, store_of
from backend.web import doc, settings_of, viewer

_SAFE = re.compile(r"^\d{4}/\d{2}/[0-9a-f]{64}(_t)?\.jpg$")


@doc("A stored photo (display copy or thumbnail).", tag="media", responses={200: "image/jpeg", 404: "not_found"})
async def get_photo(request: Request) -> Response:
    from backend.requests import service as requests

    path = request.path_params["path"]
    holders = await service.holders_of_file(path) if _SAFE.match(path) else []
    # The same content may belong to several requests: it is public if one of them shows it publicly (a public
    # request, the photo not hidden by moderation), and otherwise shown to whoever may see one of those requests
    # in full (never decided by whichever row came first).
    public = any(row.request.public and not row.hidden for row in holders)
    if not public:
        v = await viewer(request)
        if not any(requests.viewer_relation(v, row.request) != "public" for row in holders):
            raise NotFound()
    settings = settings_of(request)
    headers = {"cache-control": "public, max-age=31536000, immutable" if public else "private, no-store"}
    store = store_of(settings)
    if settings.media_accel_redirect and isinstance(store, LocalStore):
        # nginx sends the file from its internal location, with these headers: the app only said yes.
        headers["x-accel-redirect"] = settings.media_accel_redirect.rstrip("/") + "/" + path
        return Response(status_code=200, media_type="image/jpeg", headers=headers)
    stored = await asyncio.to_thread(store.open, path)
    if stored is None:
        raise NotFound()
    if stored.path is not None:
        return FileResponse(stored.path, media_type="image/jpeg", headers=headers)
    headers["content-length"] = str(stored.size)
    if stored.etag:
        headers["etag"] = stored.etag
    return StreamingResponse(iterate_in_threadpool(stored.chunks), media_type="image/jpeg", headers=headers)


routes = [Route("/media/{path:path}", get_photo, methods=["GET"])]
