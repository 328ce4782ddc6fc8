"""Web Push end to end: subscriptions, the worker, and a real push service on loopback that decrypts."""
from __future__ import annotations

import asyncio
import base64
import dataclasses
from datetime import timedelta

import pytest

from backend.accounts.models import Role
from backend.push import worker
from backend.push.models import Message, Outbox, OutboxStatus, PushSubscription
from backend.push.service import utcnow
from tests.factories import IN_BRENLES, csrf, person, sign_in
from tests.pushservice import PushService


@pytest.fixture
async def pushes():
    service = await PushService().start()
    yield service
    await service.stop()


@pytest.fixture
def push_settings(app, settings):
    """The app's settings with the loopback push service allowed and a short timeout for the hanging case."""
    changed = dataclasses.replace(settings, push_allow_loopback=True, push_timeout_seconds=1.0)
    app.state.settings = changed
    return changed


async def report(client, **extra) -> str:
    body = {"service": "voirie", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1], "attributes": {"taille": "small"}, **extra}
    r = await client.post("/api/v1/requests", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def agent_of(new_client, town):
    return await sign_in(new_client(), await person(Role.AGENT, town.brenles, name="Marc Agent"))


async def test_the_vapid_key_is_the_servers_public_point(client, settings):
    body = (await client.get("/api/v1/push/vapid-public-key")).json()
    raw = base64.urlsafe_b64decode(body["public_key"] + "==")
    assert len(raw) == 65 and raw[0] == 4 and body["public_key"] == settings.vapid_public_key


async def test_subscriptions_are_checked_and_bounded(client, new_client, town, pushes, push_settings, settings, app):
    citizen = await person()
    await sign_in(client, citizen)
    device = pushes.new_device()
    sub = device.subscription(pushes.base)
    assert (await client.post("/api/v1/push/subscriptions", json=sub)).status_code == 201
    assert (await client.post("/api/v1/push/subscriptions", json=sub)).status_code == 200  # the same device again
    bad = [
        ({**sub, "endpoint": "http://push.example.com/x"}, "endpoint"),
        ({**sub, "endpoint": "ftp://push.example.com/x"}, "endpoint"),
        ({**sub, "keys": {"p256dh": sub["keys"]["p256dh"][:-4], "auth": sub["keys"]["auth"]}}, "keys.p256dh"),
        ({**sub, "keys": {"p256dh": sub["keys"]["p256dh"], "auth": "c2hvcnQ"}}, "keys.auth"),
        ({"endpoint": sub["endpoint"]}, "keys"),
    ]
    for body, field in bad:
        r = await client.post("/api/v1/push/subscriptions", json=body)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (field, r.text)
    for _ in range(settings.push_max_subscriptions - 1):
        assert (await client.post("/api/v1/push/subscriptions", json=pushes.new_device().subscription(pushes.base))).status_code == 201
    r = await client.post("/api/v1/push/subscriptions", json=pushes.new_device().subscription(pushes.base))
    assert r.status_code == 409 and r.json()["error"]["code"] == "too_many_subscriptions"
    assert await PushSubscription.filter(user=citizen).count() == settings.push_max_subscriptions
    r = await client.request("DELETE", "/api/v1/push/subscriptions", json={"endpoint": sub["endpoint"]})
    assert r.status_code == 204 and not await PushSubscription.exists(endpoint=sub["endpoint"])
    # Loopback endpoints are refused unless the operator allowed them (the tests' push service only).
    app.state.settings = settings
    r = await client.post("/api/v1/push/subscriptions", json=pushes.new_device().subscription(pushes.base))
    assert r.status_code == 422 and r.json()["error"]["field"] == "endpoint"
    stranger = new_client()
    await csrf(stranger)
    r = await stranger.post("/api/v1/push/subscriptions", json=sub)
    assert r.status_code == 401


async def test_a_status_change_reaches_the_phone_decrypted_in_its_language(client, new_client, town, pushes, push_settings):
    citizen = await person()
    citizen.language = "en"
    await citizen.save()
    await sign_in(client, citizen)
    ref = (await report(client))["ref"]
    device = pushes.new_device()
    assert (await client.post("/api/v1/push/subscriptions", json=device.subscription(pushes.base))).status_code == 201
    agent = await agent_of(new_client, town)
    r = await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "resolved", "comment": "Rebouché ce matin."})
    assert r.status_code == 201
    await worker.deliver_due(push_settings)
    [push] = await pushes.wait_for(1)
    assert push.payload["title"] == f"Your request {ref} is resolved"
    assert "Rebouché ce matin." in push.payload["body"] and push.payload["url"].endswith(f"/requests/{ref}")
    assert push.payload["tag"] == ref and push.payload["status"] == "resolved"
    assert push.headers["Topic"] == ref.replace("-", "") and push.headers["Urgency"] == "normal"
    assert int(push.headers["TTL"]) == push_settings.push_ttl_seconds
    assert push.claims["sub"] == push_settings.vapid_contact and push.claims["aud"] == pushes.base
    assert not pushes.rejected
    row = await Outbox.get(channel="push")
    assert row.status == OutboxStatus.SENT and row.sent_at is not None
    mail = await Outbox.filter(channel="email", recipient=citizen.email).order_by("-id").first()
    assert mail.payload["subject"] == f"Your request {ref} is resolved" and "See the request" in mail.payload["html"]


async def test_an_anonymous_author_subscribes_with_the_tracking_token(client, new_client, town, pushes, push_settings):
    await csrf(client)
    created = await report(client, contact_email="passant@example.org")
    device = pushes.new_device()
    r = await client.post("/api/v1/push/subscriptions", json=device.subscription(pushes.base),
                          headers={"X-Tracking-Token": created["tracking_token"]})
    assert r.status_code == 201
    r = await client.post("/api/v1/push/subscriptions", json=device.subscription(pushes.base),
                          headers={"X-Tracking-Token": "not-a-token"})
    assert r.status_code == 404
    agent = await agent_of(new_client, town)
    await agent.post(f"/api/v1/requests/{created['ref']}/events", json={"status": "acknowledged"})
    await worker.deliver_due(push_settings)
    [push] = await pushes.wait_for(1)
    assert push.payload["title"] == f"Votre demande {created['ref']} est prise en compte"
    assert f"/track/{created['tracking_token']}" in push.payload["url"]


@pytest.mark.parametrize("answer, outcome", [
    ("404", "gone"), ("410", "gone"), ("429", "retry-after"), ("500", "backoff"), ("hang", "backoff"),
])
async def test_each_answer_of_the_push_service(client, new_client, town, pushes, push_settings, answer, outcome):
    citizen = await person()
    await sign_in(client, citizen)
    ref = (await report(client))["ref"]
    device = pushes.new_device(answer)
    await client.post("/api/v1/push/subscriptions", json=device.subscription(pushes.base))
    agent = await agent_of(new_client, town)
    await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "acknowledged"})
    before = utcnow()
    await worker.deliver_due(push_settings)
    row = await Outbox.get(channel="push")
    assert row.attempts == 1 and row.locked_until is None
    if outcome == "gone":
        assert row.status == OutboxStatus.FAILED and "subscription deleted" in row.last_error
        assert not await PushSubscription.exists(id=row.subscription_id)
    else:
        assert row.status == OutboxStatus.PENDING and row.sent_at is None
        wait = row.next_attempt_at - before
        if outcome == "retry-after":
            assert timedelta(seconds=119) <= wait <= timedelta(seconds=125)
        else:
            assert timedelta(seconds=2) <= wait <= timedelta(seconds=10)  # first backoff step, with jitter
        assert await PushSubscription.exists(id=row.subscription_id)
    assert not pushes.received


async def test_preferences_choose_channels_and_the_inbox_keeps_everything(client, new_client, town, pushes, push_settings):
    citizen = await person()
    await sign_in(client, citizen)
    r = await client.get("/api/v1/me/notifications")
    assert r.json()["prefs"] == {"created": ["email"], "status": ["push", "email"], "comment": ["push", "email"]}
    r = await client.put("/api/v1/me/notifications", json={"prefs": {"status": ["push"], "comment": []}})
    assert r.status_code == 200 and r.json()["prefs"]["status"] == ["push"] and r.json()["prefs"]["comment"] == []
    r = await client.put("/api/v1/me/notifications", json={"prefs": {"status": ["sms"]}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "prefs.status"
    r = await client.put("/api/v1/me/notifications", json={"prefs": {"weather": ["push"]}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "prefs.weather"
    ref = (await report(client))["ref"]
    await client.post("/api/v1/push/subscriptions", json=pushes.new_device().subscription(pushes.base))
    agent = await agent_of(new_client, town)
    await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "acknowledged"})
    await agent.post(f"/api/v1/requests/{ref}/events", json={"comment": "Nous passons demain."})
    outbox = await Outbox.filter(user=citizen).order_by("id").values_list("channel", "payload")
    assert [c for c, _ in outbox] == ["email", "push"]  # created: e-mail; status: push only; comment: nothing
    assert await Message.filter(user=citizen).count() == 3


async def test_the_inbox_counts_and_marks_read_for_its_owner_only(client, new_client, town):
    citizen = await person()
    await sign_in(client, citizen)
    ref = (await report(client))["ref"]
    agent = await agent_of(new_client, town)
    for status in ("acknowledged", "in_progress"):
        await agent.post(f"/api/v1/requests/{ref}/events", json={"status": status})
    assert (await client.get("/api/v1/session")).json()["unread_messages"] == 3
    page = (await client.get("/api/v1/me/messages", params={"limit": 2})).json()
    assert page["unread"] == 3 and len(page["items"]) == 2 and page["items"][0]["request"] == ref
    assert page["items"][0]["subject"].endswith("en cours de traitement")
    rest = (await client.get("/api/v1/me/messages", params={"cursor": page["next_cursor"]})).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    first = page["items"][0]["id"]
    other = await sign_in(new_client(), await person())
    assert (await other.post(f"/api/v1/me/messages/{first}/read")).status_code == 404
    assert (await other.get("/api/v1/me/messages")).json()["items"] == []
    assert (await client.post(f"/api/v1/me/messages/{first}/read")).json() == {"unread": 2}
    assert (await client.post("/api/v1/me/messages/read")).json() == {"unread": 0}
    assert (await client.get("/api/v1/session")).json()["unread_messages"] == 0


async def test_a_worker_killed_mid_batch_loses_nothing(client, new_client, town, pushes, push_settings, settings):
    """`python -m backend worker`, killed with SIGKILL while pushes are in flight, then started again."""
    import os
    import signal
    import subprocess
    import sys
    import time

    followers = []
    for _ in range(30):
        citizen = await person()
        signed = await sign_in(new_client(), citizen)
        await signed.post("/api/v1/push/subscriptions", json=pushes.new_device().subscription(pushes.base))
        followers.append(signed)
    await sign_in(client, await person())
    ref = (await report(client))["ref"]
    for signed in followers:
        assert (await signed.post(f"/api/v1/requests/{ref}/support", json={})).status_code in (200, 201)
    agent = await agent_of(new_client, town)
    await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "acknowledged"})
    assert await Outbox.filter(channel="push").count() == 30
    pushes.delay = 0.3  # a slow push service: the kill lands while pushes are in flight
    env = {**os.environ, "DATA_DIR": settings.data_dir, "MEDIA_ROOT": settings.media_root,
           "DATABASE_URL": settings.database_url, "SECRET_KEY": settings.secret_key,
           "VAPID_PRIVATE_KEY": settings.vapid_private_key, "PUSH_ALLOW_LOOPBACK": "1", "PUSH_CONCURRENCY": "5",
           "OUTBOX_LEASE_SECONDS": "2", "WORKER_POLL_SECONDS": "0.2"}

    def start():
        return subprocess.Popen([sys.executable, "-m", "backend", "worker"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    first = start()
    await pushes.wait_for(5)
    first.send_signal(signal.SIGKILL)
    first.wait()
    arrived_before = len(pushes.received)
    assert arrived_before < 30, "the kill came too late to test anything"
    second = start()
    try:
        deadline = time.monotonic() + 30
        while await Outbox.filter(channel="push").exclude(status=OutboxStatus.SENT).exists():
            assert time.monotonic() < deadline, "the restarted worker did not finish"
            await asyncio.sleep(0.2)
    finally:
        second.terminate()
        errors = second.communicate(timeout=10)[1].decode()
    assert {r.device for r in pushes.received} == set(pushes.devices)  # every phone got its update
    assert "Traceback" not in errors
    # At least once: only what the killed worker had pushed may come twice (same Topic and tag: the phone shows one).
    assert len(pushes.received) <= 30 + arrived_before
