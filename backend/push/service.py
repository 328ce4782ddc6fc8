"""Queues deliveries in the outbox; they are written in the caller's transaction and sent by the worker."""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from backend.errors import ValidationFailed
from backend.push import coalesce
from backend.push.models import Message, Outbox, OutboxChannel, PushSubscription

# Kinds of event a person chooses channels for, and the channels each gets unless they chose otherwise.
PREFERENCE_KINDS = ("created", "status", "comment")
CHANNELS = ("push", "email")
DEFAULT_PREFS = {"created": ["email"], "status": ["push", "email"], "comment": ["push", "email"]}
# Which preference an event of the requests domain falls under.
KIND_OF_EVENT = {"created": "created", "comment": "comment", "photo": "comment"}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def preferences(user: Any) -> dict[str, list[str]]:
    """A user's channels per kind of event, defaults filled in."""
    chosen = user.notify_prefs or {}
    return {kind: list(chosen.get(kind, DEFAULT_PREFS[kind])) for kind in PREFERENCE_KINDS}


def check_preferences(given: Any) -> dict[str, list[str]]:
    """Validates `{kind: [channel, ...]}` (an empty list means none)."""
    if not isinstance(given, dict):
        raise ValidationFailed("prefs must be an object.", code="invalid_type", field="prefs")
    out = {}
    for kind, channels in given.items():
        if kind not in PREFERENCE_KINDS:
            raise ValidationFailed(f"Unknown kind {kind!r}; use {', '.join(PREFERENCE_KINDS)}.", code="invalid_choice",
                                   field=f"prefs.{kind}")
        if not isinstance(channels, list) or any(c not in CHANNELS for c in channels):
            raise ValidationFailed(f"prefs.{kind} must list channels among {', '.join(CHANNELS)}.",
                                   code="invalid_choice", field=f"prefs.{kind}")
        out[kind] = sorted(set(channels))
    return out


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


def email_html(text: str, url: str, link_label: str) -> str:
    """The HTML part of a notification e-mail: the same words, and the link as a button."""
    paragraphs = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n"))
    return (f'<!doctype html><html><body style="font-family:sans-serif;line-height:1.5;color:#1b1f24">{paragraphs}'
            f'<p><a href="{html.escape(url)}" style="display:inline-block;padding:10px 16px;background:#0b5cad;'
            f'color:#fff;text-decoration:none;border-radius:6px">{html.escape(link_label)}</a></p></body></html>')


@dataclass
class Update:
    """One event of a request, told to its followers; `compose(language)` gives (subject, text, link label)."""

    kind: str
    compose: Callable[[str], tuple[str, str, str]]
    topic: str
    ref: str
    status: str


def _push_row(sub: PushSubscription, update: Update, subject: str, text: str, url: str, now: datetime) -> Outbox:
    # Kept far below the 4 KB a push service accepts: reference, status, short text, link.
    payload = {"title": subject[:120], "body": text[:400], "url": url, "tag": update.ref, "ref": update.ref,
               "status": update.status}
    return Outbox(channel=OutboxChannel.PUSH, recipient=sub.endpoint[:254], user_id=sub.user_id, subscription_id=sub.id,
                  topic=update.topic, payload=payload, next_attempt_at=now, created_at=now)


async def notify(*, update: Update, users: list[Any], user_url: str, anonymous_email: str = "",
                 anonymous_url: str = "", anonymous_language: str = "fr", request: Any = None,
                 using_db: Any = None) -> None:
    """Tells the followers of a request about one update, in their language and by the channels they chose.

    Signed-in followers always get an inbox message; e-mail and push follow their preferences. An anonymous
    author gets the e-mail with their tracking link, and a push on the devices they subscribed for this request.
    All rows are written in the caller's transaction: the event and its deliveries commit together.
    """
    now = utcnow()
    rows: list[Outbox] = []
    inbox: list[Message] = []
    pref_kind = KIND_OF_EVENT.get(update.kind, "status")
    subs_by_user: dict[int, list[PushSubscription]] = {}
    if users:
        for sub in await PushSubscription.filter(user_id__in=[u.id for u in users]).using_db(using_db):
            subs_by_user.setdefault(sub.user_id, []).append(sub)
    for user in users:
        subject, text, label = update.compose(user.language)
        channels = preferences(user)[pref_kind]
        inbox.append(Message(user=user, request=request, subject=subject, body=text, created_at=now))
        if "email" in channels:
            rows.append(coalesce.email_row(recipient=user.email, user=user, topic=update.topic, subject=subject,
                                           text=text, url=user_url, label=label, now=now, html_of=email_html))
        if "push" in channels:
            rows += [_push_row(sub, update, subject, text, user_url, now) for sub in subs_by_user.get(user.id, [])]
    if anonymous_email:
        subject, text, label = update.compose(anonymous_language)
        rows.append(coalesce.email_row(recipient=anonymous_email, user=None, topic=update.topic, subject=subject,
                                       text=text, url=anonymous_url, label=label, now=now, html_of=email_html))
    if request is not None and update.kind != "created":
        for sub in await PushSubscription.filter(request_id=request.id, user_id=None).using_db(using_db):
            subject, text, _ = update.compose(sub.language)
            rows.append(_push_row(sub, update, subject, text, anonymous_url or user_url, now))
    if inbox:
        await Message.bulk_create(inbox, batch_size=1000, using_db=using_db)
    rows = await coalesce.merge_into_waiting(rows, now=now, html_of=email_html, using_db=using_db)
    if rows:
        await Outbox.bulk_create(rows, batch_size=1000, using_db=using_db)
