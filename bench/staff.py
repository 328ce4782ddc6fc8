"""Staff figures: the filtered queue, a 100k-row CSV export (time and peak memory), the statistics, 200 live
dispatch screens."""
from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from pathlib import Path

import httpx
from tortoise import Tortoise

from backend import db
from backend.accounts import service as accounts
from backend.accounts.totp import code_at, new_secret
from backend.accounts.models import Organisation, Role
from backend.config import Settings
from backend.requests.models import ServiceRequest

AGENT = ("agent@bench.example", "Bench-agent-password-2026")
SECRET = new_secret()
SSE_CLIENTS = 200


async def make_agent(settings: Settings) -> None:
    ctx = await db.init_db(settings)
    try:
        user = await accounts.create_user(email=AGENT[0], name="Bench Agent", password=AGENT[1])
        user.totp_secret = SECRET  # a staff account signs in with its second factor
        await user.save(update_fields=["totp_secret"])
        org = await Organisation.get(slug="brenles")
        await accounts.grant_role(user=user, organisation_id=org.id, role=Role.AGENT)
    finally:
        await db.close_db(ctx)


async def bare_csv_seconds(settings: Settings) -> float:
    """The floor of an export: the same rows read and written as CSV in one process, no HTTP, no filters."""
    ctx = await db.init_db(settings)
    try:
        t0 = time.perf_counter()
        out = io.StringIO()
        writer = csv.writer(out)
        for row in await ServiceRequest.all().values_list("ref", "created_at", "address", "description", "status",
                                                         "channel", "team", "due_at", "lat", "lon"):
            writer.writerow(row)
        return time.perf_counter() - t0
    finally:
        await db.close_db(ctx)


async def bare_count_ms(settings: Settings) -> float:
    """The floor of the statistics: one GROUP BY over the same rows, in process, no HTTP (the median of 5)."""
    ctx = await db.init_db(settings)
    try:
        conn = Tortoise.get_connection("default")
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            await conn.execute_query("SELECT service_id, COUNT(*) FROM service_request GROUP BY service_id")
            times.append(time.perf_counter() - t0)
        return sorted(times)[2] * 1000
    finally:
        await db.close_db(ctx)


async def statistics_ms(base: str, cookie: str) -> float:
    """GET /api/v1/staff/stats over the last 12 weeks (every request of the bench): the median of 5, after one."""
    async with httpx.AsyncClient(base_url=base, timeout=60, headers={"Cookie": cookie}) as client:
        (await client.get("/api/v1/staff/stats")).raise_for_status()
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            r = await client.get("/api/v1/staff/stats")
            times.append(time.perf_counter() - t0)
            r.raise_for_status()
        return sorted(times)[2] * 1000


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


_cookies: list[str] = []


async def session_cookie(base: str) -> str:
    """The agent's session, opened once: it lives in the database, so it serves every app started on it later
    (a second login within the same 30 s would replay the authenticator's code, which is refused)."""
    if _cookies:
        return _cookies[0]
    async with httpx.AsyncClient(base_url=base) as client:
        client.headers["X-CSRF-Token"] = (await client.get("/api/v1/session")).json()["csrf_token"]
        r = await client.post("/api/v1/auth/login", json={"email": AGENT[0], "password": AGENT[1],
                                                           "totp": code_at(SECRET, time.time())})
        r.raise_for_status()
        _cookies.append("; ".join(f"{k}={v}" for k, v in client.cookies.items()))
        return _cookies[0]


async def export_csv(base: str, cookie: str, pid: int) -> tuple[float, int, int]:
    """(seconds, rows, peak memory growth in MB) of GET /api/v1/staff/requests.csv over every request."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # the peak (VmHWM) starts again from the present size
    before = memory_kb(pid, "VmRSS")
    t0 = time.perf_counter()
    rows = 0
    async with httpx.AsyncClient(base_url=base, timeout=600, headers={"Cookie": cookie}) as client:
        async with client.stream("GET", "/api/v1/staff/requests.csv") as response:
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                rows += chunk.count(b"\n")
    elapsed = time.perf_counter() - t0
    return elapsed, rows - 1, (memory_kb(pid, "VmHWM") - before) // 1024


async def live_screens(base: str, cookie: str, clients: int, on_connected=None) -> float:
    """Seconds from a request's creation until `clients` open dispatch streams have all received it;
    `on_connected()` is called once they are all open."""
    limits = httpx.Limits(max_connections=clients + 10)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits, headers={"Cookie": cookie}) as viewers:
        connected = asyncio.Semaphore(0)
        got: asyncio.Queue = asyncio.Queue()

        async def watch() -> None:  # nothing else happens meanwhile: the first event is the new request
            async with viewers.stream("GET", "/api/v1/stream") as response:
                connected.release()
                async for line in response.aiter_lines():
                    if line.startswith("data: ") and json.loads(line[6:]).get("ref"):
                        await got.put(time.perf_counter())
                        return

        tasks = [asyncio.create_task(watch()) for _ in range(clients)]
        for _ in range(clients):
            await connected.acquire()
        await asyncio.sleep(0.5)  # every stream subscribed on the server
        if on_connected is not None:
            on_connected()
        async with httpx.AsyncClient(base_url=base) as citizen:
            citizen.headers["X-CSRF-Token"] = (await citizen.get("/api/v1/session")).json()["csrf_token"]
            t0 = time.perf_counter()
            r = await citizen.post("/api/v1/requests", json={"service": "proprete", "lat": 46.6725, "lon": 6.8535,
                                                             "contact_email": "live@bench.example"})
            r.raise_for_status()
        last = t0
        for _ in range(clients):
            last = max(last, await asyncio.wait_for(got.get(), 30))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return last - t0
