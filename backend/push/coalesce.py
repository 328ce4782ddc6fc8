"""One e-mail for the updates of one request that come close together.

An agent who starts a job moves it to "acknowledged" then "in progress", or answers twice in a minute: the person
should get one e-mail, not two in the same second. A notification e-mail waits `MAIL_COALESCE_SECONDS` before it
is sent; an update of the same request (its `topic`) for the same address within that time goes into the waiting
e-mail (newest first) instead of a new one. The merge is one conditional UPDATE: a row the worker has already
claimed (its `attempts` moved) is left alone and the update gets an e-mail of its own, so nothing is lost.
Push messages are not held: a newer one replaces the older on the phone (same tag) anyway.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from backend.push.models import Outbox, OutboxChannel, OutboxStatus

_SETTINGS = {"seconds": 60}


def configure(*, seconds: int) -> None:
    _SETTINGS["seconds"] = max(0, int(seconds))


def email_row(*, recipient: str, user: Any, topic: str, subject: str, text: str, url: str, label: str,
              now: datetime, html_of: Any) -> Outbox:
    """A notification e-mail, due once the coalescing window is over; `parts` keeps each update's text."""
    return Outbox(channel=OutboxChannel.EMAIL, recipient=recipient, user=user, topic=topic,
                  payload={"to": recipient, "subject": subject, "text": f"{text}\n\n{url}",
                           "html": html_of(text, url, label), "parts": [text], "url": url, "label": label},
                  next_attempt_at=now + timedelta(seconds=_SETTINGS["seconds"]), created_at=now)


async def merge_into_waiting(rows: list[Outbox], *, now: datetime, html_of: Any, using_db: Any = None) -> list[Outbox]:
    """The rows still to insert: each e-mail whose person already has one waiting about the same request is
    folded into it (its text first, then the earlier ones)."""
    fresh = [r for r in rows if r.channel == OutboxChannel.EMAIL and r.topic and "parts" in r.payload]
    if not fresh or _SETTINGS["seconds"] == 0:
        return rows
    waiting = await Outbox.filter(
        channel=OutboxChannel.EMAIL, status=OutboxStatus.PENDING, attempts=0, next_attempt_at__gt=now,
        topic__in=sorted({r.topic for r in fresh}), recipient__in=sorted({r.recipient for r in fresh}),
    ).using_db(using_db).order_by("-id")
    by_key: dict[tuple[str, str], Outbox] = {}
    for w in waiting:
        if "parts" in w.payload:
            by_key.setdefault((w.recipient, w.topic), w)
    keep = []
    for row in rows:
        earlier = by_key.get((row.recipient, row.topic)) if row in fresh else None
        if earlier is None:
            keep.append(row)
            continue
        parts = row.payload["parts"] + earlier.payload["parts"]
        text, url, label = "\n\n".join(parts), row.payload["url"], row.payload["label"]
        merged = {**row.payload, "parts": parts, "text": f"{text}\n\n{url}", "html": html_of(text, url, label)}
        done = await Outbox.filter(id=earlier.id, status=OutboxStatus.PENDING, attempts=0).using_db(using_db) \
            .update(payload=merged)
        if done:
            earlier.payload = merged
        else:  # claimed by a worker meanwhile: this update goes as an e-mail of its own
            keep.append(row)
    return keep
