"""Tortoise set-up: the one app of models, connection settings per back end, and migrations."""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

import asyncpg
from tortoise import Tortoise, connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate as run_migrations

from backend.config import Settings

MODEL_MODULES = [
    "backend.accounts.models",
    "backend.ratelimit.models",
    "backend.audit.models",
    "backend.requests.models",
    "backend.media.models",
    "backend.push.models",
    "backend.lostfound.models",
    "backend.open311.models",
    "backend.privacy.models",
    "backend.appointments.models",
]
MIGRATIONS_MODULE = "backend.migrations"


async def keep_session(connection: Any) -> None:
    """What asyncpg's pool does to a connection given back, besides rolling back an open transaction (which it
    always does): nothing. Its default, `RESET ALL; UNLISTEN *; CLOSE ALL; pg_advisory_unlock_all()`, is a
    second round trip after every query, and nothing here leaves session state on a pooled connection: no SET
    outside a transaction, no advisory lock, no cursor held, and LISTEN has a connection of its own."""


def tortoise_config(database_url: str, plan_cache_mode: str = Settings.postgres_plan_cache_mode) -> dict[str, Any]:
    """The Tortoise config for one database URL; SQLite gets WAL, synchronous=FULL and foreign keys.

    PostgreSQL gets generic plans for its prepared statements (asyncpg prepares every query): on its own it
    plans the public map's query again at each call, with the box's values, and that planning (1.1 ms a
    call) cost twice the query (0.46 ms). The hot queries go through indexes whatever the values."""
    url = urlparse(database_url)
    if url.scheme == "sqlite":
        connection: Any = {
            "engine": "backend.sqlite_engine",
            "credentials": {
                "file_path": database_url.split("://", 1)[1].split("?", 1)[0],
                "journal_mode": "WAL",
                "synchronous": "FULL",
                "foreign_keys": "ON",
                "busy_timeout": 10000,
            },
        }
    elif url.scheme in {"postgres", "postgresql", "asyncpg"}:
        connection = {
            "engine": "backend.postgres_engine",
            "credentials": {
                "host": url.hostname or "127.0.0.1",
                "port": url.port or 5432,
                "user": url.username or "postgres",
                "password": url.password or "",
                "database": url.path.lstrip("/") or "postgres",
                "minsize": 1,
                "maxsize": 10,
                "reset": keep_session,
                "server_settings": {"plan_cache_mode": plan_cache_mode},
            },
        }
    else:
        raise ValueError(f"DATABASE_URL must be sqlite:// or postgres://, got {url.scheme!r}")
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def config_of(settings: Settings) -> dict[str, Any]:
    return tortoise_config(settings.database_url, settings.postgres_plan_cache_mode)


def __getattr__(name: str) -> Any:
    # The `tortoise` command line reads backend.db.TORTOISE_ORM (pyproject.toml); computed on demand
    # so that importing this module neither reads the environment nor touches the data folder.
    if name == "TORTOISE_ORM":
        return config_of(Settings.load())
    raise AttributeError(name)


async def init_db(settings: Settings) -> TortoiseContext:
    """Opens the connections; the global fallback lets every task of the server use them."""
    quiet_outages()
    return await Tortoise.init(config=config_of(settings), _enable_global_fallback=True)


async def close_db(ctx: TortoiseContext) -> None:
    """Closes the connections and releases the global fallback (so a later init may take it)."""
    await ctx.close_connections()


async def migrate(settings: Settings, *, progress: Any = None) -> None:
    """Applies every committed migration that the database lacks."""
    try:
        await run_migrations(config=config_of(settings), progress=progress)
    finally:
        await connections.close_all()


# What the driver raises when the server cannot be reached or went away: refused, reset, closed in the middle of a
# query, shutting down or starting up, out of connection slots. InternalClientError ("another operation is in
# progress") is what a pooled connection gives when the server ended its session (`pg_ctl stop -m fast`, a
# failover) and the next query came before the connection saw itself closed.
OUTAGES: tuple[type[BaseException], ...] = (
    ConnectionError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError, asyncpg.OperatorInterventionError, asyncpg.TooManyConnectionsError,
    asyncpg.ConnectionFailureError, asyncpg.InternalClientError)


def is_outage(exc: BaseException | None) -> bool:
    """Whether this error (or one it was raised from, as the ORM wraps some) says the database is out of reach,
    rather than that a query was wrong."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OUTAGES):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class OutageInOneLine(logging.Filter):
    """asyncpg's pool writes a full trace each time it fails to reconnect while the server is away (every few
    seconds): one line says as much, and keeps real traces easy to find."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and is_outage(record.exc_info[1]):
            record.msg = f"{record.getMessage()} ({record.exc_info[1]!r})"
            record.args, record.exc_info, record.exc_text = (), None, None
        return True


def quiet_outages() -> None:
    logger = logging.getLogger("asyncpg.pool")
    if not any(isinstance(f, OutageInOneLine) for f in logger.filters):
        logger.addFilter(OutageInOneLine())


def dialect() -> str:
    """`sqlite` or `postgres`: the few places that need native SQL ask this."""
    return connections.get("default").capabilities.dialect
