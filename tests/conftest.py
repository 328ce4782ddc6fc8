"""Fixtures: a fresh, migrated database per test on SQLite or PostgreSQL, the app, HTTP clients."""
from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import asyncpg
import httpx
import pytest

from backend import db
from backend.app import create_app
from backend.config import Settings

# "sqlite" (default) or a PostgreSQL URL: the suite then runs in a database of its own on that server.
TARGET = os.environ.get("GUICHET_TEST_DB", "sqlite")
IS_POSTGRES = TARGET.startswith(("postgres://", "postgresql://"))


def pytest_report_header(config: pytest.Config) -> str:
    where = urlparse(TARGET)
    return f"database back end: {'postgresql on ' + str(where.hostname) + ':' + str(where.port or 5432) if IS_POSTGRES else 'sqlite'}"


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/" + name))


async def admin(sql: str) -> None:
    """One statement on the PostgreSQL server of GUICHET_TEST_DB (CREATE or DROP DATABASE)."""
    conn = await asyncpg.connect(TARGET)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory):
    """Migrates once: a template SQLite file copied per test, or a PostgreSQL database truncated per test."""
    if not IS_POSTGRES:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        asyncio.run(db.migrate(Settings(database_url=f"sqlite://{path}", secret_key="x", vapid_private_key="x")))
        yield str(path)
        return
    name = f"guichet_test_{uuid.uuid4().hex[:10]}"

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = _with_database(TARGET, name)
    try:
        asyncio.run(db.migrate(Settings(database_url=url, secret_key="x", vapid_private_key="x")))
        yield url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations'")
        if tables:
            names = ", ".join(f'"{t["tablename"]}"' for t in tables)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


@pytest.fixture
async def settings(database_template: str, tmp_path: Path) -> Settings:
    if IS_POSTGRES:
        await _truncate(database_template)
        url = database_template
    else:
        target = tmp_path / "db.sqlite3"
        shutil.copyfile(database_template, target)
        url = f"sqlite://{target}"
    return Settings.load(env={}, data_dir=str(tmp_path / "data"), media_root=str(tmp_path / "media"),
                         database_url=url, worker_in_process=False, base_url="http://testserver",
                         mail_coalesce_seconds=0)  # each e-mail at once; test_outbox_mail sets the window it tests


@pytest.fixture
async def app(settings: Settings):
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def new_client(app):
    """Makes more clients (one per person in a scenario); all closed at the end."""
    made: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        made.append(c)
        return c

    yield make
    for c in made:
        await c.aclose()


@pytest.fixture
async def town(app):
    from tests import factories

    return await factories.town()
