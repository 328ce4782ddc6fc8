"""The PWA's files as the server gives them: shell, service worker precache, manifest, versioned static files."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "pwa" / "static"


def precache_of(sw: str) -> list[str]:
    return json.loads(re.search(r"const PRECACHE = (\[.*?\]);", sw, re.S).group(1))


async def test_the_precache_list_is_exactly_the_files_that_exist(client, app):
    r = await client.get("/sw.js")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
    assert r.headers["content-type"].startswith("text/javascript")
    version = app.state.assets.version
    assert f'const VERSION = "{version}";' in r.text
    on_disk = {f"/static/{version}/{p.relative_to(STATIC)}" for p in STATIC.rglob("*") if p.is_file()}
    listed = precache_of(r.text)
    assert set(listed) == on_disk | {"/", "/manifest.webmanifest"} and len(listed) == len(set(listed))
    for url in listed:  # every one of them answers, or the service worker would never install
        assert (await client.get(url)).status_code == 200, url


async def test_static_files_are_cached_for_a_year_under_the_current_version_only(client, app):
    version = app.state.assets.version
    current = await client.get(f"/static/{version}/js/app.js", headers={"accept-encoding": "gzip"})
    assert current.status_code == 200 and current.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert current.headers["content-encoding"] == "gzip" and current.headers["content-type"].startswith("text/javascript")
    stale = await client.get("/static/0ldversion00/js/app.js")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    for bad in (f"/static/{version}/%2e%2e/%2e%2e/pyproject.toml", f"/static/{version}/..%2F..%2Fpyproject.toml",
                f"/static/{version}/js/nothing.js"):
        r = await client.get(bad)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", bad


async def test_the_shell_points_at_versioned_files_and_answers_deep_links(client, app):
    version = app.state.assets.version
    for path in ("/", "/report", "/requests/BRN-2026-000001", "/track/abc", "/account/verify"):
        r = await client.get(path)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache", path
        assert f'/static/{version}/js/app.js' in r.text and "__V__" not in r.text
        assert '<html lang="fr">' in r.text


async def test_the_manifest_makes_the_app_installable(client, app):
    r = await client.get("/manifest.webmanifest")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/manifest+json")
    manifest = r.json()
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    assert manifest["lang"] == "fr" and manifest["short_name"] and manifest["theme_color"]
    sizes = {}
    for icon in manifest["icons"]:
        picture = Image.open(io.BytesIO((await client.get(icon["src"])).content))
        assert f"{picture.width}x{picture.height}" == icon["sizes"]
        sizes.setdefault(icon["purpose"], set()).add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes["any"] and "512x512" in sizes["maskable"]


async def test_the_client_config_gives_the_servers_limits(client, settings):
    body = (await client.get("/api/v1/config")).json()
    assert body["max_photos"] == settings.max_photos and body["tile_url"] == settings.tile_url
    assert body["languages"] == ["fr", "en"]


async def test_the_maps_open_on_the_municipality_served_not_on_a_town_written_in_the_code(client, town):
    body = (await client.get("/api/v1/config")).json()
    boxes = {slug: body["areas"][slug] for slug in ("brenles", "chesalles")}
    for org in (town.brenles, town.chesalles):
        assert boxes[org.slug] == [org.min_lat, org.min_lon, org.max_lat, org.max_lon]
    # The citizens' map opens on the first municipality set up, not on the whole canton.
    assert body["area"] == boxes["brenles"]
    code = "\n".join(p.read_text() for p in (STATIC / "js").rglob("*.js") if "vendor" not in p.parts)
    assert not re.search(r"\[\s*4\d\.\d+\s*,\s*\d\.\d+\s*\]", code), "a map centre is written in the front end"


def _keys(path: Path) -> set[str]:
    """The keys of a strings file and of the files it spreads in (`import x from "./fr-errors.js"`)."""
    text = path.read_text()
    keys = set(re.findall(r'"([a-z0-9_.]+)":', text))
    for part in re.findall(r'^import \w+ from "\./([\w-]+\.js)";', text, flags=re.M):
        keys |= _keys(path.parent / part)
    return keys


def test_english_has_every_french_string_and_every_used_key_exists():
    fr, en = _keys(STATIC / "js/strings/fr.js"), _keys(STATIC / "js/strings/en.js")
    assert fr == en and len(fr) > 150
    code = "\n".join(p.read_text() for p in (STATIC / "js").rglob("*.js") if "strings" not in p.parts)
    code += (ROOT / "pwa/index.html").read_text()
    used = set(re.findall(r'\bt\("([a-z0-9_.]+)"', code)) | set(re.findall(r'data-i18n="([a-z0-9_.]+)"', code))
    assert used and not used - fr, f"missing strings: {sorted(used - fr)}"
