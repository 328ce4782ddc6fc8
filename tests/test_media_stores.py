"""Issue 20: photos in an S3-compatible bucket (a real S3 server on loopback: moto's, over HTTP), with the same
content-hash names and cache headers as in a folder; and, in a folder behind nginx, X-Accel-Redirect."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import secrets
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import boto3
import httpx
import pytest

from backend.media import service as media
from backend.media.models import Photo
from backend.privacy import service as privacy
from tests import photos
from tests.factories import IN_BRENLES, csrf, person, sign_in
from tests.test_server import free_port

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "guichet-test", "AWS_SECRET_ACCESS_KEY": "guichet-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the S3 server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _bucket_client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])


@pytest.fixture
def bucket(s3_endpoint) -> str:
    name = f"guichet-{secrets.token_hex(4)}"
    _bucket_client(s3_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
async def settings(settings, s3_endpoint, bucket, monkeypatch):
    """The usual test settings, with MEDIA_ROOT in the bucket."""
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    return dataclasses.replace(settings, media_root=f"s3://{bucket}/photos", media_s3_endpoint=s3_endpoint,
                               media_s3_region="us-east-1")


def _objects(endpoint: str, bucket: str) -> dict[str, bytes]:
    s3 = _bucket_client(endpoint)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []) if not o["Key"].endswith(".ready")]
    return {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}


async def _report(client, picture: bytes) -> dict:
    await csrf(client)
    r = await client.post("/api/v1/requests", data={
        "service": "proprete", "lat": str(IN_BRENLES[0]), "lon": str(IN_BRENLES[1]), "description": "Sacs",
        "contact_email": "photo@example.org"}, files=[("photo", ("p.jpg", picture, "image/jpeg"))])
    assert r.status_code == 201, r.text
    return r.json()


async def test_photos_go_to_the_bucket_under_their_content_hash_and_are_served_as_from_a_folder(
        client, town, settings, s3_endpoint, bucket, tmp_path):
    report = await _report(client, photos.jpeg())
    [photo] = report["photos"]
    stored = _objects(s3_endpoint, bucket)
    path, thumb = photo["url"].removeprefix("/media/"), photo["thumbnail_url"].removeprefix("/media/")
    assert set(stored) == {f"photos/{path}", f"photos/{thumb}"}
    # The same names as in a folder: YYYY/MM/<sha-256 of the display copy>.jpg, and its thumbnail beside it.
    digest = hashlib.sha256(stored[f"photos/{path}"]).hexdigest()
    assert re.fullmatch(rf"\d{{4}}/\d{{2}}/{digest}\.jpg", path) and thumb == path.replace(".jpg", "_t.jpg")
    assert not (tmp_path / "media").exists()  # nothing went to the local folder
    r = await client.get(photo["url"])
    assert r.status_code == 200 and r.content == stored[f"photos/{path}"]
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["content-type"] == "image/jpeg" and int(r.headers["content-length"]) == len(r.content)
    assert (await client.get(photo["thumbnail_url"])).content == stored[f"photos/{thumb}"]
    # The same picture sent again is the same object, not a second one.
    again = await _report(client, photos.jpeg())
    assert again["photos"][0]["url"] == photo["url"] and len(_objects(s3_endpoint, bucket)) == 2
    assert (await client.get("/readyz")).json()["media"] is True


async def test_a_hidden_photo_in_the_bucket_is_its_authors_only_and_never_cached(client, new_client, town, settings):
    citizen = await sign_in(new_client(), await person(email="auteur@example.org"))
    report = await _report(citizen, photos.jpeg(800, 600))
    url = report["photos"][0]["url"]
    await Photo.filter(path=url.removeprefix("/media/")).update(hidden=True)
    mine = await citizen.get(url)
    assert mine.status_code == 200 and mine.headers["cache-control"] == "private, no-store"
    assert (await client.get(url)).status_code == 404  # a passer-by
    assert (await client.get("/media/2026/01/" + "0" * 64 + ".jpg")).status_code == 404  # no such photo


async def test_an_export_takes_the_photos_from_the_bucket_and_removal_spares_a_shared_picture(
        new_client, town, settings, s3_endpoint, bucket):
    user = await person(email="export@example.org")
    citizen = await sign_in(new_client(), user)
    own = (await _report(citizen, photos.jpeg(640, 480)))["photos"][0]["url"].removeprefix("/media/")
    shared = (await _report(citizen, photos.jpeg(800, 600)))["photos"][0]["url"].removeprefix("/media/")
    await _report(new_client(), photos.jpeg(800, 600))  # someone else sends the same picture
    archive = zipfile.ZipFile(io.BytesIO(await privacy.archive(user, settings)))
    in_zip = {name.rsplit("/", 1)[1]: archive.read(name) for name in archive.namelist() if name.startswith("photos/")}
    assert in_zip[Path(own).name] == _objects(s3_endpoint, bucket)[f"photos/{own}"]
    # Their rows gone (as a purge or an erasure leaves them), the own picture goes and the shared one stays.
    mine = await Photo.filter(uploaded_by_id=user.id)
    await Photo.filter(uploaded_by_id=user.id).delete()
    removed = await media.forget_files(settings, [n for p in mine for n in (p.path, p.thumbnail_path)])
    left = _objects(s3_endpoint, bucket)
    assert removed == 2 and f"photos/{own}" not in left and f"photos/{shared}" in left


async def test_readiness_says_so_when_the_bucket_is_gone(client, settings, s3_endpoint, bucket):
    assert (await client.get("/readyz")).status_code == 200
    s3 = _bucket_client(s3_endpoint)
    for key in _objects(s3_endpoint, bucket) | {"photos/.ready": b""}:
        s3.delete_object(Bucket=bucket, Key=key)
    s3.delete_bucket(Bucket=bucket)
    r = await client.get("/readyz")
    assert r.status_code == 503 and r.json()["media"] is False and r.json()["database"] is True


async def test_behind_nginx_the_app_checks_and_the_proxy_sends_the_file(app, client, new_client, town, settings,
                                                                        tmp_path):
    """MEDIA_ACCEL_REDIRECT with a folder: the answer names the file for nginx's internal location, with the
    cache header nginx passes on; a photo the viewer may not see is still a 404 from the app."""
    app.state.settings = dataclasses.replace(settings, media_root=str(tmp_path / "media"),
                                             media_accel_redirect="/protected-media/")
    report = await _report(client, photos.jpeg(640, 480))
    url = report["photos"][0]["url"]
    assert (tmp_path / "media" / url.removeprefix("/media/")).is_file()
    r = await client.get(url)
    assert r.status_code == 200 and r.content == b""
    assert r.headers["x-accel-redirect"] == "/protected-media/" + url.removeprefix("/media/")
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    await Photo.filter(path=url.removeprefix("/media/")).update(hidden=True)
    hidden = await client.get(url)
    assert hidden.status_code == 404 and "x-accel-redirect" not in hidden.headers
