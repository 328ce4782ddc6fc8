"""make bench: the real app under uvicorn on loopback, 100k requests, figures with their baselines."""
from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx
from tortoise import Tortoise

from backend import db, demo, demo_procedures
from backend.config import Settings
from backend.media import service as media
from backend.requests.models import ServiceRequest, Status
from bench import lostfound, scale, staff
from bench.common import CONCURRENCY, SECONDS, free_port, row, start, wrk
from bench.fanout import FOLLOWERS, run_fanout

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))


async def fill(settings: Settings) -> None:
    ctx = await db.init_db(settings)
    try:
        orgs = await demo._organisations()
        services = [s for s in await demo._catalogue(orgs["brenles"]) if not s.attributes]
        await demo_procedures.add(orgs["brenles"])  # the online procedures, for the form submission figure
        rng = random.Random(1)
        now = datetime.now(timezone.utc)
        statuses = [Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED]
        batch = []
        for i in range(ROWS):
            lat, lon = demo._random_point(rng, demo.CENTER, 1900, demo.BRENLES)
            at = now - timedelta(minutes=ROWS - i)
            status = statuses[i % 5]
            # Answered and resolved after a while, as the statistics read them.
            answered = at + timedelta(hours=1 + i % 48) if status != Status.SUBMITTED else None
            resolved = at + timedelta(hours=2 + i % 96) if status in (Status.RESOLVED, Status.CLOSED) else None
            batch.append(ServiceRequest(ref=f"BNC-{i:07d}", organisation=orgs["brenles"], service=services[i % len(services)],
                                        status=status, lat=lat, lon=lon, description="Demande de test",
                                        created_at=at, updated_at=at, contact_email="b@example.org",
                                        first_answer_at=answered, resolved_at=resolved,
                                        due_at=at + timedelta(hours=72)))
            if len(batch) == 5000:
                await ServiceRequest.bulk_create(batch)
                batch = []
        if batch:
            await ServiceRequest.bulk_create(batch)
        # What autovacuum (PostgreSQL) and PRAGMA optimize (SQLite) do in a town that has grown over the years.
        conn = Tortoise.get_connection("default")
        await conn.execute_script("VACUUM ANALYZE service_request" if db.dialect() == "postgres" else "ANALYZE")
    finally:
        await db.close_db(ctx)


async def create_pg_database(url: str) -> tuple[str, str]:
    """A fresh database beside the one in `url`, so the bench never touches real data; (its url, its name)."""
    import asyncpg

    name = f"guichet_bench_{os.getpid()}"
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url.rsplit("/", 1)[0] + "/" + name, name


async def drop_pg_database(url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def bare_pillow_rate(photo: bytes, seconds: float = SECONDS) -> float:
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        media.prepare(photo, max_pixels=50_000_000)
        done += 1
    return done / (time.perf_counter() - t0)


async def run(url: str, work: Path) -> list[str]:
    from tests import photos

    settings = Settings.load(env={}, data_dir=str(work / "data"), media_root=str(work / "media"), database_url=url)
    await db.migrate(settings)
    t0 = time.perf_counter()
    await fill(settings)
    backend_name = url.split(":")[0]
    print(f"filled {ROWS} requests in {time.perf_counter() - t0:.1f} s on {backend_name}", flush=True)
    app_port, echo_port = free_port(), free_port()
    env = {"DATA_DIR": settings.data_dir, "MEDIA_ROOT": settings.media_root, "DATABASE_URL": url,
           "SECRET_KEY": settings.secret_key, "VAPID_PRIVATE_KEY": settings.vapid_private_key,
           "WORKER_IN_PROCESS": "0", "CREATE_PER_HOUR_IP": "100000000",
           "PHOTOS_PER_HOUR": "100000000", "LIVE_STREAMS_PER_PERSON": "100000"}  # 200 screens of one account
    app = start("backend.app:create_app", app_port, env)
    echo = start("bench.echo_app:app", echo_port, {})
    try:
        base, echo_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{echo_port}"
        lat, lon = demo.CENTER
        body = {"service": "proprete", "lat": lat, "lon": lon, "description": "Poubelle pleine",
                "contact_email": "bench@example.org"}
        post_env = {"BENCH_BODY": json.dumps(body)}
        list_env = {"BENCH_LAT": str(lat), "BENCH_LON": str(lon)}
        echo_rate, echo_p99 = wrk(f"{echo_base}/echo", "post.lua", post_env)
        create_rate, create_p99 = wrk(f"{base}/api/v1/requests", "post.lua", post_env)
        # An online procedure without a place (issue 17): typed answers checked against the service's questions.
        form_body = {"service": "occupation-demenagement", "organisation": "brenles", "contact_email": "bench@example.org",
                     "description": "Deux places devant l'immeuble", "attributes": {
                         "debut": str(date.today() + timedelta(days=20)), "fin": str(date.today() + timedelta(days=21)),
                         "adresse": "Rue du Four 3\n1683 Brenles",
                         "surface": 15, "vehicule": "camionnette", "plaque": "VD 123 456"}}
        form_rate, form_p99 = wrk(f"{base}/api/v1/requests", "post.lua", {"BENCH_BODY": json.dumps(form_body)})
        echo_get_rate, echo_get_p99 = wrk(echo_base, "list.lua", {**list_env, "BENCH_PATH": "/echo"})
        list_rate, list_p99 = wrk(base, "list.lua", {**list_env, "BENCH_PATH": "/api/v1/requests"})
        photo = photos.jpeg()
        pillow_rate = bare_pillow_rate(photo)
        form = {k: str(v) for k, v in body.items()}
        multipart = httpx.Request("POST", base, data=form, files=[("photo", ("p.jpg", photo, "image/jpeg"))])
        body_file = work / "photo-request.bin"
        body_file.write_bytes(multipart.read())
        photo_rate, photo_p99 = wrk(f"{base}/api/v1/requests", "post.lua",
                                    {"BENCH_BODY_FILE": str(body_file),
                                     "BENCH_CONTENT_TYPE": multipart.headers["content-type"]}, connections=4)
    finally:
        app.terminate()
        echo.terminate()
        app.wait()
        echo.wait()
    staff_rows = await staff_figures(settings, env, echo_get_rate, echo_get_p99)
    match_ms, bare_match_ms, pool = await lostfound.figures(settings)
    fanout, bare_encryption, received = await run_fanout(settings, env)
    scaling = await scale.figures(env, post_env, list_env) if backend_name.startswith("postgres") else []
    return [
        f"\n{backend_name}: {ROWS} requests in the database, {CONCURRENCY} connections (wrk), one uvicorn worker",
        row("creations/s, no photo", create_rate, "/s", echo_rate, "bare Starlette echo POST /s", ">= 100/s"),
        row("creation p99, no photo", create_p99, "ms", echo_p99, "bare echo POST p99 ms", "< 200 ms"),
        row("form submissions/s (procedure)", form_rate, "/s", echo_rate, "bare Starlette echo POST /s", ">= 100/s"),
        row("form submission p99 (procedure)", form_p99, "ms", echo_p99, "bare echo POST p99 ms", "< 200 ms"),
        row("creations/s, 12 MP photo", photo_rate, "/s", pillow_rate, "bare Pillow prepare /s", ">= 20/s"),
        row("creation p99, 12 MP photo", photo_p99, "ms", 1000 / pillow_rate, "bare Pillow prepare ms", ""),
        row("public bbox list/s", list_rate, "/s", echo_get_rate, "bare Starlette echo GET /s", ">= 1250/s"),
        row("public bbox list p99", list_p99, "ms", echo_get_p99, "bare echo GET p99 ms", "< 100 ms"),
        row(f"fan-out to {received} phones", fanout, "s", bare_encryption, f"bare encryption of {FOLLOWERS} s",
            "<= 10 s"),
        *staff_rows,
        row(f"match a lost object, {lostfound.OPEN_ITEMS} open", match_ms, "ms", bare_match_ms,
            f"bare scoring of its {pool} in memory ms", "< 50 ms"),
        *scaling,
    ]


async def staff_figures(settings: Settings, env: dict, echo_get_rate: float, echo_get_p99: float) -> list[str]:
    """On a freshly started app, so that its peak memory is the export's."""
    await staff.make_agent(settings)
    port = free_port()
    app = start("backend.app:create_app", port, env)
    try:
        base = f"http://127.0.0.1:{port}"
        cookie = await staff.session_cookie(base)
        bare_csv = await staff.bare_csv_seconds(settings)
        seconds, rows, memory = await staff.export_csv(base, cookie, app.pid)
        stats_ms, bare_stats_ms = await staff.statistics_ms(base, cookie), await staff.bare_count_ms(settings)
        queue_rate, queue_p99 = wrk(base, "staff.lua", {"BENCH_COOKIE": cookie})
        one = await staff.live_screens(base, cookie, 1)
        many = await staff.live_screens(base, cookie, staff.SSE_CLIENTS)
    finally:
        app.terminate()
        app.wait()
    return [
        row("staff queue p99, filtered", queue_p99, "ms", echo_get_p99, "bare echo GET p99 ms", "< 150 ms"),
        row("staff queue/s, filtered", queue_rate, "/s", echo_get_rate, "bare Starlette echo GET /s", ""),
        row(f"CSV export of {rows} rows", seconds, "s", bare_csv, "bare read + csv.writer s", ""),
        row("staff statistics, 12 weeks", stats_ms, "ms", bare_stats_ms, "bare COUNT GROUP BY ms", "< 500 ms"),
        f"{'CSV export, peak memory growth':<34} {memory:>9.1f} MB     (the app process, VmHWM - VmRSS before)",
        row(f"{staff.SSE_CLIENTS} live screens get 1 event", many * 1000, "ms", one * 1000, "one live screen ms", "< 1000 ms"),
    ]


async def main() -> None:
    """Each database in a process of its own: Tortoise keeps per-dialect state in globals."""
    if len(sys.argv) == 3 and sys.argv[1] == "--database":
        work = Path(tempfile.mkdtemp(prefix="guichet-bench-"))
        url = sys.argv[2] or f"sqlite://{work}/bench.sqlite3"
        print("\n".join(await run(url, work)), flush=True)
        return
    subprocess.run([sys.executable, "-m", "bench", "--database", ""], check=True)
    pg = os.environ.get("BENCH_DATABASE_URL")
    if not pg:
        try:
            socket.create_connection(("127.0.0.1", 5432), 2).close()
            pg = "postgres://postgres@127.0.0.1:5432/test"
        except OSError:
            print("\npostgres: no server answered on 127.0.0.1:5432 and BENCH_DATABASE_URL is unset: skipped")
            return
    url, name = await create_pg_database(pg)
    try:
        subprocess.run([sys.executable, "-m", "bench", "--database", url], check=True)
    finally:
        await drop_pg_database(pg, name)


if __name__ == "__main__":
    asyncio.run(main())
