"""Issue 18, point 1: "all my data" as a job, built at once when small, by the worker when large (with its progress,
then a link by inbox and e-mail), taken over when a worker dies, and removed when its time is out."""
from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import zipfile
from datetime import timedelta

import httpx

from backend.app import create_app
from backend.privacy import exports
from backend.privacy.models import DataExport, ExportStatus
from backend.push.models import Outbox
from backend.requests.service import utcnow
from tests import photos
from tests.factories import IN_BRENLES, person, sign_in


async def _report_with_photo(me) -> str:
    r = await me.post("/api/v1/requests", data={
        "service": "proprete", "lat": str(IN_BRENLES[0]), "lon": str(IN_BRENLES[1]), "description": "Déchets"},
        files=[("photo", ("p.jpg", photos.jpeg(800, 600), "image/jpeg"))])
    assert r.status_code == 201, r.text
    return r.json()["ref"]


async def test_a_small_export_is_ready_at_once_and_only_its_owner_downloads_it(client, new_client, town):
    me = await sign_in(new_client(), await person(email="petit.export@example.org"))
    ref = await _report_with_photo(me)
    r = await me.post("/api/v1/me/exports", json={})
    assert r.status_code == 201 and r.json()["status"] == "ready" and r.json()["progress"] == 100
    url = r.json()["download_url"]
    got = await me.get(url)
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(got.content))
    assert json.loads(archive.read("data.json"))["account"]["email"] == "petit.export@example.org"
    assert any(name.startswith(f"photos/{ref}/") for name in archive.namelist())
    assert (await me.get("/api/v1/me/exports")).json()["items"][0]["id"] == r.json()["id"]

    stranger = await sign_in(new_client(), await person())
    assert (await stranger.get(url)).status_code == 404
    assert (await stranger.get(f"/api/v1/me/exports/{r.json()['id']}")).status_code == 404
    assert (await stranger.get("/api/v1/me/exports")).json()["items"] == []
    assert (await client.get(url)).status_code == 401


async def test_a_large_export_is_built_by_the_worker_with_its_progress_then_announced(settings, town):
    small = dataclasses.replace(settings, export_inline_max_bytes=1)  # every photo makes it "large"
    app = create_app(small)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
            me = await sign_in(c, await person(email="gros.export@example.org", name="Gros Export"))
            refs = [await _report_with_photo(me) for _ in range(3)]
            r = await me.post("/api/v1/me/exports", json={})
            assert r.status_code == 202 and r.json()["status"] == "pending" and r.json()["download_url"] is None
            job_id = r.json()["id"]
            assert (await me.post("/api/v1/me/exports", json={})).json()["id"] == job_id  # one at a time
            r = await me.get("/api/v1/me/export")
            assert r.status_code == 409 and r.json()["error"]["code"] == "export_too_large"

            assert await exports.build_due(small) == 1
            status = (await me.get(f"/api/v1/me/exports/{job_id}")).json()
            assert status["status"] == "ready" and status["progress"] == 100
            archive = zipfile.ZipFile(io.BytesIO((await me.get(status["download_url"])).content))
            assert {n.split("/")[1] for n in archive.namelist() if n.startswith("photos/")} == set(refs)
            inbox = (await me.get("/api/v1/me/messages")).json()["items"]
            assert inbox[0]["subject"] == "Vos données sont prêtes"
            mail = await Outbox.filter(recipient="gros.export@example.org").order_by("-id").first()
            assert mail.payload["subject"] == "Vos données sont prêtes" and "http://testserver/account" in mail.payload["text"]
            assert await exports.build_due(small) == 0  # nothing left to build


async def test_a_job_left_by_a_dead_worker_is_taken_over_and_two_workers_never_build_the_same(settings, new_client, town):
    user = await person()
    me = await sign_in(new_client(), user)
    await _report_with_photo(me)
    alive = await DataExport.create(user=user, created_at=utcnow(), status=ExportStatus.BUILDING,
                                    locked_until=utcnow() + timedelta(minutes=5), attempts=1)
    assert await exports.build_due(settings) == 0  # its worker is still at it
    await DataExport.filter(id=alive.id).update(locked_until=utcnow() - timedelta(seconds=1))  # the worker died
    assert sorted(await asyncio.gather(exports.build_due(settings), exports.build_due(settings))) == [0, 1]
    job = await DataExport.get(id=alive.id)
    assert job.status == ExportStatus.READY and job.attempts == 2
    assert list(exports.folder(settings).glob("*.part")) == []  # written whole, then renamed


async def test_exports_past_their_time_and_orphan_files_are_removed(settings, new_client, town):
    user = await person()
    me = await sign_in(new_client(), user)
    job_id = (await me.post("/api/v1/me/exports", json={})).json()["id"]
    job = await DataExport.get(id=job_id)
    path = exports.folder(settings) / job.file_name
    orphan = exports.folder(settings) / "7-deadbeef.zip"
    orphan.write_bytes(b"PK")
    assert await exports.expire(settings) == 1 and path.is_file() and not orphan.exists()
    await DataExport.filter(id=job_id).update(expires_at=utcnow() - timedelta(seconds=1))
    assert (await me.get(f"/api/v1/me/exports/{job_id}/download")).status_code == 404
    assert await exports.expire(settings) == 2 and not path.exists()
    assert not await DataExport.filter(id=job_id).exists()
