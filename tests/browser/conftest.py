"""Browser tests: the real server (uvicorn, seeded demo town), map tiles from a loopback server, Debian's Chromium."""
from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw

from tests.conftest import IS_POSTGRES, TARGET, _with_database, admin
from tests.test_server import free_port

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = os.environ.get("GUICHET_SCREENSHOTS")  # a folder: the tests then save pictures of the main screens
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
IN_BRENLES = {"latitude": 46.6731, "longitude": 6.8542}


def _tile() -> bytes:
    image = Image.new("RGB", (256, 256), (236, 240, 232))
    draw = ImageDraw.Draw(image)
    for i in range(0, 256, 64):
        draw.line((i, 0, i, 255), fill=(205, 212, 200), width=3)
        draw.line((0, i, 255, i), fill=(205, 212, 200), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _run_into(make, failure: list) -> None:
    try:
        asyncio.run(make())
    except BaseException as exc:  # noqa: BLE001  handed to the waiting thread, which raises it
        failure.append(exc)


@pytest.fixture(scope="session")
def tile_server():
    """A map tile server on loopback, so no test needs the internet."""
    tile = _tile()
    hits: list[str] = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png", hits
    server.shutdown()


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    proc: subprocess.Popen
    env: dict = field(default_factory=dict)
    totp_secrets: dict = field(default_factory=dict)  # e-mail -> secret, as `seed-demo` prints them

    def totp(self, email: str) -> str:
        """A code of the demo account's authenticator, as its owner's phone would show it."""
        from tests.factories import totp_code

        return totp_code(self.totp_secrets[email], email)

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def report(self, service: str, lat: float = 46.6731, lon: float = 6.8542, **fields) -> dict:
        """A request sent by an anonymous citizen (`fields`: address, attributes, description...), as created."""
        with self.api() as api:
            token = api.get("/api/v1/session").json()["csrf_token"]
            r = api.post("/api/v1/requests", headers={"X-CSRF-Token": token},
                         json={"service": service, "lat": lat, "lon": lon, "contact_email": "h@example.org", **fields})
            assert r.status_code == 201, r.text
            return r.json()

    def signed_in(self, email: str, password: str) -> httpx.Client:
        """An API client of a demo account, signed in with its authenticator's code, with its CSRF token."""
        client = self.api()
        token = client.get("/api/v1/session").json()["csrf_token"]
        r = client.post("/api/v1/auth/login", headers={"X-CSRF-Token": token},
                        json={"email": email, "password": password, "totp": self.totp(email)})
        assert r.status_code == 200, r.text
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return client

    def sql(self, statement: str) -> None:
        """One statement on the server's database, for what no screen does (moving a date into the past)."""
        url = self.env["DATABASE_URL"]
        if url.startswith("sqlite://"):
            import sqlite3

            with sqlite3.connect(url.split("://", 1)[1]) as conn:
                conn.execute(statement)
            return
        import asyncpg

        async def run() -> None:
            conn = await asyncpg.connect(url)
            try:
                await conn.execute(statement)
            finally:
                await conn.close()
        # Sync Playwright keeps an event loop running in this thread: the statement runs on a thread of its own.
        failure: list[BaseException] = []
        worker = threading.Thread(target=lambda: _run_into(run, failure))
        worker.start()
        worker.join(30)
        if failure:
            raise failure[0]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, tile_server):
    """`python -m backend migrate`, `seed-demo`, then `serve`: the README's way, on a fresh database."""
    work = tmp_path_factory.mktemp("live")
    port = free_port()
    pg_name = None
    if IS_POSTGRES:
        pg_name = f"guichet_browser_{uuid.uuid4().hex[:10]}"
        asyncio.run(admin(f'CREATE DATABASE "{pg_name}"'))
        database_url = _with_database(TARGET, pg_name)
    else:
        database_url = f"sqlite://{work}/guichet.sqlite3"
    env = {**os.environ, "DATA_DIR": str(work / "data"), "MEDIA_ROOT": str(work / "media"), "DATABASE_URL": database_url,
           "HOST": "127.0.0.1", "PORT": str(port), "TILE_URL": tile_server[0], "TILE_ATTRIBUTION": "Tuiles de test",
           "CREATE_PER_HOUR_IP": "10000", "PHOTOS_PER_HOUR": "10000",
           "PYTHONUNBUFFERED": "1"}
    for command in ("migrate", "seed-demo"):
        done = subprocess.run([sys.executable, "-m", "backend", command], env=env, cwd=ROOT, check=True,
                              capture_output=True, text=True)
    logins = [line.split() for line in done.stdout.splitlines() if "@" in line]
    secrets = {parts[1]: parts[3] for parts in logins if len(parts) == 4 and parts[3] != "-"}
    log = open(work / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "backend", "serve"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/api/v1/session", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("the server did not start:\n" + (work / "server.log").read_text(errors="replace"))
        time.sleep(0.1)
    yield LiveServer(url=url, data_dir=work / "data", proc=proc, env=env, totp_secrets=secrets)
    proc.terminate()
    proc.wait(timeout=15)
    log.close()
    output = (work / "server.log").read_text(errors="replace")
    if pg_name:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
    assert "Traceback" not in output, output


@pytest.fixture(scope="module")
def browser():
    """Per module: sync Playwright holds the main thread's event loop while it runs, which the asyncio tests need."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install -y chromium)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def allowed_console() -> list[str]:
    """Console messages a test provokes on purpose (the browser logs every 4xx answer to fetch)."""
    return []


@pytest.fixture
def phone(browser, live_server, allowed_console):
    """A fresh phone: its own storage and service worker, geolocation granted at a point in Brenles."""
    context = browser.new_context(**PHONE, base_url=live_server.url, locale="fr-CH", geolocation=IN_BRENLES,
                                  permissions=["geolocation"])
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(message.text)

    context.on("console", on_console)
    context.on("weberror", lambda e: errors.append(str(e.error)))
    # A request cancelled by leaving the screen is normal; any other failure is not.
    context.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED" and errors.append(f"{r.url}: {r.failure}"))
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
    # The offline tests provoke failed fetches on purpose; the browser logs those, and only those are allowed.
    allowed = ("net::ERR_INTERNET_DISCONNECTED", "Failed to fetch", *allowed_console)
    unexpected = [e for e in errors if not any(a in e for a in allowed)]
    assert not unexpected, f"console errors: {unexpected}"


def screenshot(page, name: str) -> None:
    """Saves a picture of the screen for docs/ when GUICHET_SCREENSHOTS names a folder."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.x A/AA violations on the current screen."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(AXE.read_text())  # evaluated, not injected as a <script>: the CSP allows no inline script
    result = page.evaluate("""async () => (await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}
    })).violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))""")
    return result
