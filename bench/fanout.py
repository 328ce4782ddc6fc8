"""Fan-out: one update of a request followed by 10,000 phones, end to end through the outbox and the worker."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from pywebpush import WebPusher

from backend import db
from backend.accounts.models import User
from backend.accounts.passwords import hash_password
from backend.config import Settings
from backend.push.models import PushSubscription
from backend.requests import service as requests
from backend.requests.models import ServiceRequest, Status, Supporter
from tests.pushservice import PushService

FOLLOWERS = int(os.environ.get("BENCH_FOLLOWERS", "10000"))
PAYLOAD = {"title": "Votre demande BNC-0000001 est prise en compte", "body": "Votre demande BNC-0000001 est prise "
           "en compte.", "url": "http://127.0.0.1:8000/requests/BNC-0000001", "tag": "BNC-0000001",
           "ref": "BNC-0000001", "status": "acknowledged"}


def bare_encryption_seconds(subscriptions: list[dict]) -> float:
    """The floor: encrypting the same payloads (aes128gcm, one ECDH each) in one process, nothing else."""
    data = json.dumps(PAYLOAD).encode()
    t0 = time.perf_counter()
    for info in subscriptions:
        WebPusher(info).encode(data, "aes128gcm")
    return time.perf_counter() - t0


async def _followed_request(settings: Settings, pushes: PushService) -> tuple[ServiceRequest, list[dict]]:
    ctx = await db.init_db(settings)
    try:
        password = hash_password("Bench-password-2026")
        await User.bulk_create([User(email=f"follower{i}@bench.example", name=f"Follower {i}", password_hash=password)
                                for i in range(FOLLOWERS)], batch_size=2000)
        users = await User.filter(email__endswith="@bench.example").order_by("id")
        req = await ServiceRequest.filter(status=Status.SUBMITTED).order_by("id").first()
        await Supporter.bulk_create([Supporter(request=req, user=u) for u in users], batch_size=2000)
        subscriptions = []
        rows = []
        for user in users:
            info = pushes.new_device().subscription(pushes.base)
            subscriptions.append(info)
            rows.append(PushSubscription(user=user, endpoint=info["endpoint"], p256dh=info["keys"]["p256dh"],
                                         auth=info["keys"]["auth"]))
        await PushSubscription.bulk_create(rows, batch_size=2000)
        await User.filter(email__endswith="@bench.example").update(notify_prefs={"status": ["push"]})
        return req, subscriptions
    finally:
        await db.close_db(ctx)


async def run_fanout(settings: Settings, env: dict) -> tuple[float, float, int]:
    """(seconds from the status change to the last push received, bare encryption seconds, pushes received)."""
    pushes = await PushService(decrypt=False).start()  # VAPID checked on every push; decrypting is the phone's cost
    try:
        req, subscriptions = await _followed_request(settings, pushes)
        bare = bare_encryption_seconds(subscriptions)
        worker_env = {**os.environ, **env, "PUSH_ALLOW_LOOPBACK": "1", "WORKER_POLL_SECONDS": "0.05"}
        log = Path(settings.data_dir) / "worker.log"  # a line per development e-mail: kept out of the table
        with log.open("w") as out:
            worker = subprocess.Popen([sys.executable, "-m", "backend", "worker"], env=worker_env,
                                      cwd=Path(__file__).resolve().parent.parent, stdout=out, stderr=out)
        ctx = await db.init_db(settings)
        try:
            await asyncio.sleep(1.0)  # the worker is up and polling, as in production
            t0 = time.perf_counter()
            req = await ServiceRequest.get(id=req.id)
            await requests.change_status(req=req, to=Status.ACKNOWLEDGED, actor=None)
            try:
                await pushes.wait_for(FOLLOWERS, timeout=120)
            except TimeoutError:
                print(f"the worker's log, {log}, ends with:\n" + "\n".join(log.read_text().splitlines()[-30:]))
                raise
            elapsed = time.perf_counter() - t0
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            await db.close_db(ctx)
        return elapsed, bare, len(pushes.received)
    finally:
        await pushes.stop()
