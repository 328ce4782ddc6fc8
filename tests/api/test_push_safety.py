"""The outbox worker against hostile subscriptions: it survives any one delivery, is seen when dead, and never posts
to an address inside our network (audit points 1 and 4)."""
from __future__ import annotations

import asyncio
import dataclasses

import pytest

from backend.push import worker
from backend.push.models import Outbox, OutboxStatus, PushSubscription, WorkerBeat
from tests.api.test_push import agent_of, pushes, push_settings, report  # noqa: F401  (fixtures)
from tests.factories import person, sign_in

# Endpoints the audit got accepted; each must be refused when a browser subscribes.
PRIVATE_ENDPOINTS = [
    "https://0.0.0.0/push/x", "https://127.1/push/x", "https://2130706433/push/x", "https://0x7f.0.0.1/push/x",
    "https://localhost./push/x", "https://169.254.169.254/latest/meta-data", "https://10.0.0.5/push/x",
    "https://192.168.1.1/push/x", "https://[::1]/push/x", "https://[::ffff:127.0.0.1]:9555/",
    "https://[fe80::1]/push/x", "https://[2001:db8::1]/push/x", "https://224.0.0.1/push/x",
    "https://100.64.0.1/push/x", "https://intranet/push/x", "https://printer.local/push/x",
]


async def _follower(client, pushes, ref: str | None = None):
    """A citizen who reported (or follows `ref`) with one phone subscribed to the loopback push service."""
    citizen = await person()
    await sign_in(client, citizen)
    ref = ref or (await report(client))["ref"]
    device = pushes.new_device()
    assert (await client.post("/api/v1/push/subscriptions", json=device.subscription(pushes.base))).status_code == 201
    return citizen, ref, device


async def _planted(citizen, endpoint: str, like: PushSubscription) -> PushSubscription:
    """A subscription stored before the checks existed (the API now refuses it), with a device's real keys."""
    return await PushSubscription.create(user=citizen, endpoint=endpoint, p256dh=like.p256dh, auth=like.auth)


@pytest.mark.parametrize("endpoint", PRIVATE_ENDPOINTS)
async def test_a_push_endpoint_inside_the_network_is_refused(client, pushes, endpoint):
    citizen = await person()
    await sign_in(client, citizen)
    sub = pushes.new_device().subscription(pushes.base) | {"endpoint": endpoint}
    r = await client.post("/api/v1/push/subscriptions", json=sub)
    assert r.status_code == 422 and r.json()["error"]["field"] == "endpoint", r.text
    assert not await PushSubscription.filter(user=citizen).exists()


async def test_one_poisoned_subscription_stops_no_delivery(client, new_client, town, pushes, push_settings):
    """An IPv6 literal endpoint made py_vapid raise inside the worker, which died: every e-mail and push waited."""
    citizen, ref, device = await _follower(client, pushes)
    good = await PushSubscription.get(user=citizen)
    for endpoint in ("https://[2606:4700:4700::1111]/push/x", "https://[2001:db8::1]/push/x",
                     "https://[::ffff:127.0.0.1]:9555/", "https://10.0.0.5/push/x"):
        await _planted(citizen, endpoint, good)
    agent = await agent_of(new_client, town)
    await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "acknowledged"})
    assert await Outbox.filter(channel="push").count() == 5

    stop = asyncio.Event()
    loop = asyncio.create_task(worker.run(push_settings, stop))
    try:
        [push] = await pushes.wait_for(1)
        assert push.device == device.id
        for _ in range(100):
            if not await Outbox.filter(status=OutboxStatus.PENDING).exists():
                break
            await asyncio.sleep(0.05)
        assert not loop.done(), "the worker stopped"
        # The worker goes on: a later update still reaches the phone.
        await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "in_progress"})
        await pushes.wait_for(2)
    finally:
        stop.set()
        await loop
    failed = await Outbox.filter(channel="push", status=OutboxStatus.FAILED).values_list("last_error", flat=True)
    assert len(failed) == 8 and all("not a public address" in e or "VAPID" in e for e in failed), failed
    assert pushes.attempts == 2  # nothing was posted to the planted endpoints
    assert not await Outbox.filter(channel="email", status=OutboxStatus.PENDING).exists()


async def test_a_redirect_from_a_push_service_is_not_followed(client, new_client, town, pushes, push_settings):
    citizen, ref, target = await _follower(client, pushes)
    bouncing = pushes.new_device(f"redirect:{pushes.base}/push/{target.id}")
    await client.post("/api/v1/push/subscriptions", json=bouncing.subscription(pushes.base))
    agent = await agent_of(new_client, town)
    await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "acknowledged"})
    await worker.deliver_due(push_settings)
    assert [r.device for r in pushes.received] == [target.id]  # once, by its own subscription
    bounced = await Outbox.get(channel="push", subscription_id=(await PushSubscription.get(endpoint__contains=bouncing.id)).id)
    assert bounced.status == OutboxStatus.FAILED and "307" in bounced.last_error


async def test_loopback_is_refused_at_send_time_unless_allowed(client, new_client, town, pushes, push_settings, app):
    """The check is made again when connecting: a subscription stored while loopback was allowed is not posted to
    once the operator turns it off."""
    citizen, ref, device = await _follower(client, pushes)
    app.state.settings = strict = dataclasses.replace(push_settings, push_allow_loopback=False)
    agent = await agent_of(new_client, town)
    await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "acknowledged"})
    await worker.deliver_due(strict)
    row = await Outbox.get(channel="push")
    assert row.status == OutboxStatus.FAILED and "not a public address" in row.last_error
    assert pushes.attempts == 0


async def test_the_worker_health_says_when_no_worker_beats(client, settings, push_settings):
    r = await client.get("/healthz/worker")
    assert r.status_code == 503 and r.json()["ok"] is False and r.json()["last_beat_at"] is None
    stop = asyncio.Event()
    loop = asyncio.create_task(worker.supervise(settings, stop))
    try:
        for _ in range(100):
            if await WorkerBeat.exists():
                break
            await asyncio.sleep(0.05)
        r = await client.get("/healthz/worker")
        assert r.status_code == 200 and r.json()["ok"] is True and r.json()["failures"] == 0
    finally:
        stop.set()
        await loop
    await WorkerBeat.all().update(beat_at=(await WorkerBeat.first()).beat_at.replace(year=2020))
    r = await client.get("/healthz/worker")
    assert r.status_code == 503 and r.json()["seconds_since_beat"] > settings.worker_stale_seconds


async def test_liveness_and_readiness(client, settings, tmp_path, app):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ready", "database": True, "media": True}
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    app.state.settings = dataclasses.replace(settings, media_root=str(blocked))
    r = await client.get("/readyz")
    assert r.status_code == 503 and r.json()["media"] is False and r.headers["retry-after"] == "10"
