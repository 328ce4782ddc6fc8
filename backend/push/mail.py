"""E-mail delivery: SMTP in production, .eml files in the data folder in development."""
from __future__ import annotations

import asyncio
import logging
import os
import re
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlparse

from backend.config import Settings

log = logging.getLogger("guichet.mail")


def build_message(settings: Settings, payload: dict) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = payload["to"]
    msg["Subject"] = payload["subject"]
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="guichet.local")
    msg.set_content(payload["text"])
    if payload.get("html"):
        msg.add_alternative(payload["html"], subtype="html")
    return msg


def _send_smtp(settings: Settings, msg: EmailMessage) -> None:
    url = urlparse(settings.smtp_url)
    port = url.port or (465 if url.scheme == "smtps" else 25)
    cls = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with cls(url.hostname or "127.0.0.1", port, timeout=20) as smtp:
        if url.scheme == "smtp" and "starttls=1" in (url.query or ""):
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(msg)


def _write_eml(settings: Settings, msg: EmailMessage, row_id: int) -> Path:
    folder = Path(settings.data_dir) / "outbox-mail"
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", str(msg["Subject"]).lower())[:40].strip("-")
    path = folder / f"{row_id:06d}-{slug}.eml"
    # Mails carry sign-in and reset links: readable by the owner of the data folder alone.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(bytes(msg))
    return path


async def deliver_email(settings: Settings, row_id: int, payload: dict) -> None:
    """Sends one queued e-mail; raises on failure so the worker retries it."""
    msg = build_message(settings, payload)
    if settings.smtp_url:
        await asyncio.to_thread(_send_smtp, settings, msg)
    else:
        path = await asyncio.to_thread(_write_eml, settings, msg, row_id)
        path = path.resolve()
        log.warning("e-mail to %s written to %s", payload["to"], path)
        print(f"  e-mail to {payload['to']}: {path}", flush=True)
