"""Several processes, as a city runs them: two app processes (two uvicorn workers, or two hosts) and separate
outbox workers, on one PostgreSQL database. What one process counts, caches, stores or claims, the others see.

Per process by design, and said in docs/operators.md: the image-decoding gate (IMAGE_WORKERS photos decoded at
once by each process: it bounds the memory and CPU of that process, so it is right per process) and the count
of live streams of one person (LIVE_STREAMS_PER_PERSON per process)."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from backend.accounts.models import Role
from backend.push.models import Outbox, OutboxStatus
from tests.api.test_push import pushes  # noqa: F401 (the fixture: a push service on loopback that decrypts)
from tests.conftest import IS_POSTGRES
from tests.factories import IN_BRENLES, PASSWORD, person, sign_in
from tests.test_server import start_server, stop_server
from tests.test_stream import read_events, signed_in

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="several processes on one database: PostgreSQL, the "
                                                        "database at scale (SQLite is for one process)")
APP_ENV = {"WORKER_IN_PROCESS": "0", "CREATE_PER_HOUR_IP": "4", "LOGIN_MAX_FAILURES_IP": "6"}
REPORT = {"service": "proprete", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1], "contact_email": "vu@example.org"}


@pytest.fixture
async def two(settings, town):
    """Two app processes on the same database, as two workers behind the proxy: (base of one, base of other)."""
    first, one = await start_server(settings, env=APP_ENV)
    second, other = await start_server(settings, env=APP_ENV)
    yield first, second
    stop_server(one)
    stop_server(other)


async def test_rate_limits_and_sign_in_throttles_count_across_processes(two):
    first, second = two
    async with httpx.AsyncClient(timeout=10) as phone:  # one address, whichever process answers
        phone.headers["X-CSRF-Token"] = (await phone.get(f"{first}/api/v1/session")).json()["csrf_token"]
        answers = [await phone.post(f"{(first, second)[i % 2]}/api/v1/requests", json=REPORT) for i in range(5)]
        assert [r.status_code for r in answers] == [201, 201, 201, 201, 429], [r.text for r in answers]
        assert answers[-1].json()["error"]["code"] == "too_many_requests" and answers[-1].headers["retry-after"]
        tries = [await phone.post(f"{(first, second)[i % 2]}/api/v1/auth/login",
                                  json={"email": "nobody@example.org", "password": "Wrong-password-1"})
                 for i in range(7)]
        assert [r.status_code for r in tries] == [401] * 6 + [429], [r.text for r in tries]


async def test_an_idempotent_resend_to_the_other_process_gets_the_same_request(two):
    first, second = two
    key = str(uuid.uuid4())
    async with httpx.AsyncClient(timeout=10) as phone:  # the phone's outbox resends after a lost answer
        phone.headers["X-CSRF-Token"] = (await phone.get(f"{first}/api/v1/session")).json()["csrf_token"]
        sent = await phone.post(f"{first}/api/v1/requests", json=REPORT, headers={"Idempotency-Key": key})
        again = await phone.post(f"{second}/api/v1/requests", json=REPORT, headers={"Idempotency-Key": key})
        assert sent.status_code == 201 and again.status_code in (200, 201), again.text
        assert again.json()["ref"] == sent.json()["ref"]
        changed = await phone.post(f"{second}/api/v1/requests", json={**REPORT, "description": "Autre chose"},
                                   headers={"Idempotency-Key": key})
        assert changed.status_code == 409, changed.text
        mine = await phone.get(f"{first}/api/v1/requests", params={"bbox": "6.7,46.6,6.95,46.75"})
        assert [i["ref"] for i in mine.json()["items"]].count(sent.json()["ref"]) == 1


async def test_a_service_renamed_through_one_process_is_listed_by_its_new_name_by_the_other(two, town):
    first, second = two
    async with httpx.AsyncClient(timeout=10) as phone:
        phone.headers["X-CSRF-Token"] = (await phone.get(f"{first}/api/v1/session")).json()["csrf_token"]
        ref = (await phone.post(f"{first}/api/v1/requests", json=REPORT)).json()["ref"]

        async def name_in_lists(base: str) -> str:
            page = (await phone.get(f"{base}/api/v1/requests", params={"bbox": "6.7,46.6,6.95,46.75"})).json()
            return next(i["service"]["name"] for i in page["items"] if i["ref"] == ref)

        before = await name_in_lists(second)  # the other process now holds the label in memory
        manager = await signed_in(first, await person(Role.ADMIN, town.brenles, email="admin@example.org"))
        r = await manager.patch("/api/v1/organisations/brenles/services/proprete", json={"name_fr": "Salubrité"})
        assert r.status_code == 200, r.text
        await manager.aclose()
        assert before != "Salubrité" and await name_in_lists(second) == "Salubrité"
        assert await name_in_lists(first) == "Salubrité"


async def test_live_events_made_on_one_process_are_replayed_by_the_other_from_last_event_id(two, town):
    first, second = two
    dispatch = await person(Role.DISPATCHER, town.brenles, email="dispatch@example.org")
    on_first, on_second = await signed_in(first, dispatch), await signed_in(second, dispatch)
    async with httpx.AsyncClient(timeout=10) as phone:
        phone.headers["X-CSRF-Token"] = (await phone.get(f"{first}/api/v1/session")).json()["csrf_token"]
        async with on_first.stream("GET", "/api/v1/stream") as live:
            await asyncio.sleep(0.3)
            seen = (await phone.post(f"{second}/api/v1/requests", json=REPORT)).json()["ref"]
            [event] = await asyncio.wait_for(read_events(live, 1), 5)
        assert event["data"]["ref"] == seen
        # The screen is off for a while; two reports arrive through the other process; it reconnects to either.
        missed = [(await phone.post(f"{second}/api/v1/requests", json=REPORT)).json()["ref"] for _ in range(2)]
        for client in (on_first, on_second):
            async with client.stream("GET", "/api/v1/stream", headers={"Last-Event-ID": str(event["id"])}) as again:
                replay = await asyncio.wait_for(read_events(again, 2), 5)
            assert [e["data"]["ref"] for e in replay] == missed
    for client in (on_first, on_second):
        await client.aclose()


async def test_two_outbox_workers_deliver_each_push_once(settings, town, pushes, new_client):  # noqa: F811
    """Two `python -m backend worker` processes share the outbox through leases: every push arrives, once."""
    base, app_proc = await start_server(settings, env={**APP_ENV, "CREATE_PER_HOUR_IP": "100", "PUSH_ALLOW_LOOPBACK": "1"})
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as author:
            followers = []
            for i in range(40):
                user = await person(email=f"voisin{i}@example.org")
                follower = await sign_in(httpx.AsyncClient(base_url=base, timeout=10), user, PASSWORD)
                r = await follower.post("/api/v1/push/subscriptions",
                                        json=pushes.new_device().subscription(pushes.base))
                assert r.status_code in (200, 201), r.text
                followers.append(follower)
            author.headers["X-CSRF-Token"] = (await author.get("/api/v1/session")).json()["csrf_token"]
            ref = (await author.post("/api/v1/requests", json=REPORT)).json()["ref"]
            for follower in followers:
                assert (await follower.post(f"/api/v1/requests/{ref}/support", json={})).status_code in (200, 201)
            agent = await signed_in(base, await person(Role.AGENT, town.brenles, email="agent@example.org"))
            r = await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "acknowledged"})
            assert r.status_code in (200, 201), r.text
            for client in (*followers, agent):
                await client.aclose()
    finally:
        stop_server(app_proc)
    assert await Outbox.filter(channel="push").count() == 40
    pushes.delay = 0.05  # each push takes a moment: both workers get their share while the other works
    env = {**os.environ, "DATA_DIR": settings.data_dir, "MEDIA_ROOT": settings.media_root,
           "DATABASE_URL": settings.database_url, "SECRET_KEY": settings.secret_key,
           "VAPID_PRIVATE_KEY": settings.vapid_private_key, "PUSH_ALLOW_LOOPBACK": "1", "PUSH_CONCURRENCY": "4",
           "WORKER_POLL_SECONDS": "0.1"}
    workers = [subprocess.Popen([sys.executable, "-m", "backend", "worker"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    try:
        deadline = time.monotonic() + 40
        while await Outbox.filter(channel="push").exclude(status=OutboxStatus.SENT).exists():
            assert time.monotonic() < deadline, "the two workers did not deliver the outbox"
            await asyncio.sleep(0.2)
        await asyncio.sleep(0.5)  # a push sent twice would arrive now
    finally:
        for proc in workers:
            proc.terminate()
        errors = [proc.communicate(timeout=15)[1].decode(errors="replace") for proc in workers]
    assert not [e for e in errors if "Traceback" in e], errors
    devices = [r.device for r in pushes.received]
    assert len(devices) == 40 and len(set(devices)) == 40, f"{len(devices)} pushes to {len(set(devices))} phones"


async def test_requests_made_at_once_through_two_processes_get_distinct_numbers_in_sequence(settings, town):
    """The number is taken by one statement of its own (not held locked through the request's transaction, where
    every creation of the town waited in line): 30 at once through two processes, 30 numbers, none twice."""
    env = {**APP_ENV, "CREATE_PER_HOUR_IP": "1000"}
    (first, one), (second, other) = await start_server(settings, env=env), await start_server(settings, env=env)
    try:
        async with httpx.AsyncClient(timeout=30) as phone:
            phone.headers["X-CSRF-Token"] = (await phone.get(f"{first}/api/v1/session")).json()["csrf_token"]
            answers = await asyncio.gather(*(phone.post(f"{(first, second)[i % 2]}/api/v1/requests", json=REPORT)
                                             for i in range(30)))
        assert all(r.status_code == 201 for r in answers), [r.text for r in answers if r.status_code != 201][:3]
        numbers = sorted(int(r.json()["ref"].rsplit("-", 1)[1]) for r in answers)
        assert numbers == list(range(numbers[0], numbers[0] + 30))  # nothing failed: no gap either
    finally:
        stop_server(one)
        stop_server(other)
