"""Serving the PWA: the app shell, versioned static files, the service worker, the manifest, the client config."""
from __future__ import annotations

import hashlib
import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from backend import errors
from backend.accounts.models import Organisation, OrganisationKind
from backend.web import doc, json_response, settings_of

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"
STATIC_DIR = PWA_DIR / "static"
VERSION_MARK = "__V__"
# Not served under a version: the browser needs them at fixed addresses.
ROOT_FILES = ("index.html", "sw.js", "manifest.webmanifest")
# Test-only files the browser tests never fetch through the app are kept out of the precache.
_NOT_PRECACHED = (".map", ".md")
_NOT_THE_SHELL = ("/api/", "/static/", "/media/", "/open311/")
IMMUTABLE = "public, max-age=31536000, immutable"
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/manifest+json", ".webmanifest")


@dataclass(frozen=True)
class Assets:
    """The PWA's files and one version for all of them: a change to any file is a new version."""

    version: str
    static_files: tuple[str, ...]  # paths relative to pwa/static, sorted

    @classmethod
    def scan(cls, root: Path = PWA_DIR) -> "Assets":
        digest = hashlib.sha256()
        files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
        for path in files:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
        static = tuple(str(p.relative_to(root / "static")) for p in files
                       if (root / "static") in p.parents and not p.name.endswith(_NOT_PRECACHED))
        return cls(version=digest.hexdigest()[:12], static_files=static)

    def url(self, relative: str) -> str:
        return f"/static/{self.version}/{relative}"

    def precache(self) -> list[str]:
        """What the service worker stores on install: the shell and every static file."""
        return ["/", "/manifest.webmanifest", *(self.url(f) for f in self.static_files)]


def _render(name: str, assets: Assets) -> str:
    return (PWA_DIR / name).read_text(encoding="utf-8").replace(VERSION_MARK, assets.version)


async def app_shell(request: Request) -> Response:
    """Every client-side route of the PWA answers with the shell (deep links, e-mail links)."""
    if request.url.path.startswith(_NOT_THE_SHELL):
        raise errors.NotFound()
    body = _render("index.html", request.app.state.assets)
    return Response(body, media_type="text/html; charset=utf-8", headers={"cache-control": "no-cache"})


async def service_worker(request: Request) -> Response:
    assets: Assets = request.app.state.assets
    body = _render("sw.js", assets).replace("__PRECACHE__", json.dumps(assets.precache()))
    # Allowed to control the whole origin although the script imports from /static/.
    return Response(body, media_type="text/javascript", headers={"cache-control": "no-cache",
                                                                 "service-worker-allowed": "/"})


async def manifest(request: Request) -> Response:
    return Response(_render("manifest.webmanifest", request.app.state.assets), media_type="application/manifest+json",
                    headers={"cache-control": "no-cache"})


async def static_file(request: Request) -> Response:
    """`/static/<version>/<path>`: cached for a year when the version is current (a new one changes the URL)."""
    relative = request.path_params["path"]
    path = (STATIC_DIR / relative).resolve()
    if STATIC_DIR not in path.parents or not path.is_file():
        raise errors.NotFound()
    current = request.path_params["version"] == request.app.state.assets.version
    return FileResponse(path, headers={"cache-control": IMMUTABLE if current else "no-cache"})


@doc("What the PWA needs to know about this server: limits, map tiles, languages.", tag="meta",
     responses={200: "`{version, tile_url, max_photos, max_photo_bytes, photo_side, ...}`"})
async def client_config(request: Request) -> JSONResponse:
    s = settings_of(request)
    return json_response({
        "version": request.app.state.assets.version,
        "tile_url": s.tile_url,
        "tile_attribution": s.tile_attribution,
        "max_photos": s.max_photos,
        "max_photo_bytes": s.max_photo_bytes,
        "max_file_bytes": s.max_file_bytes,
        "photo_side": 2048,
        "max_description": s.max_description,
        "max_comment": s.max_comment,
        "max_short_text": s.max_short_text,
        "password_min_length": s.password_min_length,
        "reopen_days": s.reopen_days,
        "languages": ["fr", "en"],
        "default_language": s.default_language,
        **await served_area(),
    })


async def served_area() -> dict:
    """Where the maps open: the box of every organisation with a boundary (`areas`, by slug) and `area`, the box
    of the first municipality set up (the town this server is for; a phone's position moves the map anyway),
    each as [min_lat, min_lon, max_lat, max_lon]; null before any is set up. `names`: each one's name in French
    and English, for the header, which names the town the person deals with."""
    areas, names, area = {}, {}, None
    for org in await Organisation.exclude(boundary=None).order_by("depth", "id"):
        areas[org.slug] = [org.min_lat, org.min_lon, org.max_lat, org.max_lon]
        names[org.slug] = {"fr": org.name_fr, "en": org.name_en}
        if area is None and org.kind == OrganisationKind.MUNICIPALITY:
            area = areas[org.slug]
    return {"area": area or next(iter(areas.values()), None), "areas": areas, "names": names}


routes = [
    Route("/api/v1/config", client_config, methods=["GET"]),
    Route("/static/{version}/{path:path}", static_file, methods=["GET", "HEAD"], include_in_schema=False),
    Route("/sw.js", service_worker, methods=["GET"], include_in_schema=False),
    Route("/manifest.webmanifest", manifest, methods=["GET"], include_in_schema=False),
]
shell_route = Route("/{path:path}", app_shell, methods=["GET"], include_in_schema=False)
