"""The e-mail channel (issue 19, point 2): a citizen's e-mail to the town's address becomes a request.

A raw RFC 5322 message comes in (from the SMTP listener the worker runs when INBOUND_SMTP_PORT is set, or from
any delivery agent through `receive`). What it becomes:
- a reply that names one of our references ("Re: Votre demande BRN-2026-000123 …") from the address that request
  answers to: a message on that request's timeline, for its staff;
- anything else: a new request in the INBOUND_SERVICE procedure (a service of kind `form`) of INBOUND_ORGANISATION,
  channel `email`, with the sender as contact, the subject and text as description, photos attached (checked and
  re-encoded like any photo; other attachments are listed, not kept).
Refused, logged and nothing written: no sender, automatic messages (Auto-Submitted, Precedence bulk/list/junk,
mailer daemons, our own address: no loops), a malformed body, too large a message.
"""
from __future__ import annotations

import asyncio
import logging
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from backend.accounts import organisations
from backend.config import Settings
from backend.errors import GuichetError
from backend.media import service as media
from backend.requests import service
from backend.requests.models import Channel, Event, ServiceRequest

log = logging.getLogger("guichet.inbound")
REF = re.compile(r"\b([A-Z]{2,8}-\d{4}-\d{6})\b")
AUTOMATIC = ("mailer-daemon", "postmaster", "no-reply", "noreply")


class Refused(Exception):
    """The message is not turned into anything; the reason is logged (and answered 550 by the listener)."""


def _parse(raw: bytes, settings: Settings) -> EmailMessage:
    if len(raw) > settings.inbound_max_bytes:
        raise Refused(f"message of {len(raw)} bytes, over INBOUND_MAX_BYTES")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # noqa: BLE001  the parser's own errors vary: any is a malformed message
        raise Refused(f"unreadable message: {exc!r}") from None
    if message.defects or not message.get("From") or not isinstance(message, EmailMessage):
        raise Refused(f"malformed message (defects: {[type(d).__name__ for d in message.defects]})")
    return message


def _automatic(message: EmailMessage, sender: str, settings: Settings) -> bool:
    if message.get("Auto-Submitted", "no").strip().lower() != "no":
        return True
    if message.get("Precedence", "").strip().lower() in ("bulk", "list", "junk", "auto_reply"):
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond") or message.get("List-Id"):
        return True
    ours = parseaddr(settings.mail_from)[1].lower()
    return sender.split("@")[0] in AUTOMATIC or sender == ours


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain", "html"))
    if body is None:
        return ""
    text = body.get_content()
    if body.get_content_type() == "text/html":
        text = re.sub(r"<[^>]+>", " ", text)
    # The quoted history of a reply stays out: what the person wrote this time.
    lines = []
    for line in text.splitlines():
        if line.startswith(">") or re.match(r"^(Le .* a écrit|On .* wrote)\s*:\s*$", line.strip()):
            break
        lines.append(line.rstrip())
    return "\n".join(lines).strip()


async def receive(raw: bytes, settings: Settings, gate: asyncio.Semaphore) -> str | None:
    """The reference of the request the message became or joined; None when refused (logged)."""
    try:
        message = _parse(raw, settings)
        sender_name, sender = parseaddr(str(message["From"]))
        sender = sender.lower()
        if "@" not in sender:
            raise Refused("no sender address")
        if _automatic(message, sender, settings):
            raise Refused(f"automatic message from {sender}")
        subject = " ".join(str(message.get("Subject", "")).split())[:200]
        text = _text(message)
        match = REF.search(subject)
        if match:
            joined = await _reply(match.group(1), sender, text)
            if joined:
                return joined
        return await _new_request(message, sender, sender_name, subject, text, settings, gate)
    except Refused as exc:
        log.warning("inbound e-mail refused: %s", exc)
        return None
    except GuichetError as exc:  # a photo too large, a missing procedure: the message is refused whole
        log.warning("inbound e-mail refused: %s (%s)", exc.message, exc.code)
        return None


async def _reply(ref: str, sender: str, text: str) -> str | None:
    """A reply from the address the request answers to joins its timeline (for the staff); else it is new."""
    req = await ServiceRequest.get_or_none(ref=ref).select_related("author")
    if req is None or sender not in {req.contact_email.lower(), (req.author.email if req.author else "").lower()}:
        return None
    if text:
        await Event.create(request=req, kind="comment", at=service.utcnow(), comment=text[:4000], public=False,
                           actor=req.author, actor_is_staff=False, data={"channel": "mail"})
        await ServiceRequest.filter(id=req.id).update(updated_at=service.utcnow())
    return ref


async def _new_request(message: EmailMessage, sender: str, name: str, subject: str, text: str,
                       settings: Settings, gate: asyncio.Semaphore) -> str:
    org = await organisations.organisation_by_slug(settings.inbound_organisation)
    svc = await service.service_by_code(org, settings.inbound_service)
    photos, others = [], []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True) or b""
        if part.get_content_maintype() == "image" and len(photos) < settings.max_photos:
            photos.append(data)
        else:
            others.append(part.get_filename() or part.get_content_type())
    prepared = await media.prepare_all(photos, settings=settings, gate=gate, caller=f"mail:{sender}") if photos else []
    note = ("\n\n[Pièces jointes non gardées : " + ", ".join(others) + "]") if others else ""
    description = "\n\n".join(p for p in (subject, text) if p)[: settings.max_description - len(note)] + note
    new = service.NewRequest(service=svc, lat=None, lon=None, description=description, attributes={},
                             contact_email=sender, contact_name=name[:200], channel=Channel.EMAIL,
                             language="fr", public=False)
    writer = media.PhotoWriter(settings, prepared) if prepared else None
    req, _ = await service.create_request(new=new, author=None, writer=writer)
    log.info("inbound e-mail from %s became %s", sender, req.ref)
    return req.ref


def recipients_ok(addresses: list[str], settings: Settings) -> bool:
    """Whether a message is for the town's inbound address (the listener refuses any other)."""
    wanted = settings.inbound_address.lower()
    return any(addr.lower() == wanted for _, addr in getaddresses(addresses))
