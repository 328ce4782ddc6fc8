"""Serves stored photos: long cache for public requests, nothing for those the viewer may not see."""
from __future__ import annotations

import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from backend.errors import NotFound
from backend.media import service
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
    file = Path(settings_of(request).media_root) / path
    if not file.is_file():
        raise NotFound()
    cache = "public, max-age=31536000, immutable" if public else "private, no-store"
    return FileResponse(file, media_type="image/jpeg", headers={"cache-control": cache})


routes = [Route("/media/{path:path}", get_photo, methods=["GET"])]
