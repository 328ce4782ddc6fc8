"""The real server: uvicorn started the way the Procfile does, spoken to over HTTP."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time

import httpx
import pytest

from tests.factories import IN_BRENLES, PASSWORD


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start_server(settings, env: dict[str, str] | None = None, workers: int = 1) -> tuple[str, subprocess.Popen]:
    """uvicorn in a process of its own on the test database, answering on a free port; `env` adds or overrides
    settings (a DATABASE_URL through a relay, WORKER_IN_PROCESS), `workers` starts uvicorn's worker processes."""
    port = free_port()
    log = tempfile.TemporaryFile()
    env = {**os.environ, "DATA_DIR": settings.data_dir, "MEDIA_ROOT": settings.media_root,
           "DATABASE_URL": settings.database_url, "BASE_URL": f"http://127.0.0.1:{port}",
           "SECRET_KEY": settings.secret_key, "VAPID_PRIVATE_KEY": settings.vapid_private_key, **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "backend.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--timeout-graceful-shutdown", "5", *(["--workers", str(workers)] if workers > 1 else [])],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log = log  # a file, not a pipe: a server that logs much would block once a pipe's buffer is full
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    async with httpx.AsyncClient(base_url=base) as probe:
        while True:
            try:
                if (await probe.get("/api/v1/session")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("uvicorn did not start:\n" + output_of(proc))
            await asyncio.sleep(0.1)
    return base, proc


def output_of(proc: subprocess.Popen) -> str:
    """What the server wrote so far (to be read once it stopped)."""
    proc.log.seek(0)
    return proc.log.read().decode(errors="replace")


def stop_server(proc: subprocess.Popen, timeout: float = 15) -> str:
    """Stops the server and returns what it wrote, which holds no trace of an unhandled error."""
    proc.terminate()
    proc.wait(timeout=timeout)
    output = output_of(proc)
    assert "Traceback" not in output, output
    return output


@pytest.fixture
async def server(settings, town):
    base, proc = await start_server(settings)
    yield base
    stop_server(proc)


async def test_register_sign_in_and_read_the_catalogue_over_http(server):
    async with httpx.AsyncClient(base_url=server) as browser:
        session = (await browser.get("/api/v1/session")).json()
        assert session["user"] is None
        browser.headers["X-CSRF-Token"] = session["csrf_token"]
        r = await browser.post("/api/v1/auth/register",
                               json={"email": "real@example.org", "password": PASSWORD, "name": "Réelle"})
        assert r.status_code == 202, r.text
        r = await browser.post("/api/v1/auth/login", json={"email": "real@example.org", "password": PASSWORD})
        assert r.status_code == 200 and "guichet_session" in browser.cookies
        browser.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        me = (await browser.get("/api/v1/session")).json()
        assert me["user"]["name"] == "Réelle"
        r = await browser.get("/api/v1/services", params={"lat": IN_BRENLES[0], "lon": IN_BRENLES[1]},
                              headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
        assert r.json()["organisation"]["slug"] == "brenles" and len(r.json()["items"]) == 15
        r = await browser.post("/api/v1/auth/logout")
        assert r.status_code == 204
        assert (await browser.get("/api/v1/session")).json()["user"] is None


async def test_the_access_log_holds_no_token(settings, town):
    """Audit point 17: reset links, tracking tokens and Open311 keys were written to the access log."""
    base, proc = await start_server(settings)
    secrets = ["Zr8SecretResetToken", "Tr4ckingSecretToken", "o311_KeySecret", "Op3nTokenSecret"]
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            await http.get(f"/account/reset?token={secrets[0]}")
            await http.get(f"/api/v1/track/{secrets[1]}")
            await http.get(f"/track/{secrets[1]}")
            await http.get("/open311/v2/requests.json", params={"api_key": secrets[2], "jurisdiction_id": "brenles"})
            await http.get(f"/open311/v2/tokens/{secrets[3]}.json")
            r = await http.get("/healthz")
            assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    finally:
        output = stop_server(proc)
    assert "GET /account/reset?token=[redacted]" in output and "/api/v1/track/[redacted]" in output, output
    assert not [s for s in secrets if s in output], output
