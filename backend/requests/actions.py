"""What the author and other citizens may do to a request, and the staff's merge of duplicates."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from backend.accounts.models import User
from backend.appointments import service as appointments
from backend.audit import service as audit
from backend.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.media import service as media
from backend.requests.models import Event, ServiceRequest, Status, Supporter
from backend.requests.service import (
    notify, require_staff, change_status, is_open, utcnow, viewer_relation,
)


def _require_author(relation: str) -> None:
    if relation != "author":
        raise Forbidden("Only the author of this request can do this.")


async def withdraw(*, req: ServiceRequest, relation: str, actor: User | None) -> Event:
    """The author takes back a request nobody has looked at yet."""
    _require_author(relation)
    if req.status != Status.SUBMITTED:
        raise ValidationFailed("A request can only be withdrawn before the municipality takes it up.",
                               code="invalid_transition", field="status")
    async with in_transaction() as conn:
        req.public = False  # the author's taking back: no longer shown to anyone else
        await ServiceRequest.filter(id=req.id).using_db(conn).update(public=False)
        await appointments.give_back(req, conn)  # an appointment booked with it frees its place
        return await change_status(req=req, to=Status.WITHDRAWN, actor=actor, kind="withdrawn", conn=conn)


async def reopen(*, req: ServiceRequest, relation: str, actor: User | None, comment: str, reopen_days: int) -> Event:
    """The author says "not fixed" within the reopening period: back to acknowledged."""
    _require_author(relation)
    if req.status != Status.RESOLVED:
        raise ValidationFailed("Only a resolved request can be reopened.", code="invalid_transition", field="status")
    if req.resolved_at and utcnow() - req.resolved_at > timedelta(days=reopen_days):
        raise ValidationFailed(f"A request can be reopened within {reopen_days} days of its resolution; "
                               "please make a new report.", code="reopen_period_over", field="status",
                               params={"days": reopen_days})
    async with in_transaction() as conn:
        return await change_status(req=req, to=Status.ACKNOWLEDGED, actor=actor, kind="reopened", comment=comment,
                                   conn=conn)


async def comment(*, req: ServiceRequest, relation: str, actor: User | None, text: str) -> Event:
    """The author adds information while the request is open; staff are the ones who read it."""
    _require_author(relation)
    if not is_open(req):
        raise ValidationFailed("This request is closed; make a new report.", code="request_closed")
    return await Event.create(request=req, kind="comment", at=utcnow(), comment=text, public=True, actor=actor)


async def add_photos(*, req: ServiceRequest, relation: str, actor: User | None, writer: Any,
                     role: str = "report", comment_text: str = "") -> Event:
    """Adds photos to an open request (the author) or at any time (staff, e.g. the "after" photo)."""
    if relation not in ("author", "staff"):
        raise Forbidden("Only the author or the staff can add photos to this request.")
    if relation == "author" and not is_open(req):
        raise ValidationFailed("This request is closed; make a new report.", code="request_closed")
    async with media.files_follow(writer), in_transaction() as conn:
        await writer.stage(request=req, uploaded_by=actor, role=role, conn=conn)
        event = await Event.create(request=req, kind="photo", at=utcnow(), public=True, actor=actor,
                                   comment=comment_text, actor_is_staff=relation == "staff",
                                   data={"count": len(writer.photos)}, using_db=conn)
        if relation == "staff":
            await notify(req, "photo", conn, actor=actor)
    return event


async def support(*, req: ServiceRequest, user: User | None) -> int:
    """A signed-in citizen says "me too", once, and follows the request from then on."""
    if user is None:
        raise ValidationFailed("Sign in to support a request.", code="not_authenticated")
    if req.author_id == user.id:
        raise Conflict("This is your own request.", code="own_request")
    if not is_open(req) or not req.public:
        raise ValidationFailed("This request is no longer open.", code="request_closed")
    try:
        async with in_transaction() as conn:
            await Supporter.create(request=req, user=user, using_db=conn)
            await ServiceRequest.filter(id=req.id).using_db(conn).update(supporters_count=F("supporters_count") + 1)
    except IntegrityError:
        raise Conflict("You already support this request.", code="already_supported") from None
    return req.supporters_count + 1


async def supports(req: ServiceRequest, user: User | None) -> bool:
    """Whether this signed-in citizen said "me too" (and so follows the request)."""
    return user is not None and await Supporter.exists(request_id=req.id, user_id=user.id)


async def mark_duplicate(*, viewer: Any, req: ServiceRequest, original_ref: str, comment_text: str) -> Event:
    """Staff merge a request into an earlier one: its author and supporters follow the original and are told."""
    actor = require_staff(viewer, req)
    original = await ServiceRequest.get_or_none(ref=original_ref).prefetch_related("service")
    # The original must be one this person handles too: a merge makes the duplicate's followers its followers.
    if original is None or original.organisation_id != req.organisation_id or \
            viewer_relation(viewer, original) != "staff":
        raise NotFound(f"No request {original_ref} in this organisation.", code="unknown_request",
                       field="duplicate_of")
    if original.id == req.id or original.duplicate_of_id == req.id:
        raise ValidationFailed("A request cannot duplicate itself.", code="invalid", field="duplicate_of")
    if not (req.public and original.public) or original.service.kind != req.service.kind:
        raise ValidationFailed("Only public reports of the same kind are merged; lost and found objects are "
                               "paired in the lost property office.", code="not_mergeable", field="duplicate_of")
    async with in_transaction() as conn:
        followers = set(await Supporter.filter(request=req).using_db(conn).values_list("user_id", flat=True))
        if req.author_id:
            followers.add(req.author_id)
        followers.discard(original.author_id)
        existing = set(await Supporter.filter(request=original).using_db(conn).values_list("user_id", flat=True))
        added = [uid for uid in followers if uid not in existing]
        if added:
            await Supporter.bulk_create([Supporter(request=original, user_id=uid) for uid in added], using_db=conn)
            await ServiceRequest.filter(id=original.id).using_db(conn).update(
                supporters_count=F("supporters_count") + len(added))
        req.duplicate_of = original
        await req.save(update_fields=["duplicate_of_id"], using_db=conn)
        text = comment_text or f"Ce signalement rejoint {original.ref}, déjà en cours de traitement."
        return await change_status(req=req, to=Status.DUPLICATE, actor=actor, kind="merged", comment=text,
                                   conn=conn, data={"original": original.ref})


async def moderate(*, viewer: Any, req: ServiceRequest, reason: str, description_hidden: bool | None = None,
                   photo: str | None = None, photo_hidden: bool | None = None, ip: str = "") -> Event:
    """Staff hide a citizen's text or one photo from the public (or show it again); the author and staff still
    see it. An internal note says what and why; the audit trail keeps it."""
    actor = require_staff(viewer, req)
    if not reason.strip():
        raise ValidationFailed("Say why.", code="required", field="reason")
    changes: dict[str, Any] = {}
    async with in_transaction() as conn:
        if description_hidden is not None:
            await ServiceRequest.filter(id=req.id).using_db(conn).update(description_hidden=description_hidden)
            req.description_hidden = description_hidden
            changes["description_hidden"] = description_hidden
        if photo is not None:
            path = photo.removeprefix("/media/")
            if photo_hidden is None:
                raise ValidationFailed("Say whether the photo is hidden.", code="required", field="photo_hidden")
            if not await media.set_hidden(request_id=req.id, path=path, hidden=photo_hidden, conn=conn):
                raise NotFound("This request has no such photo.", code="unknown_photo", field="photo")
            changes["photo"], changes["photo_hidden"] = path, photo_hidden
        if not changes:
            raise ValidationFailed("Say what to hide or show.", code="required", field="description_hidden")
        await audit.record(action="request.moderated", actor=actor, organisation_id=req.organisation_id,
                           target=req.ref, detail=changes | {"reason": reason.strip()}, ip=ip, using_db=conn)
        return await Event.create(request=req, kind="moderated", at=utcnow(), comment=reason.strip(), public=False,
                                  actor=actor, actor_is_staff=True, data=changes, using_db=conn)
