"""A citizen's rights over their data (GDPR articles 15 to 17, 20): a copy of all of it, and erasure.

Access and portability: `archive(user)` is one ZIP with `data.json` (the account, every request the person made
with its timeline, answers and contact details, the lost-object declarations and claims, the requests they joined,
their inbox, their devices for push), `photos/` and `files/`, what they sent. Erasure: `erase(user, password)` removes
the account and what hangs on it (sessions, tokens, devices, inbox, saved filters); the requests stay for the
public record, anonymised: no author, no contact, no private text; photos stay only where the public sees them.
A staff account is ended through the access flow instead (its rights, its audit), never here.
"""
from __future__ import annotations

import asyncio
import functools
import io
import json
import logging
import re
import zipfile
from pathlib import Path
from typing import Any, Callable

from tortoise.expressions import F, Q, RawSQL
from tortoise.transactions import in_transaction

from backend.accounts.models import AccessRequest, Membership, MembershipStatus, User
from backend.accounts.passwords import verify_password
from backend.audit import service as audit
from backend.audit.models import AuditEntry
from backend.errors import Conflict, ValidationFailed
from backend.lostfound.models import Claim, Item
from backend.config import Settings
from backend.media import documents, service as media
from backend.media.models import Photo
from backend.media.store import store_of
from backend.push.models import Message, Outbox, PushSubscription
from backend.ratelimit.models import RateCounter
from backend.requests import questions, service as requests
from backend.requests.models import Event, ServiceRequest, Supporter
from backend.requests.views import dump_request
from backend.requests.service import utcnow

log = logging.getLogger(__name__)

ERASED = "[effacé]"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


async def requests_data(own: list[ServiceRequest], language: str) -> list[dict]:
    """Each request as its author reads it, with its answers, contact details, object and photos."""
    photos: dict[int, list[dict]] = {}
    for photo in await Photo.filter(request_id__in=[r.id for r in own]).order_by("id").values(
            "request_id", "path", "thumbnail_path", "width", "height", "role", "hidden"):
        photos.setdefault(photo["request_id"], []).append(photo)
    items = {i.request_id: i for i in await Item.filter(request_id__in=[r.id for r in own])}  # type: ignore[attr-defined]
    attached = await documents.of_requests([r.id for r in own])
    out_requests = []
    for req in own:
        body = dump_request(req, relation="author", language=language, photos=photos.get(req.id, []),
                            events=await requests.events_for(req, "author"))
        body["answers"] = requests.answers(req.service, req.attributes, language,
                                           await questions.asked_with(req, req.service))
        body["contact"] = {"name": req.contact_name, "email": req.contact_email, "phone": req.contact_phone}
        body["files"] = [{"question": a.code, "name": a.name, "in_zip": f"files/{req.ref}/{a.code}-{a.name}",
                          "stored": a.path} for a in attached.get(req.id, [])]
        item = items.get(req.id)
        if item is not None:
            body["object"] = {"side": item.side.value, "category": item.category, "colour": item.colour,
                              "brand": item.brand, "description": item.description, "marks": item.marks,
                              "when_from": _iso(item.when_from), "when_to": _iso(item.when_to)}
        out_requests.append(body)
    return out_requests


async def fetch_requests(query: Any) -> list[ServiceRequest]:
    return await query.order_by("id").prefetch_related("service", "organisation", "author", "assignee", "duplicate_of")


def account_data(user: User) -> dict:
    return {"email": user.email, "name": user.name, "phone": user.phone, "postal_address": user.postal_address,
            "language": user.language, "created_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
            "email_verified": user.email_verified_at is not None, "second_factor": bool(user.totp_secret),
            "notification_preferences": user.notify_prefs}


async def personal_data(user: User) -> dict:
    """Everything held about `user`, as the person would read it (their own view of each request)."""
    out_requests = await requests_data(await fetch_requests(ServiceRequest.filter(author_id=user.id)), user.language)
    claims = await Claim.filter(claimant_id=user.id).order_by("id").prefetch_related("found__request")
    joined = await Supporter.filter(user_id=user.id).order_by("id").prefetch_related("request")
    return {
        "format": "guichet-personal-data/1",
        "exported_at": utcnow().isoformat(),
        "account": account_data(user),
        "requests": out_requests,
        "joined_requests": [{"ref": s.request.ref, "at": _iso(s.created_at)} for s in joined],
        "claims": [{"found_object": c.found.request.ref, "answer": c.answer, "state": c.state.value,
                    "created_at": _iso(c.created_at)} for c in claims],
        "messages": [{"subject": m.subject, "body": m.body, "created_at": _iso(m.created_at),
                      "read_at": _iso(m.read_at)}
                     for m in await Message.filter(user_id=user.id).order_by("id")],
        "staff_access_requests": [{"what": r.kind.value, "organisation": r.organisation.slug, "status": r.status.value,
                                   "identity": r.identity, "message": r.message, "reason": r.reason,
                                   "created_at": _iso(r.created_at), "decided_at": _iso(r.decided_at),
                                   "identity_document": bool(r.document_name)}
                                  for r in await AccessRequest.filter(applicant_id=user.id).order_by("id")
                                  .select_related("organisation")],
        "push_devices": [{"service": p.endpoint.split("/")[2] if "//" in p.endpoint else "", "language": p.language,
                          "created_at": _iso(p.created_at)}
                         for p in await PushSubscription.filter(user_id=user.id).order_by("id")],
    }


async def request_data(req: ServiceRequest, language: str) -> dict:
    """What the holder of a request's tracking link may take away: that request, as its author reads it."""
    return {"format": "guichet-personal-data/1", "exported_at": utcnow().isoformat(),
            "requests": await requests_data(await fetch_requests(ServiceRequest.filter(id=req.id)), language)}


async def archive(user: User, settings: Settings) -> bytes:
    """The ZIP of `personal_data`, the photos of the person's requests and the files they answered with."""
    return await zip_of(await personal_data(user), settings)


def files_of(data: dict, settings: Settings) -> list[tuple[str, Callable[[], bytes | None]]]:
    """(name in the ZIP, how to read it) of the photos of the requests in `data` (originals, from the media
    store), then of the files answering their questions; where a file is kept is ours, so `data` keeps only its
    name in the ZIP."""
    store = store_of(settings)
    out = [(f"photos/{req['ref']}/{Path(p['url']).name}", functools.partial(store.read, p["url"].removeprefix("/media/")))
           for req in data["requests"] for p in req["photos"]]
    for req in data["requests"]:
        for f in req.get("files", []):
            out.append((f["in_zip"], functools.partial(_read, documents.folder(settings) / f.pop("stored"))))
    return out


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


async def zip_of(data: dict, settings: Settings) -> bytes:
    """data.json, a note on what it holds, the photos and files of its requests."""
    files = files_of(data, settings)
    return await asyncio.to_thread(_zip, data, files)


def _zip(data: dict, files: list[tuple[str, Callable[[], bytes | None]]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        out.writestr("LISEZ-MOI.txt", README)
        add_files(out, files)
    return buffer.getvalue()


def add_files(archive: zipfile.ZipFile, files: list[tuple[str, Callable[[], bytes | None]]]) -> None:
    """Adds the files that still exist (one removed meanwhile is left out), stored as they are: JPEG and PDF
    gain nothing from compressing again."""
    for name, read in files:
        content = read()
        if content is not None:
            archive.writestr(name, content, compress_type=zipfile.ZIP_STORED)


README = """Vos données chez Guichet / Your data at Guichet

data.json : votre compte, vos demandes (avec leur historique et vos réponses), vos objets perdus ou trouvés,
vos réclamations, les demandes que vous avez rejointes, vos messages et vos appareils pour les notifications.
photos/ : les photos de vos demandes, par numéro de demande.
files/ : les fichiers joints à vos démarches (justificatifs), par numéro de demande.

data.json: your account, your requests (with their timeline and your answers), your lost or found objects, your
claims, the requests you joined, your messages and your devices for notifications.
photos/: the photos of your requests, by request number.
files/: the files you attached to your procedures (proofs), by request number.
"""


async def erase(*, user: User, password: str, settings: Settings) -> None:
    """Deletes the account of a citizen who gave their password; see the module's text for what stays."""
    if not await asyncio.to_thread(verify_password, user.password_hash, password):
        raise ValidationFailed("The password is wrong.", code="invalid_credentials", field="password")
    if await Membership.filter(user_id=user.id, status=MembershipStatus.ACTIVE).exists():
        raise Conflict("A staff account is ended by the municipal secretary (access rights), not here.",
                       code="staff_account")
    async with in_transaction():
        ids = [r["id"] for r in await ServiceRequest.filter(author_id=user.id).values("id")]
        files, private = await anonymise_requests(ids, strings_of(user))
        user_id = user.id
        await delete_account(user)
        await audit.record(actor=None, action="privacy.erased", target=f"user:{user_id}",
                           detail={"requests_kept": len(ids), "requests_private": private})
    await media.forget_files(settings, files)
    await documents.sweep(settings)


def strings_of(user: User) -> list[str]:
    """What names the person in free text: their e-mail, name, phone and postal address."""
    return [s for s in (user.email, user.name, user.phone, user.postal_address) if s]


async def anonymise_requests(ids: list[int], strings: list[str]) -> tuple[list[str], int]:
    """The requests `ids` stay for the public record without their author, contact, private text or non-public
    photos; returns the photo files to remove once committed, and how many requests were private."""
    private_ids = [r["id"] for r in await ServiceRequest.filter(id__in=ids, public=False).values("id")]
    await ServiceRequest.filter(id__in=ids).update(author_id=None, contact_email="", contact_name="",
                                                   contact_phone="", tracking_token_hash=None)
    # Requests the public does not see (lost objects, internal ones): their text is the person's alone.
    await ServiceRequest.filter(id__in=private_ids).update(description="", attributes={}, address="")
    await Item.filter(request_id__in=private_ids).update(description="", marks="", brand="")
    await PushSubscription.filter(request_id__in=ids).delete()
    await documents.forget(ids)  # files answering questions (a proof of address) are the person's alone
    files: list[str] = []
    for photo in await Photo.filter(request_id__in=ids).values("id", "path", "thumbnail_path", "hidden", "request_id"):
        if photo["hidden"] or photo["request_id"] in private_ids:
            files += [photo["path"], photo["thumbnail_path"]]
            await Photo.filter(id=photo["id"]).delete()
            await ServiceRequest.filter(id=photo["request_id"]).update(photo_count=F("photo_count") - 1)
    for event in await Event.filter(request_id__in=ids, public=True).exclude(comment=""):
        cleaned = _without(event.comment, strings)
        if cleaned != event.comment:
            event.comment = cleaned
            await event.save(update_fields=["comment"])
    return files, len(private_ids)


async def delete_account(user: User) -> None:
    """The account and what hangs on it; what the person wrote elsewhere loses their name."""
    strings = strings_of(user)
    await Claim.filter(claimant_id=user.id).update(answer=ERASED, claimant_id=None)
    # Their private messages to the town go; what the public read stays, without their name in it.
    await Event.filter(actor_id=user.id, public=False).update(comment="")
    for event in await Event.filter(actor_id=user.id, public=True).exclude(comment=""):
        event.comment = _without(event.comment, strings)
        await event.save(update_fields=["comment"])
    await Event.filter(actor_id=user.id).update(actor_id=None)
    await RateCounter.filter(key__icontains=user.email).delete()  # sign-in throttles keyed by the address
    await Photo.filter(uploaded_by_id=user.id).update(uploaded_by_id=None)
    await Outbox.filter(recipient=user.email).delete()
    await Outbox.filter(user_id=user.id).delete()
    await Message.filter(user_id=user.id).delete()
    await PushSubscription.filter(user_id=user.id).delete()
    await scrub_audit(user.id, strings)
    await user.delete()  # sessions, tokens, devices, supports, saved filters go with it (on delete cascade)


async def scrub_audit(user_id: int | None, strings: list[str]) -> None:
    """The audit keeps what was done, not who the citizen was: their e-mail, name, phone and address go."""
    if user_id is not None:
        await AuditEntry.filter(actor_id=user_id).update(actor_id=None, actor_label=ERASED)
    for entry in await AuditEntry.filter(actor_label__in=strings):
        entry.actor_label = ERASED
        await entry.save(update_fields=["actor_label"])
    mentions = Q(*[Q(detail_text__icontains=s) for s in strings], join_type="OR")
    for entry in await AuditEntry.annotate(detail_text=RawSQL("CAST(detail AS TEXT)")).filter(mentions):
        entry.detail = _without(entry.detail, strings)
        await entry.save(update_fields=["detail"])


def _without(value: Any, strings: list[str]) -> Any:
    if isinstance(value, str):
        for s in strings:
            value = re.sub(re.escape(s), ERASED, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [_without(v, strings) for v in value]
    if isinstance(value, dict):
        return {k: _without(v, strings) for k, v in value.items()}
    return value
