"""Queues deliveries in the outbox; they are written in the caller's transaction and sent by the worker."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from backend.push.models import Message, Outbox, OutboxChannel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


async def queue_email(*, to: str, subject: str, text: str, html: str = "", user: Any = None,
                      using_db: Any = None) -> Outbox:
    """Queues one e-mail; `using_db` joins the caller's transaction so both commit or neither."""
    now = utcnow()
    return await Outbox.create(
        channel=OutboxChannel.EMAIL, recipient=to, user=user, next_attempt_at=now, created_at=now,
        payload={"to": to, "subject": subject, "text": text, "html": html}, using_db=using_db,
    )


async def queue_inbox(*, user: Any, subject: str, body: str, request: Any = None, using_db: Any = None) -> Message:
    """Writes a message into the citizen's inbox."""
    return await Message.create(user=user, request=request, subject=subject, body=body, created_at=utcnow(),
                                using_db=using_db)


async def unread_count(*, user_id: int) -> int:
    return await Message.filter(user_id=user_id, read_at=None).count()


async def notify(*, subject: str, text: str, url: str, topic: str, users: list[Any], anonymous_email: str = "",
                 request: Any = None, using_db: Any = None) -> None:
    """One update for the followers of a request: inbox message, e-mail and push rows, in the caller's transaction.

    Signed-in followers get an inbox message, an e-mail and a push per subscribed device; an anonymous
    author gets the e-mail with their tracking link.
    """
    from backend.push.models import PushSubscription

    now = utcnow()
    rows: list[Outbox] = []
    body = f"{text}\n\n{url}"
    for user in users:
        await Message.create(user=user, request=request, subject=subject, body=text, created_at=now, using_db=using_db)
        rows.append(Outbox(channel=OutboxChannel.EMAIL, recipient=user.email, user=user, topic=topic,
                           payload={"to": user.email, "subject": subject, "text": body, "html": ""},
                           next_attempt_at=now, created_at=now))
    if anonymous_email:
        rows.append(Outbox(channel=OutboxChannel.EMAIL, recipient=anonymous_email, topic=topic,
                           payload={"to": anonymous_email, "subject": subject, "text": body, "html": ""},
                           next_attempt_at=now, created_at=now))
    user_ids = [u.id for u in users]
    subs = await PushSubscription.filter(user_id__in=user_ids).using_db(using_db) if user_ids else []
    if request is not None:
        subs += await PushSubscription.filter(request_id=request.id, user_id=None).using_db(using_db)
    for sub in subs:
        rows.append(Outbox(channel=OutboxChannel.PUSH, recipient=sub.endpoint[:254], user_id=sub.user_id,
                           subscription_id=sub.id, topic=topic,
                           payload={"title": subject, "body": text[:500], "url": url, "tag": topic},
                           next_attempt_at=now, created_at=now))
    if rows:
        await Outbox.bulk_create(rows, using_db=using_db)
