"""python -m backend serve | migrate | seed-demo | create-admin | worker | purge."""
from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys

from backend import db
from backend.config import Settings
from backend.errors import Conflict, GuichetError


async def _migrate(settings: Settings) -> None:
    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            print(f"  applied {app_label}.{name}")

    await db.migrate(settings, progress=progress)
    print("database is up to date")


async def _seed_demo(settings: Settings) -> None:
    from backend import demo

    ctx = await db.init_db(settings)
    try:
        await demo.seed(settings)
    finally:
        await db.close_db(ctx)


async def _create_admin(settings: Settings, email: str, name: str, password: str) -> None:
    from backend.accounts import service as accounts
    from backend.accounts.models import Organisation, Role, User
    from backend.accounts.passwords import check_policy

    check_policy(password, min_length=settings.password_min_length, email=email, name=name)
    ctx = await db.init_db(settings)
    try:
        root = await Organisation.filter(parent=None).order_by("id").first()
        if root is None:
            sys.exit("Create the organisation tree first (python -m backend seed-demo creates a demo one).")
        if await User.exists(email=email.lower()):
            raise Conflict(f"An account already uses {email.lower()}.")
        user = await accounts.create_user(email=email.lower(), name=name, password=password)
        await accounts.grant_role(user=user, organisation_id=root.id, role=Role.ADMIN)
        print(f"administrator {user.email} created for {root.name_fr}")
    finally:
        await db.close_db(ctx)


async def _purge(settings: Settings) -> None:
    from backend.privacy import retention

    ctx = await db.init_db(settings)
    try:
        counts = await retention.purge(settings)
        print("removed past their retention period: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    finally:
        await db.close_db(ctx)


async def _worker(settings: Settings) -> None:
    from backend.push import worker

    ctx = await db.init_db(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print("outbox worker running; Ctrl-C to stop", flush=True)
    try:
        await worker.supervise(settings, stop)
    finally:
        await db.close_db(ctx)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m backend", description="Guichet")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the app with uvicorn")
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("migrate", help="apply the committed migrations")
    sub.add_parser("seed-demo", help="create the demo town of Brenles (idempotent) and print the logins")
    admin = sub.add_parser("create-admin", help="create the first administrator")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True)
    sub.add_parser("worker", help="deliver the outbox (push, e-mail)")
    sub.add_parser("purge", help="remove now what is past its retention period (the worker does it every 6 hours)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.load()
    except ValueError as exc:  # a setting given wrong: said plainly, before anything starts
        sys.exit(f"guichet: {exc}")
    if args.command == "serve":
        import uvicorn

        print(f"Guichet on {settings.base_url}  (Ctrl-C to stop)", flush=True)
        uvicorn.run("backend.app:create_app", factory=True, host=settings.host, port=settings.port,
                    workers=args.workers, proxy_headers=settings.trusted_proxy,
                    timeout_graceful_shutdown=5)  # live streams never end by themselves
    elif args.command == "migrate":
        asyncio.run(_migrate(settings))
    elif args.command == "seed-demo":
        asyncio.run(_seed_demo(settings))
    elif args.command == "create-admin":
        password = getpass.getpass("password: ")
        try:
            asyncio.run(_create_admin(settings, args.email, args.name, password))
        except GuichetError as exc:
            sys.exit(f"create-admin: {exc.message}")
    elif args.command == "worker":
        asyncio.run(_worker(settings))
    elif args.command == "purge":
        asyncio.run(_purge(settings))
