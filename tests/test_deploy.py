"""Issue 20's production profile, run for real: deploy/nginx/guichet.conf in front of the app (TLS, HTTP/2,
static files and photos sent by nginx with their cache headers, the size limit in the API's error shape), and
deploy/backup's scripts (back up, drop the database and the photos, restore: everything is served again)."""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import asyncpg
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from backend.media.models import Photo
from tests import photos
from tests.conftest import IS_POSTGRES
from tests.factories import IN_BRENLES
from tests.test_server import free_port, output_of, start_server, stop_server

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "guichet.example.org"


def _certificate(folder: Path) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
            .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return str(folder / "cert.pem"), str(folder / "key.pem")


def _nginx_config(work: Path, *, app_port: int, https_port: int, http_port: int, media_root: str) -> Path:
    """The shipped site file with only its paths and ports replaced, in a main file of the test's own."""
    cert, key = _certificate(work)
    site = (ROOT / "deploy" / "nginx" / "guichet.conf").read_text()
    for old, new in {"server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
                     "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
                     "listen [::]:443 ssl http2;\n": "", "listen 80;": f"listen 127.0.0.1:{http_port};",
                     "listen [::]:80;\n": "",
                     f"/etc/letsencrypt/live/{HOST}/fullchain.pem": cert, f"/etc/letsencrypt/live/{HOST}/privkey.pem": key,
                     "/srv/guichet/app/pwa/static/": f"{ROOT}/pwa/static/",
                     "alias /srv/guichet/media/;": f"alias {media_root}/;"}.items():
        assert old in site, old
        site = site.replace(old, new)
    temp = "\n".join(f"  {kind}_temp_path {work}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = work / "nginx.conf"
    main.write_text(f"""{'user root;' if os.geteuid() == 0 else ''}
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 256; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log {work}/access.log;
  sendfile on;
{temp}
{site}
}}
""")
    return main


def _curl(*args: str, port: int) -> subprocess.CompletedProcess:
    return subprocess.run(["curl", "-sk", "--resolve", f"{HOST}:{port}:127.0.0.1", *args],
                          capture_output=True, timeout=60)


@pytest.fixture
async def behind_nginx(settings, town, tmp_path):
    """(https base, http base, app process, nginx work folder): the app with the production profile's settings."""
    work = tmp_path / "nginx"
    work.mkdir()
    base, app = await start_server(settings, env={"TRUSTED_PROXY": "1", "MEDIA_ACCEL_REDIRECT": "/protected-media/",
                                                  "BASE_URL": f"https://{HOST}", "CREATE_PER_HOUR_IP": "1000"})
    https_port, http_port = free_port(), free_port()
    config = _nginx_config(work, app_port=int(base.rsplit(":", 1)[1]), https_port=https_port, http_port=http_port,
                           media_root=str(Path(settings.media_root).resolve()))
    checked = subprocess.run([NGINX, "-t", "-c", str(config), "-p", str(work)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen([NGINX, "-c", str(config), "-p", str(work)], stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                httpx.get(f"https://127.0.0.1:{https_port}/healthz", verify=False, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", app, work
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        if app.poll() is None:
            stop_server(app)


async def test_nginx_serves_the_static_files_and_the_photos_and_limits_the_size(behind_nginx, settings):
    https, http, app, work = behind_nginx
    port = int(https.rsplit(":", 1)[1])
    async with httpx.AsyncClient(base_url=https, verify=False, headers={"Host": HOST}) as phone:
        # Plain HTTP is sent to HTTPS; HTTPS speaks HTTP/2 and the app sends HSTS.
        redirect = await phone.get(f"{http}/requests/new", headers={"Host": HOST})
        assert redirect.status_code == 301 and redirect.headers["location"] == f"https://{HOST}/requests/new"
        shell = _curl("--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", f"https://{HOST}:{port}/",
                      port=port)
        assert shell.stdout.decode() == "2 200", shell
        page = await phone.get("/")
        assert page.status_code == 200 and "max-age=63072000" in page.headers["strict-transport-security"]

        # The PWA's files come from nginx, with a year of cache, compressed.
        version = (await phone.get("/api/v1/config")).json()["version"]
        script = await phone.get(f"/static/{version}/js/app.js", headers={"Accept-Encoding": "gzip"})
        assert script.status_code == 200 and script.content == (ROOT / "pwa/static/js/app.js").read_bytes()
        assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert script.headers["content-encoding"] == "gzip" and "javascript" in script.headers["content-type"]

        # A report with its photo goes through; the photo is the app's decision and nginx's file.
        phone.headers["X-CSRF-Token"] = (await phone.get("/api/v1/session")).json()["csrf_token"]
        picture = photos.jpeg(1600, 1200)
        r = await phone.post("/api/v1/requests", data={
            "service": "proprete", "lat": str(IN_BRENLES[0]), "lon": str(IN_BRENLES[1]),
            "contact_email": "nginx@example.org"}, files=[("photo", ("p.jpg", picture, "image/jpeg"))])
        assert r.status_code == 201, r.text
        url = r.json()["photos"][0]["url"]
        shown = await phone.get(url)
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
        assert shown.content == (Path(settings.media_root) / url.removeprefix("/media/")).read_bytes()
        assert hashlib.sha256(shown.content).hexdigest() in url
        assert shown.headers["cache-control"] == "public, max-age=31536000, immutable"
        await Photo.filter(path=url.removeprefix("/media/")).update(hidden=True)
        assert (await phone.get(url)).status_code == 404  # moderated: the app says no, nginx sends nothing
        assert (await phone.get("/protected-media/" + url.removeprefix("/media/"))).status_code == 404  # internal

    # Too large: refused by nginx before it reaches the app, in the API's error shape.
    big = work / "big.bin"
    big.write_bytes(b"\0" * (41 * 1024 * 1024))
    refused = _curl("-o", "-", "-w", "\n%{http_code}", "-H", "Content-Type: multipart/form-data; boundary=x",
                    "--data-binary", f"@{big}", f"https://{HOST}:{port}/api/v1/requests", port=port)
    body, _, status = refused.stdout.decode().rpartition("\n")
    assert status == "413" and '"code":"payload_too_large"' in body, refused
    assert (await asyncio.to_thread(httpx.get, f"{https}/readyz", verify=False)).json()["media"] is True

    log = stop_server(app)
    assert f"/static/{version}/js/app.js" not in log  # nginx sent it alone
    assert f"GET {url} HTTP/1.1\" 200" in log  # the app answered the photo's access check


@pytest.mark.skipif(not IS_POSTGRES, reason="pg_dump and pg_restore: the PostgreSQL run of `make test`")
async def test_a_backup_restored_into_a_dropped_database_serves_every_request_and_photo(settings, tmp_path):
    where = urlparse(settings.database_url)
    name = f"guichet_restore_{os.getpid()}"
    own = urlunparse(where._replace(path=f"/{name}"))
    admin = urlunparse(where._replace(scheme="postgresql"))

    async def sql(statement: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    media = tmp_path / "media"
    env = {**os.environ, "DATABASE_URL": own, "MEDIA_ROOT": str(media), "DATA_DIR": settings.data_dir,
           "SECRET_KEY": settings.secret_key, "BACKUP_DIR": str(tmp_path / "backups")}
    await sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await sql(f'CREATE DATABASE "{name}"')
    try:
        for command in (["migrate"], ["seed-demo"]):
            done = subprocess.run([sys.executable, "-m", "backend", *command], env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        server = {"DATABASE_URL": own, "MEDIA_ROOT": str(media), "CREATE_PER_HOUR_IP": "1000"}
        base, app = await start_server(settings, env=server)
        sent = {}
        async with httpx.AsyncClient(base_url=base) as phone:
            phone.headers["X-CSRF-Token"] = (await phone.get("/api/v1/session")).json()["csrf_token"]
            for width in (640, 800, 1024):
                r = await phone.post("/api/v1/requests", data={
                    "service": "proprete", "lat": str(IN_BRENLES[0]), "lon": str(IN_BRENLES[1]),
                    "contact_email": "sauvegarde@example.org", "description": f"Photo de {width}"},
                    files=[("photo", ("p.jpg", photos.jpeg(width, 600), "image/jpeg"))])
                assert r.status_code == 201, r.text
                sent[r.json()["ref"]] = (r.json()["photos"][0]["url"], (await phone.get(r.json()["photos"][0]["url"])).content)
            listed = [i["ref"] for i in (await phone.get("/api/v1/requests", params={"limit": 500})).json()["items"]]
            assert set(sent) <= set(listed) and len(listed) > len(sent)  # the demo town's and ours
        stop_server(app)

        backup = subprocess.run([str(ROOT / "deploy/backup/guichet-backup")], env=env, capture_output=True, text=True)
        assert backup.returncode == 0, backup.stderr
        dump = Path(backup.stdout.strip())
        [tar] = (tmp_path / "backups").glob("media-*.tar")
        assert dump.is_file() and dump.stat().st_size > 0

        await sql(f'DROP DATABASE "{name}" WITH (FORCE)')  # the disaster
        shutil.rmtree(media)
        await sql(f'CREATE DATABASE "{name}"')
        restore = subprocess.run([str(ROOT / "deploy/backup/guichet-restore"), str(dump), str(tar)], env=env,
                                 capture_output=True, text=True)
        assert restore.returncode == 0, restore.stderr

        base, app = await start_server(settings, env=server)
        try:
            async with httpx.AsyncClient(base_url=base) as phone:
                assert (await phone.get("/readyz")).status_code == 200
                again_listed = (await phone.get("/api/v1/requests", params={"limit": 500})).json()["items"]
                assert [i["ref"] for i in again_listed] == listed
                for ref, (url, content) in sent.items():
                    shown = await phone.get(f"/api/v1/requests/{ref}")
                    assert shown.status_code == 200 and shown.json()["photos"][0]["url"] == url
                    again = await phone.get(url)
                    assert again.status_code == 200 and again.content == content
        finally:
            output = stop_server(app)
        assert "Traceback" not in output
    finally:
        await sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
