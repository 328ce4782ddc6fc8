"""Creating a report: photos through the pipeline, anonymous tracking, idempotency, all-or-nothing."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from backend.media.models import Photo
from backend.push.models import Message, Outbox
from backend.requests.models import Event, ServiceRequest
from tests import photos
from tests.factories import IN_BRENLES, IN_CHESALLES, OUTSIDE, csrf, person, sign_in


def form(**extra) -> dict:
    base = {"service": "voirie", "lat": str(IN_BRENLES[0]), "lon": str(IN_BRENLES[1]),
            "description": "Trou profond devant la boulangerie", "attributes": json.dumps({"taille": "large"}),
            "contact_email": "passant@example.org"}
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def media_files(settings) -> list[Path]:
    return [p for p in Path(settings.media_root).rglob("*") if p.is_file()]


async def test_an_anonymous_report_with_a_12_mp_photo(client, town, settings):
    await csrf(client)
    # Audit point 9: a JPEG comment (COM segment) came through into the stored photo.
    camera = photos.jpeg(comment=b"Jean Dupont, 12 chemin des Vignes")
    r = await client.post("/api/v1/requests", data=form(), files=[("photo", ("IMG_0001.jpg", camera, "image/jpeg"))])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["ref"].startswith("BRN-20") and body["ref"].endswith("-000001")
    assert body["status"] == "submitted" and body["tracking_token"]
    assert body["photo_location"] == pytest.approx({"lat": photos.GPS_POINT[0], "lon": photos.GPS_POINT[1]}, abs=1e-4)
    assert body["attributes"] == {"taille": "large"} and body["service"]["code"] == "voirie"
    [photo] = body["photos"]
    assert photo["height"] > photo["width"] and max(photo["width"], photo["height"]) <= 2048
    stored = Image.open(io.BytesIO((await client.get(photo["url"])).content))
    assert stored.format == "JPEG" and stored.size == (photo["width"], photo["height"])
    assert not stored.getexif() and "exif" not in stored.info and "comment" not in stored.info
    for url in (photo["url"], photo["thumbnail_url"]):
        raw = (await client.get(url)).content
        assert b"Dupont" not in raw and b"\xff\xfe" not in raw.split(b"\xff\xda", 1)[0]  # no COM before the scan
    top = stored.getpixel((stored.width // 2, 5))
    left, right = stored.getpixel((5, stored.height // 2)), stored.getpixel((stored.width - 5, stored.height // 2))
    assert top[0] > 150 or top[2] > 150  # a colour band, not a rotated split
    assert (left[2] > 150 and right[0] > 150), "orientation 6 applied: blue on the left, red on the right"
    thumb = Image.open(io.BytesIO((await client.get(photo["thumbnail_url"])).content))
    assert max(thumb.size) == 480 and not thumb.getexif()
    assert (await client.get(photo["url"])).headers["cache-control"].startswith("public, max-age=31536000")
    mail = await Outbox.get(recipient="passant@example.org")
    assert f"/track/{body['tracking_token']}" in mail.payload["text"]
    tracked = (await client.get(f"/api/v1/track/{body['tracking_token']}")).json()
    assert tracked["ref"] == body["ref"] and [e["kind"] for e in tracked["events"]] == ["created"]


@pytest.mark.parametrize("maker", [photos.png, photos.webp, photos.heic])
async def test_png_webp_and_heic_are_accepted_and_reencoded(client, town, maker):
    await csrf(client)
    r = await client.post("/api/v1/requests", data=form(), files=[("photo", ("x.bin", maker(), "application/octet-stream"))])
    assert r.status_code == 201, r.text
    content = (await client.get(r.json()["photos"][0]["url"])).content
    assert content.startswith(b"\xff\xd8\xff")


async def test_a_signed_in_report_as_json_and_my_requests(client, town):
    citizen = await person(name="Léa Martin")
    await sign_in(client, citizen)
    r = await client.post("/api/v1/requests", json={"service": "eclairage", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                    "attributes": {"etat": "off", "numero": "E-12"}})
    assert r.status_code == 201, r.text
    assert "tracking_token" not in r.json() and r.json()["photo_location"] is None
    mine = (await client.get("/api/v1/me/requests")).json()
    assert [i["ref"] for i in mine["items"]] == [r.json()["ref"]] and mine["next_cursor"] is None
    assert await Message.filter(user=citizen).count() == 1


async def test_the_same_idempotency_key_never_makes_a_second_request(client, town):
    await csrf(client)
    headers = {"Idempotency-Key": "draft-7f3a"}
    first = await client.post("/api/v1/requests", data=form(), headers=headers,
                              files=[("photo", ("a.jpg", photos.jpeg(1200, 900), "image/jpeg"))])
    again = await client.post("/api/v1/requests", data=form(), headers=headers,
                              files=[("photo", ("a.jpg", photos.jpeg(1200, 900), "image/jpeg"))])
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["ref"] == first.json()["ref"] and again.json()["tracking_token"] == first.json()["tracking_token"]
    assert await ServiceRequest.all().count() == 1 and await Photo.all().count() == 1



async def test_an_idempotency_key_is_the_callers_own(client, new_client, town):
    """Audit point 2: a second client with no cookie sending the same key with `{}` got the first author's
    request and its tracking token."""
    await csrf(client)
    headers = {"Idempotency-Key": "shared-key-1"}
    first = await client.post("/api/v1/requests", data=form(), headers=headers)
    assert first.status_code == 201 and first.json()["tracking_token"]
    # Another client, without cookies, the same key and an empty body: refused for its own faults, no replay.
    stranger = new_client()
    r = await stranger.post("/api/v1/requests", json={}, headers=headers)
    assert r.status_code == 422 and first.json()["ref"] not in r.text and "tracking_token" not in r.text
    # Another browser with the same key and a whole report of its own: a request of its own.
    other = new_client()
    await csrf(other)
    r = await other.post("/api/v1/requests", data=form(description="Autre trou"), headers=headers)
    assert r.status_code == 201 and r.json()["ref"] != first.json()["ref"] and "idempotent-replayed" not in r.headers
    # A script without cookies replaying the very same content: the same request, but never the token.
    bare = new_client()
    r1 = await bare.post("/api/v1/requests", data=form(description="Par script"), headers={"Idempotency-Key": "k2"})
    r2 = await new_client().post("/api/v1/requests", data=form(description="Par script"), headers={"Idempotency-Key": "k2"})
    assert r1.status_code == r2.status_code == 201 and r2.headers["idempotent-replayed"] == "true"
    assert r2.json()["ref"] == r1.json()["ref"] and "tracking_token" in r1.json() and "tracking_token" not in r2.json()
    # The first browser reusing its key for other content: a conflict, nothing made.
    count = await ServiceRequest.all().count()
    r = await client.post("/api/v1/requests", data=form(description="Changé"), headers=headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "idempotency_key_reused"
    assert await ServiceRequest.all().count() == count


async def test_two_tabs_sending_one_queued_report_at_once_get_one_request(client, new_client, town):
    """Issue 21, point 13: the concurrent replay answered 500 ('QuerySet' object has no attribute 'code')."""
    import asyncio

    citizen = await sign_in(client, await person())
    tabs = [new_client() for _ in range(4)]
    for tab in tabs:
        tab.cookies = citizen.cookies
        tab.headers["X-CSRF-Token"] = citizen.headers["X-CSRF-Token"]
    headers = {"Idempotency-Key": "outbox-entry-42"}
    answers = await asyncio.gather(*(tab.post("/api/v1/requests", data=form(contact_email=None), headers=headers,
                                              files=[("photo", ("a.jpg", photos.jpeg(800, 600), "image/jpeg"))])
                                     for tab in tabs))
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    assert len({a.json()["ref"] for a in answers}) == 1
    assert all(a.json()["service"]["code"] == "voirie" and len(a.json()["photos"]) == 1 for a in answers)
    assert await ServiceRequest.all().count() == 1 and await Photo.all().count() == 1

BAD = [
    ("missing service", form(service=None), None, 422, "required", "service"),
    ("unknown service", form(service="ovni"), None, 404, "unknown_service", "service"),
    ("outside the area", form(lat=str(OUTSIDE[0]), lon=str(OUTSIDE[1])), None, 422, "outside_area", "lat"),
    ("lat not a number", form(lat="north"), None, 422, "invalid_type", "lat"),
    ("required attribute missing", form(attributes="{}"), None, 422, "required", "attributes.taille"),
    ("attribute of the wrong value", form(attributes='{"taille": "huge"}'), None, 422, "invalid_choice", "attributes.taille"),
    ("unknown attribute", form(attributes='{"taille": "small", "x": 1}'), None, 422, "unknown_field", "attributes.x"),
    ("attributes not JSON", form(attributes="{"), None, 422, "invalid_type", "attributes"),
    ("description too long", form(description="x" * 4001), None, 422, "too_long", "description"),
    ("no e-mail when anonymous", form(contact_email=None), None, 422, "required", "contact_email"),
    ("bad e-mail", form(contact_email="nope"), None, 422, "invalid_email", "contact_email"),
    ("unknown field", form(colour="red"), None, 422, "unknown_field", "colour"),
    ("truncated photo", form(), photos.truncated, 422, "image_unreadable", "photo"),
    ("decompression bomb", form(), photos.bomb, 413, "image_too_large", "photo"),
    ("JPEG+ZIP polyglot", form(), photos.zip_polyglot, 422, "image_polyglot", "photo"),
    ("JPEG+HTML polyglot", form(), photos.html_polyglot, 422, "image_polyglot", "photo"),
    ("empty file", form(), lambda: b"", 422, "image_unreadable", "photo"),
    ("text named .jpg", form(), lambda: photos.TEXT_AS_JPG, 415, "unsupported_media_type", "photo"),
    ("SVG", form(), lambda: photos.SVG, 415, "unsupported_media_type", "photo"),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
async def test_bad_reports_get_a_clear_error_and_change_nothing(client, town, settings, case):
    _, data, maker, status, code, field = case
    await csrf(client)
    files = [("photo", ("photo.jpg", maker(), "image/jpeg"))] if maker else None
    r = await client.post("/api/v1/requests", data=data, files=files)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["field"] == field
    assert await ServiceRequest.all().count() == 0 and await Outbox.all().count() == 0
    assert media_files(settings) == []


async def test_too_many_photos_and_oversized_bodies(client, town, settings, app):
    await csrf(client)
    small = photos.jpeg(320, 240, gps=None, orientation=1)
    r = await client.post("/api/v1/requests", data=form(),
                          files=[("photo", (f"{i}.jpg", small, "image/jpeg")) for i in range(settings.max_photos + 1)])
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_many_photos"
    import dataclasses
    app.state.settings = dataclasses.replace(settings, max_photo_bytes=10_000)
    r = await client.post("/api/v1/requests", data=form(), files=[("photo", ("a.jpg", photos.jpeg(1600, 1200), "image/jpeg"))])
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    r = await client.post("/api/v1/requests", content=b"x" * (settings.max_upload_bytes + 1),
                          headers={"content-type": "multipart/form-data; boundary=x"})
    assert r.status_code == 413
    assert await ServiceRequest.all().count() == 0 and media_files(settings) == []


async def test_a_failure_inside_the_transaction_leaves_no_row_and_no_file(client, town, settings, monkeypatch):
    from backend.requests import service

    async def broken_notify(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(service, "notify", broken_notify)
    await csrf(client)
    import httpx
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=client._transport.app, raise_app_exceptions=False),
                                 base_url="http://testserver", cookies=client.cookies, headers=client.headers) as c:
        r = await c.post("/api/v1/requests", data=form(), files=[("photo", ("a.jpg", photos.jpeg(800, 600), "image/jpeg"))])
    assert r.status_code == 500
    assert await ServiceRequest.all().count() == 0 and await Photo.all().count() == 0
    assert await Event.all().count() == 0 and media_files(settings) == []


async def test_a_category_of_another_municipality_is_refused(client, town):
    await csrf(client)
    r = await client.post("/api/v1/requests", data=form(lat=str(IN_CHESALLES[0]), lon=str(IN_CHESALLES[1])))
    assert r.status_code == 201 and r.json()["ref"].startswith("CHS-")
    assert r.json()["organisation"] == "chesalles"


async def test_ten_parallel_12_mp_uploads_do_not_stall_other_requests(client, town, settings, app, monkeypatch):
    """Image work runs in threads, at most IMAGE_WORKERS at once, and the event loop keeps answering meanwhile."""
    import asyncio
    import threading

    from backend.media import service as media

    real_prepare, loop_thread = media.prepare, threading.get_ident()
    running, seen = [0], {"max": 0, "threads": set()}
    lock = threading.Lock()

    def watched_prepare(data, **kwargs):  # the real pipeline, observed
        with lock:
            running[0] += 1
            seen["max"] = max(seen["max"], running[0])
            seen["threads"].add(threading.get_ident())
        try:
            return real_prepare(data, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(media, "prepare", watched_prepare)
    await csrf(client)
    photo = photos.jpeg()
    uploads = [asyncio.create_task(client.post("/api/v1/requests", data=form(),
                                               files=[("photo", ("p.jpg", photo, "image/jpeg"))]))
               for _ in range(10)]
    gate = app.state.image_gate

    async def workers_busy() -> None:
        while not gate.locked():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(workers_busy(), 60)  # times out if photos never run side by side
    answered = await client.get("/api/v1/services", params={"lat": IN_BRENLES[0], "lon": IN_BRENLES[1]})
    pending_when_answered = sum(not u.done() for u in uploads)
    results = await asyncio.gather(*uploads)
    assert answered.status_code == 200
    assert pending_when_answered > 0, "the catalogue answered only after every upload was done"
    assert all(r.status_code == 201 for r in results)
    assert seen["max"] == settings.image_workers
    assert loop_thread not in seen["threads"], "a photo was decoded on the event loop"


async def test_photos_are_bounded_per_caller_and_whole_decodes_by_pixels(client, new_client, town, settings, app):
    """Audit point 18: five 49.8 MP PNGs of 805 KB cost 7 s of CPU, with no limit on how often."""
    import dataclasses

    await csrf(client)
    big_png = photos.png(8160, 6120, mode="L")  # 49.9 MP of flat grey: a small file, a costly decode
    assert len(big_png) < 1_000_000
    r = await client.post("/api/v1/requests", data=form(), files=[("photo", ("p.png", big_png, "image/png"))])
    assert r.status_code == 413 and r.json()["error"]["code"] == "image_too_large" and "format" in r.json()["error"]["message"]
    assert await ServiceRequest.all().count() == 0
    # A JPEG of the same size is decoded at a fraction of it: still accepted up to MAX_PHOTO_MEGAPIXELS.
    r = await client.post("/api/v1/requests", data=form(), files=[("photo", ("j.jpg", photos.jpeg(8160, 6120), "image/jpeg"))])
    assert r.status_code == 201, r.text
    ref = r.json()["ref"]
    # The hourly budget of photos, per caller: here 3 (2 already counted, the refused PNG included).
    app.state.settings = dataclasses.replace(settings, photos_per_hour=3)
    small = photos.jpeg(400, 300)
    r = await client.post(f"/api/v1/requests/{ref}/photos", headers={"X-Tracking-Token": r.json()["tracking_token"]},
                          files=[("photo", ("a.jpg", small, "image/jpeg")), ("photo", ("b.jpg", small, "image/jpeg"))])
    assert r.status_code == 429 and r.headers["retry-after"], r.text
    assert (await Photo.all().count()) == 1
    other = new_client()
    await csrf(other)
    signed = await sign_in(other, await person())
    r = await signed.post("/api/v1/requests", data=form(contact_email=None), files=[("photo", ("a.jpg", small, "image/jpeg"))])
    assert r.status_code == 201  # another caller has a budget of its own
