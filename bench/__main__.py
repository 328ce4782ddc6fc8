"""make bench: the real app under uvicorn on loopback, 100k requests, figures with their baselines."""
from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from backend import db, demo
from backend.config import Settings
from backend.media import service as media
from backend.requests.models import ServiceRequest, Status

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CONCURRENCY = 16


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def fill(settings: Settings) -> None:
    ctx = await db.init_db(settings)
    try:
        orgs = await demo._organisations()
        services = [s for s in await demo._catalogue(orgs["brenles"]) if not s.attributes]
        rng = random.Random(1)
        now = datetime.now(timezone.utc)
        statuses = [Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED]
        batch = []
        for i in range(ROWS):
            lat, lon = demo._random_point(rng, demo.CENTER, 1900, demo.BRENLES)
            at = now - timedelta(minutes=ROWS - i)
            batch.append(ServiceRequest(ref=f"BNC-{i:07d}", organisation=orgs["brenles"], service=services[i % len(services)],
                                        status=statuses[i % 5], lat=lat, lon=lon, description="Demande de test",
                                        created_at=at, updated_at=at, contact_email="b@example.org"))
            if len(batch) == 5000:
                await ServiceRequest.bulk_create(batch)
                batch = []
        if batch:
            await ServiceRequest.bulk_create(batch)
    finally:
        await db.close_db(ctx)


def start(app: str, port: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning", *(["--factory"] if "create_app" in app else [])],
                            env={**os.environ, **env})
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{app} did not start")


async def load(make_request, seconds: float = SECONDS, concurrency: int = CONCURRENCY) -> tuple[float, float]:
    """Runs `make_request(client, i)` from `concurrency` tasks for `seconds`; returns (per second, p99 ms)."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def worker() -> None:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                r = await make_request(client, next(counter))
                if r.status_code >= 400:
                    raise RuntimeError(f"{r.status_code} {r.text[:200]}")
                latencies.append(time.perf_counter() - t0)

        start_at = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start_at
    latencies.sort()
    return len(latencies) / elapsed, latencies[int(len(latencies) * 0.99) - 1] * 1000


def bare_pillow_rate(photo: bytes, seconds: float = SECONDS) -> float:
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        media.prepare(photo, max_pixels=50_000_000)
        done += 1
    return done / (time.perf_counter() - t0)


def row(name: str, value: float, unit: str, base: float, base_name: str, floor: str) -> str:
    return f"{name:<34} {value:>9.1f} {unit:<6} {base_name:<34} {base:>9.1f}  ratio {value / base:>6.3f}  {floor}"


async def main() -> None:
    from tests import photos

    work = Path(tempfile.mkdtemp(prefix="guichet-bench-"))
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite://{work}/bench.sqlite3")
    settings = Settings.load(env={}, data_dir=str(work / "data"), media_root=str(work / "media"), database_url=url)
    await db.migrate(settings)
    t0 = time.perf_counter()
    await fill(settings)
    print(f"filled {ROWS} requests in {time.perf_counter() - t0:.1f} s on {url.split(':')[0]}")
    app_port, echo_port = free_port(), free_port()
    env = {"DATA_DIR": settings.data_dir, "MEDIA_ROOT": settings.media_root, "DATABASE_URL": url,
           "SECRET_KEY": settings.secret_key, "VAPID_PRIVATE_KEY": settings.vapid_private_key,
           "WORKER_IN_PROCESS": "0", "CREATE_PER_HOUR_IP": "100000000"}
    app = start("backend.app:create_app", app_port, env)
    echo = start("bench.echo_app:app", echo_port, {})
    try:
        base, echo_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{echo_port}/echo"
        lat, lon = demo.CENTER
        body = {"service": "proprete", "lat": lat, "lon": lon, "description": "Poubelle pleine",
                "contact_email": "bench@example.org"}
        echo_rate, echo_p99 = await load(lambda c, i: c.post(echo_url, json=body))
        create_rate, create_p99 = await load(lambda c, i: c.post(f"{base}/api/v1/requests", json=body))
        echo_get_rate, echo_get_p99 = await load(lambda c, i: c.get(echo_url))
        box = f"{lon - 0.004},{lat - 0.003},{lon + 0.004},{lat + 0.003}"
        list_rate, list_p99 = await load(lambda c, i: c.get(f"{base}/api/v1/requests",
                                                            params={"bbox": box, "status": "open", "limit": 50}))
        photo = photos.jpeg()
        pillow_rate = bare_pillow_rate(photo)
        form = {k: str(v) for k, v in body.items()}
        photo_rate, photo_p99 = await load(lambda c, i: c.post(f"{base}/api/v1/requests", data=form,
                                                               files=[("photo", ("p.jpg", photo, "image/jpeg"))]),
                                           concurrency=4)
    finally:
        app.terminate()
        echo.terminate()
    print(f"\nGuichet bench, {ROWS} requests in the database, {CONCURRENCY} concurrent clients, one uvicorn worker\n")
    print(row("creations/s, no photo", create_rate, "/s", echo_rate, "bare Starlette echo POST /s", ">= 100/s"))
    print(row("creation p99, no photo", create_p99, "ms", echo_p99, "bare echo POST p99 ms", "< 200 ms"))
    print(row("creations/s, 12 MP photo", photo_rate, "/s", pillow_rate, "bare Pillow prepare /s", ">= 20/s"))
    print(row("creation p99, 12 MP photo", photo_p99, "ms", 1000 / pillow_rate, "bare Pillow prepare ms", ""))
    print(row("public bbox list/s", list_rate, "/s", echo_get_rate, "bare Starlette echo GET /s", ">= 1250/s"))
    print(row("public bbox list p99", list_p99, "ms", echo_get_p99, "bare echo GET p99 ms", "< 100 ms"))


if __name__ == "__main__":
    asyncio.run(main())
