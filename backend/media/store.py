"""Where photos are kept: a folder (MEDIA_ROOT=/srv/guichet/media) or an S3-compatible bucket
(MEDIA_ROOT=s3://bucket/prefix), behind the same few calls. Names are the same in both: YYYY/MM/<sha256>.jpg.

The calls are blocking (files, HTTP to the bucket): callers run them in a thread.

Staging: in a folder, a photo is written under a temporary name and renamed once the database has its row
(`commit`), or removed (`discard`). In a bucket the object goes at once under its final name: the name is the
hash of the content, so a second upload of the same picture writes the very same bytes, and removing it on a
failed transaction could take a picture another request holds; an object left so by a failed transaction has
no row and is never served (the media route answers only for photos that have one).
"""
from __future__ import annotations

import functools
import logging
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

CHUNK = 256 * 1024
log = logging.getLogger("guichet.media")


@dataclass
class Stored:
    """What the media route needs to answer with a stored file: a path on disk, or the object's chunks."""

    path: Path | None = None
    chunks: Iterator[bytes] | None = None
    size: int = 0
    etag: str = ""


def write_temporary(final: Path, content: bytes, *, folder_mode: int = 0o777) -> Path:
    """Writes `content` beside `final` under a temporary name, flushed to disk, and returns that name: renamed
    to `final` once the database has its row, removed otherwise. Unique per writer: the same file may arrive
    twice at once (a resend, a shared picture)."""
    final.parent.mkdir(mode=folder_mode, parents=True, exist_ok=True)
    temp = final.with_name(f".{final.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    with open(temp, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    return temp


class LocalStore:
    def __init__(self, root: str) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def stage(self, rel: str, content: bytes) -> Any:
        final = self.root / rel
        return write_temporary(final, content), final

    def commit(self, staged: Any) -> None:
        temp, final = staged
        os.replace(temp, final)

    def discard(self, staged: Any) -> None:
        temp, _ = staged
        temp.unlink(missing_ok=True)

    def read(self, rel: str) -> bytes | None:
        try:
            return (self.root / rel).read_bytes()
        except FileNotFoundError:
            return None

    def open(self, rel: str) -> Stored | None:
        path = self.root / rel
        return Stored(path=path) if path.is_file() else None

    def delete(self, rel: str) -> None:
        try:
            (self.root / rel).unlink(missing_ok=True)
        except OSError as exc:  # the row is gone; a file left behind is never served
            log.warning("could not remove %s: %r", rel, exc)

    def ok(self) -> bool:
        """The folder exists and a file can be written in it."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".ready-"):
                pass
            return os.access(self.root, os.R_OK | os.W_OK)
        except OSError:
            return False


class S3Store:
    """A bucket of an S3-compatible service through boto3; the endpoint (MEDIA_S3_ENDPOINT, empty for AWS) and
    region come from the settings, the credentials from boto3's usual places (AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, or the host's role)."""

    def __init__(self, url: str, *, endpoint: str = "", region: str = "") -> None:
        import boto3
        from botocore.config import Config

        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        self.bucket, self.prefix = bucket, prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = boto3.client("s3", endpoint_url=endpoint or None, region_name=region or None,
                                   config=Config(retries={"max_attempts": 3, "mode": "standard"},
                                                 connect_timeout=5, read_timeout=30))
        self.missing = self.client.exceptions.NoSuchKey

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def _key(self, rel: str) -> str:
        return self.prefix + rel

    def stage(self, rel: str, content: bytes) -> Any:
        self.client.put_object(Bucket=self.bucket, Key=self._key(rel), Body=content, ContentType="image/jpeg")
        return rel

    def commit(self, staged: Any) -> None:
        pass  # already under its final, content-derived name

    def discard(self, staged: Any) -> None:
        pass  # see the module's note: the same name may be another request's picture

    def read(self, rel: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(rel))["Body"].read()
        except self.missing:
            return None

    def open(self, rel: str) -> Stored | None:
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self._key(rel))
        except self.missing:
            return None
        return Stored(chunks=got["Body"].iter_chunks(CHUNK), size=got["ContentLength"], etag=got.get("ETag", ""))

    def delete(self, rel: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(rel))
        except (BotoCoreError, ClientError) as exc:  # the row is gone; an object left behind is never served
            log.warning("could not remove %s: %r", rel, exc)

    def ok(self) -> bool:
        """The bucket answers and takes a write."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(".ready"), Body=b"")
            return True
        except (BotoCoreError, ClientError):
            return False


Store = LocalStore | S3Store


@functools.lru_cache(maxsize=8)
def _store(root: str, endpoint: str, region: str) -> Store:
    if root.startswith("s3://"):
        return S3Store(root, endpoint=endpoint, region=region)
    return LocalStore(root)


def store_of(settings: Any) -> Store:
    """The store of these settings (one client per process, reused: it holds the connection pool)."""
    return _store(settings.media_root, settings.media_s3_endpoint, settings.media_s3_region)
