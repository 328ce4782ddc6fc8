"""The database goes away for 10 s under load, and comes back: the real server (uvicorn) answers 503 with
Retry-After meanwhile, never a 500 or a trace, loses no request it acknowledged, and recovers by itself, live
events included."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from urllib.parse import urlparse, urlunparse

import asyncpg
import httpx
import pytest

from backend.accounts.models import Role
from tests.conftest import IS_POSTGRES
from tests.factories import IN_BRENLES, person
from tests import pgcluster
from tests.tcpproxy import TcpProxy
from tests.test_server import output_of, start_server
from tests.test_stream import read_events, signed_in

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="a database server that goes away and comes back: "
                                                        "SQLite is a file inside the app's own process")
OUTAGE_SECONDS = 10


async def _reporter(base: str, until: float, log: list[tuple[float, int, dict, dict]]) -> None:
    """A phone sending reports one after the other: (when, status, body, headers) of every answer."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as phone:
        while time.monotonic() < until:
            try:
                if "X-CSRF-Token" not in phone.headers:
                    phone.headers["X-CSRF-Token"] = (await phone.get("/api/v1/session")).json()["csrf_token"]
                    continue
                r = await phone.post("/api/v1/requests", json={
                    "service": "proprete", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                    "description": "Sac éventré", "contact_email": "charge@example.org"})
            except httpx.TransportError as exc:  # would be a server that died: the test fails below
                log.append((time.monotonic(), 0, {"transport": repr(exc)}, {}))
                continue
            body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {"raw": r.text}
            log.append((time.monotonic(), r.status_code, body, dict(r.headers)))
            if r.status_code == 503:
                await asyncio.sleep(0.2)  # a phone's outbox waits before it tries again


async def _nothing_lost(log: list[tuple[float, int, dict, dict]], output: str, database_url: str, *,
                        gone: tuple[float, float], back_after: float) -> None:
    """What both outages must show: only 201 or 503 (database_unavailable, with Retry-After), no 201 while the
    database was `gone`, some after `back_after`, no trace in the server's output, and every acknowledged
    report stored with its acknowledgement's reference."""
    assert {status for _, status, _, _ in log} <= {201, 503}, \
        ([e[1:3] for e in log if e[1] not in (201, 503)][:5], output[-6000:])
    unavailable = [(body, headers) for _, status, body, headers in log if status == 503]
    assert unavailable, "the outage was not seen"
    assert all(body["error"]["code"] == "database_unavailable" and int(headers["retry-after"]) >= 1
               for body, headers in unavailable)
    assert any(status == 201 and at > back_after for at, status, _, _ in log), "no recovery after the outage"
    assert not any(status == 201 and gone[0] < at < gone[1] for at, status, _, _ in log)  # it was really gone
    assert "Traceback" not in output, output[-3000:]
    acknowledged = {body["ref"] for _, status, body, _ in log if status == 201}
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        stored = {row["ref"] for row in await conn.fetch("SELECT ref FROM service_request")}
    finally:
        await conn.close()
    assert acknowledged and acknowledged <= stored


async def test_the_database_going_away_for_ten_seconds_gives_503_and_loses_nothing(settings, town):
    where = urlparse(settings.database_url)
    proxy = await TcpProxy(where.hostname, where.port or 5432).start()
    through_proxy = urlunparse(where._replace(netloc=f"{where.username or 'postgres'}@127.0.0.1:{proxy.port}"))
    base, proc = await start_server(settings, env={"DATABASE_URL": through_proxy, "CREATE_PER_HOUR_IP": "100000"})
    dispatcher = await signed_in(base, await person(Role.DISPATCHER, town.brenles, email="dispatch@example.org"))
    log: list[tuple[float, int, dict, dict]] = []
    try:
        start = time.monotonic()
        load = [asyncio.create_task(_reporter(base, start + OUTAGE_SECONDS + 12, log)) for _ in range(4)]
        await asyncio.sleep(2)
        await proxy.cut()
        cut_at = time.monotonic()
        await asyncio.sleep(1)
        async with httpx.AsyncClient(base_url=base) as probe:
            ready = await probe.get("/readyz")
            assert ready.status_code == 503 and ready.json()["database"] is False and ready.headers["retry-after"]
            assert (await probe.get("/healthz")).status_code == 200  # the process lives: no restart needed
        await asyncio.sleep(OUTAGE_SECONDS - 1)
        await proxy.restore()
        back_at = time.monotonic()
        await asyncio.gather(*load)
        async with httpx.AsyncClient(base_url=base) as probe:
            assert (await probe.get("/readyz")).status_code == 200
        # The live screens work again: a stream opened now gets the next request, through a listener that
        # reconnected on its own.
        async with dispatcher.stream("GET", "/api/v1/stream") as live:
            await asyncio.sleep(0.5)
            async with httpx.AsyncClient(base_url=base) as phone:
                phone.headers["X-CSRF-Token"] = (await phone.get("/api/v1/session")).json()["csrf_token"]
                r = await phone.post("/api/v1/requests", json={"service": "proprete", "lat": IN_BRENLES[0],
                                                               "lon": IN_BRENLES[1], "contact_email": "x@example.org"})
                assert r.status_code == 201, r.text
            [event] = await asyncio.wait_for(read_events(live, 1), 10)
            assert event["data"]["ref"] == r.json()["ref"]
        await dispatcher.aclose()
    finally:
        # The relay lives in this event loop: the server is waited for without blocking it (a blocking wait
        # would freeze the relay, and the server's last queries with it), and the relay goes last.
        proc.terminate()
        try:
            await asyncio.to_thread(proc.wait, 30)
        finally:
            proc.kill()
            await proxy.stop()
        output = output_of(proc)
    await _nothing_lost(log, output, settings.database_url, gone=(cut_at + 1, back_at), back_after=back_at + 1)


@pytest.mark.skipif(pgcluster.binaries() is None, reason="needs PostgreSQL's server programs on this machine "
                                                         "(initdb, pg_ctl) to run a server of the test's own")
async def test_postgresql_stopped_and_started_for_real_under_load(settings, tmp_path):
    """The same, with a server of the test's own stopped (`pg_ctl stop -m fast`: sessions terminated by the
    administrator, then connections refused) and started again (first 'starting up', then answering)."""
    cluster = pgcluster.Cluster().init()
    cluster.start()
    try:
        env = {**os.environ, "DATABASE_URL": cluster.url, "DATA_DIR": settings.data_dir,
               "SECRET_KEY": settings.secret_key}
        for command in (["migrate"], ["seed-demo"]):
            done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "backend", *command], env=env,
                                           capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        base, proc = await start_server(settings, env={"DATABASE_URL": cluster.url, "CREATE_PER_HOUR_IP": "100000"})
        log: list[tuple[float, int, dict, dict]] = []
        try:
            start = time.monotonic()
            load = [asyncio.create_task(_reporter(base, start + OUTAGE_SECONDS + 15, log)) for _ in range(4)]
            await asyncio.sleep(2)
            await asyncio.to_thread(cluster.stop)
            stopped_at = time.monotonic()
            async with httpx.AsyncClient(base_url=base) as probe:
                ready = await probe.get("/readyz")
                assert ready.status_code == 503 and ready.json()["database"] is False and ready.headers["retry-after"]
            await asyncio.sleep(OUTAGE_SECONDS)
            await asyncio.to_thread(cluster.start)
            back_at = time.monotonic()
            await asyncio.gather(*load)
            async with httpx.AsyncClient(base_url=base) as probe:
                assert (await probe.get("/readyz")).status_code == 200
        finally:
            proc.terminate()
            await asyncio.to_thread(proc.wait, 30)
        output = output_of(proc)
        await _nothing_lost(log, output, cluster.url, gone=(stopped_at + 0.5, back_at - 0.5), back_after=back_at)
    finally:
        await asyncio.to_thread(cluster.remove)
