"""Requests: creation, the status table, the timeline and who is told what."""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import db
from backend.accounts import service as accounts
from backend.accounts.models import Organisation, Role, User
from backend.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from backend.audit import service as audit
from backend.push import service as push
from backend.requests.catalogue import (  # noqa: F401  (re-exported for other domains)
    answers, catalogue_at, dump_service, localised, service_by_code, services_of, validate_attributes,
)
from backend.requests.models import (
    OPEN_STATUSES, Channel, Event, IdempotencyKey, Service, ServiceKind, ServiceRequest, Status, Supporter,
)
from backend.requests.texts import status_update_text

ALLOWED: dict[Status, set[Status]] = {
    Status.SUBMITTED: {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED,
                       Status.DUPLICATE, Status.WITHDRAWN},
    Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED, Status.DUPLICATE},
    Status.IN_PROGRESS: {Status.ACKNOWLEDGED, Status.RESOLVED, Status.REJECTED, Status.DUPLICATE},
    Status.RESOLVED: {Status.CLOSED, Status.ACKNOWLEDGED},
    Status.REJECTED: {Status.CLOSED},
    Status.DUPLICATE: {Status.CLOSED},
    Status.CLOSED: set(),
    Status.WITHDRAWN: set(),
}
_STATUS_ORDER = [Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED, Status.CLOSED]


def next_statuses(current: Any) -> list[str]:
    """The statuses staff may move a request to from `current`, in the order of its life."""
    allowed = ALLOWED[Status(current)]
    return [s.value for s in _STATUS_ORDER if s in allowed]


STAFF_HANDLING = (Role.AGENT, Role.FIELD_AGENT, Role.DISPATCHER, Role.SERVICE_MANAGER, Role.SECRETARY, Role.ADMIN)
OFFICE_HANDLING = tuple(r for r in STAFF_HANDLING if r != Role.FIELD_AGENT)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class NewRequest:
    """What a creation carries once parsed; photos are already decoded and re-encoded."""

    service: Service
    lat: float | None  # None: a procedure without a place (a service of kind `form`)
    lon: float | None
    description: str = ""
    attributes: dict | None = None
    address: str = ""
    contact_email: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    channel: Channel = Channel.APP
    language: str = "fr"
    public: bool = True
    # The rows another domain keeps beside the request (lost and found, an appointment), written in its transaction.
    on_insert: Callable[[ServiceRequest, Any], Awaitable[None]] | None = None
    # What the acknowledgement adds, by language (an appointment's day and place); `on_insert` may set it.
    notice: Any = ""


async def next_ref(org: Organisation, year: int, conn: Any = None) -> str:
    """`BRN-2026-000123`: a number per organisation and year, taken atomically on both databases, in one
    statement (in `conn`'s transaction, or on its own)."""
    conn = conn or connections.get("default")
    mark = "$%d" if db.dialect() == "postgres" else "?"
    p1, p2 = (mark % 1, mark % 2) if "%" in mark else (mark, mark)
    rows = await conn.execute_query_dict(
        f"INSERT INTO ref_counter (organisation_id, year, value) VALUES ({p1}, {p2}, 1) "
        "ON CONFLICT (organisation_id, year) DO UPDATE SET value = ref_counter.value + 1 RETURNING value",
        [org.id, year])
    return f"{org.ref_prefix}-{year}-{rows[0]['value']:06d}"


class IdempotentReplay(Exception):
    """Another call with the same idempotency key made the request while this one ran: answer that one."""

    def __init__(self, idem: Any):
        super().__init__("replay")
        self.idem = idem


async def create_request(*, new: NewRequest, author: User | None, idempotency: Any = None,
                         at: datetime | None = None, writer: Any = None,
                         photo_location: tuple[float, float] | None = None) -> tuple[ServiceRequest, str | None]:
    """Writes the request, its `created` event, its photos and the acknowledgement in one transaction.

    Returns the request and, for an anonymous author, the tracking token (shown once). Raises IdempotentReplay
    when a concurrent call with the same `idempotency` (idempotency.py) made it first.
    """
    if new.lat is None:  # a procedure without a place: its service's organisation
        if new.service.kind != ServiceKind.FORM:
            raise ValidationFailed("This category is about a place: give lat and lon.", code="required", field="lat")
        routed = org = await Organisation.get(id=new.service.organisation_id)
    else:
        routed = await accounts.organisation_at(new.lat, new.lon)
        org = routed if routed.id == new.service.organisation_id else await Organisation.get(id=new.service.organisation_id)
    if routed.id != org.id:
        raise ValidationFailed(f"This place is served by {routed.name_fr}, not by {org.name_fr}; "
                               "choose a category offered there.", code="outside_area", field="lat")
    if author is None and not new.contact_email and new.channel in (Channel.APP, Channel.WEB):
        raise ValidationFailed("Give an e-mail address so that we can tell you what happens.", code="required",
                               field="contact_email")
    now = at or utcnow()
    try:
        req, token = await _insert(new, org, author, idempotency, now, writer, photo_location)
    except IntegrityError:
        if writer is not None:
            writer.discard()
        if idempotency is None or not await IdempotencyKey.exists(key=idempotency.key):
            raise
        raise IdempotentReplay(idempotency) from None
    except BaseException:
        if writer is not None:
            writer.discard()
        raise
    if writer is not None:
        writer.commit()
    return req, token


async def _insert(new: NewRequest, org: Organisation, author: User | None, idempotency: Any, now: datetime,
                  writer: Any, photo_location: tuple[float, float] | None) -> tuple[ServiceRequest, str | None]:
    # On PostgreSQL the number is taken by a statement of its own, before the transaction: taken inside it, the
    # counter's row stayed locked until the commit, and every creation in the organisation waited in line for
    # it (two web workers made fewer requests a second than one). A transaction that fails afterwards leaves a
    # gap in the numbers. SQLite has one writer at a time anyway, and an extra commit would cost an fsync.
    taken = await next_ref(org, now.year) if db.dialect() == "postgres" else None
    async with in_transaction() as conn:
        ref = taken or await next_ref(org, now.year, conn)
        token = tracking_token(ref) if author is None and new.contact_email else None
        token_hashed = accounts.token_hash(token) if token else None
        req = await ServiceRequest.create(
            ref=ref, organisation=org, service=new.service, lat=new.lat,
            lon=new.lon, address=new.address, description=new.description, attributes=new.attributes or {},
            author=author, contact_email=new.contact_email, contact_name=new.contact_name,
            contact_phone=new.contact_phone, tracking_token_hash=token_hashed, language=new.language,
            channel=new.channel, team=new.service.team, due_at=now + timedelta(hours=new.service.due_hours),
            public=new.public and new.service.kind.value == "incident",
            questions_version=new.service.questions_version,
            photo_lat=photo_location[0] if photo_location else None,
            photo_lon=photo_location[1] if photo_location else None,
            created_at=now, updated_at=now, using_db=conn,
        )
        await Event.create(request=req, kind="created", at=now, status=Status.SUBMITTED.value, public=True,
                           actor=author, using_db=conn)
        if idempotency is not None:
            await IdempotencyKey.create(key=idempotency.key, fingerprint=idempotency.fingerprint, request=req,
                                        using_db=conn)
        if writer is not None:
            await writer.stage(request=req, uploaded_by=author, role="report", conn=conn)
        if new.on_insert is not None:
            await new.on_insert(req, conn)
        await notify(req, "created", conn, actor=author, comment=new.notice)
    return req, token


def viewer_relation(viewer: Any, req: ServiceRequest) -> str:
    """`staff`, `author`, `supporter` or `public`: how much of the request this viewer may see."""
    if viewer.user is not None:
        if viewer.has_role(req.organisation_id, *OFFICE_HANDLING, service_id=req.service_id):
            return "staff"
        if viewer.has_role(req.organisation_id, Role.FIELD_AGENT, service_id=req.service_id) and \
                _in_field_work(viewer, req):
            return "staff"
        if req.author_id == viewer.user.id:
            return "author"
    return "public"


def _in_field_work(viewer: Any, req: ServiceRequest) -> bool:
    """A field agent handles what is assigned to them and to their team, nothing else of the organisation."""
    teams = {m.team for m in viewer.memberships
             if m.role == Role.FIELD_AGENT and m.organisation_id == req.organisation_id and m.team}
    return req.assignee_id == viewer.user.id or (bool(req.team) and req.team in teams)


async def request_for(ref: str, viewer: Any, token: str = "") -> tuple[ServiceRequest, str]:
    """The request and the viewer's relation (an anonymous author by its tracking `token`); hidden requests are
    404 to whoever may not see them."""
    req = await ServiceRequest.get_or_none(ref=ref).prefetch_related("service", "organisation", "duplicate_of")
    if req is None:
        raise NotFound(f"No request {ref}.", code="unknown_request")
    relation = viewer_relation(viewer, req)
    if relation == "public" and token and req.tracking_token_hash and \
            hmac.compare_digest(accounts.token_hash(token), req.tracking_token_hash):
        relation = "author"
    if relation == "public" and not req.public:
        raise NotFound(f"No request {ref}.", code="unknown_request")
    return req, relation


async def request_by_tracking_token(token: str) -> ServiceRequest:
    req = await ServiceRequest.get_or_none(tracking_token_hash=accounts.token_hash(token)).prefetch_related(
        "service", "organisation", "duplicate_of")
    if req is None:
        raise NotFound("This tracking link is unknown.", code="unknown_token")
    return req


async def change_status(*, req: ServiceRequest, to: Status, actor: User | None, comment: str = "",
                        kind: str = "status", at: datetime | None = None, conn: Any = None,
                        data: dict | None = None) -> Event:
    """Moves a request to `to` from the explicit table, records the event and notifies its followers."""
    current = Status(req.status)
    if to not in ALLOWED[current]:
        raise InvalidTransition(current.value, to.value)
    now = at or utcnow()
    req.status = to
    req.updated_at = now
    if to == Status.RESOLVED:
        req.resolved_at = now
    elif to == Status.ACKNOWLEDGED:
        req.resolved_at = None
    await req.save(update_fields=["status", "updated_at", "resolved_at"], using_db=conn)
    event = await Event.create(request=req, kind=kind, at=now, status=to.value, comment=comment, public=True,
                               actor=actor, actor_is_staff=kind in ("status", "merged"), data=data or {},
                               using_db=conn)
    if event.actor_is_staff:
        await mark_answered(req, now, conn)
    await notify(req, kind, conn, actor=actor, comment=comment)
    return event


async def _followers(req: ServiceRequest, conn: Any, exclude: User | None) -> list[User]:
    ids = set(await Supporter.filter(request_id=req.id).using_db(conn).values_list("user_id", flat=True))
    if req.author_id:
        ids.add(req.author_id)
    if exclude is not None:
        ids.discard(exclude.id)
    return await User.filter(id__in=ids, is_active=True).using_db(conn) if ids else []


async def notify(req: ServiceRequest, kind: str, conn: Any, *, actor: User | None,
                 comment: str | Callable[[str], str] = "") -> None:
    """Tells the author and the supporters about a public event (the actor is not told of their own act).
    `comment` may be words by language (a function of it)."""
    followers = await _followers(req, conn, exclude=None if kind == "created" else actor)
    anonymous = req.contact_email if req.author_id is None else ""
    if not followers and not anonymous:
        return
    # Supporters get the public page; only the anonymous author gets the private tracking link.
    base = _CONFIG["base_url"]
    status = str(getattr(req.status, "value", req.status))
    about = (await Service.get(id=req.service_id).using_db(conn),
             await Organisation.get(id=req.organisation_id).using_db(conn))
    words = comment if callable(comment) else (lambda lang: comment)
    update = push.Update(kind=kind, compose=lambda lang: status_update_text(req, kind, words(lang), lang, about),
                         topic=req.ref.replace("-", "")[:32], ref=req.ref, status=status)
    await push.notify(update=update, users=followers, user_url=f"{base}/requests/{req.ref}",
                      anonymous_email=anonymous, anonymous_url=f"{base}/track/{tracking_token(req.ref)}",
                      anonymous_language=req.language, request=req, using_db=conn)


_CONFIG = {"base_url": "http://127.0.0.1:8000", "secret": ""}


def base_url() -> str:
    """The site's public address, as configured at start (links in notifications)."""
    return _CONFIG["base_url"]


def configure(*, base_url: str, secret: str) -> None:
    """Set at start-up: where links in notifications point, and the key tracking tokens derive from."""
    _CONFIG.update(base_url=base_url.rstrip("/"), secret=secret)


def tracking_token(ref: str) -> str:
    """An anonymous author's private link token: derived from the reference with the secret key, so every
    notification can carry it while the database keeps only its hash."""
    digest = hmac.new(_CONFIG["secret"].encode(), f"track:{ref}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def require_staff(viewer: Any, req: ServiceRequest, *roles: Role) -> User:
    user = viewer.require_user()
    if not viewer.has_role(req.organisation_id, *(roles or STAFF_HANDLING), service_id=req.service_id):
        raise Forbidden("Only the staff of this organisation can do this.")
    return user


ASSIGNERS = (Role.DISPATCHER, Role.SERVICE_MANAGER, Role.ADMIN, Role.SECRETARY)


async def _apply_handling(viewer: Any, req: ServiceRequest, actor: User, changes: dict, conn: Any) -> Event | None:
    """Team, priority and due date: one internal `updated` event that keeps each old and new value."""
    if "team" in changes and not viewer.has_role(req.organisation_id, *ASSIGNERS, service_id=req.service_id):
        raise Forbidden("Only dispatchers and managers give a request to a team.", field="team")
    if not viewer.has_role(req.organisation_id, *OFFICE_HANDLING, service_id=req.service_id):
        raise Forbidden("Field agents do not change the priority or the due date.", field="priority")
    before = {"team": req.team, "priority": req.priority, "due_at": req.due_at.isoformat() if req.due_at else None}
    diff = {}
    for name, value in changes.items():
        shown = value.isoformat() if isinstance(value, datetime) else value
        if before[name] != shown:
            diff[name] = [before[name], shown]
            setattr(req, name, value)
    if not diff:
        return None
    req.updated_at = utcnow()
    await req.save(update_fields=[*diff, "updated_at"], using_db=conn)
    return await Event.create(request=req, kind="updated", at=utcnow(), public=False, actor=actor,
                              actor_is_staff=True, data=diff, using_db=conn)


async def post_staff_event(*, viewer: Any, req: ServiceRequest, status: str | None, comment: str, public: bool,
                           assignee_id: int | None, ip: str = "", hand_back: bool = False,
                           handling: dict | None = None) -> Event:
    """Staff act on a request: a status change, a public comment, an internal note, an assignment, a hand-back,
    a change of team, priority or due date (`handling`)."""
    actor = require_staff(viewer, req)
    handling = handling or {}
    if status is None and not comment and assignee_id is None and not hand_back and not handling:
        raise ValidationFailed("Give a status, a comment, an assignee, a team, a priority or a due date.",
                               code="required", field="status")
    if hand_back:
        if req.assignee_id != actor.id:
            raise Forbidden("Only the person it is assigned to hands a request back.", field="hand_back")
        if not comment:
            raise ValidationFailed("Say why you hand it back.", code="required", field="comment")
    async with in_transaction() as conn:
        event = None
        if hand_back:  # back to dispatch, with the reason as an internal note
            req.assignee = None
            await req.save(update_fields=["assignee_id"], using_db=conn)
            event = await Event.create(request=req, kind="handed_back", at=utcnow(), public=False, actor=actor,
                                       actor_is_staff=True, comment=comment, using_db=conn)
            comment = ""
        if handling:
            event = await _apply_handling(viewer, req, actor, handling, conn) or event
        if assignee_id is not None:
            # A field agent takes an unassigned job of their team for themselves ("Commencer"); others assign.
            takes = assignee_id == actor.id and req.assignee_id is None and _in_field_work(viewer, req)
            if not takes and not viewer.has_role(req.organisation_id, *ASSIGNERS, service_id=req.service_id):
                raise Forbidden("Only dispatchers and managers assign requests.", field="assignee")
            assignee = await User.get_or_none(id=assignee_id)
            if assignee is None or not await _is_staff_of(assignee, req):
                raise ValidationFailed("This person is not on the staff of this organisation.", code="invalid",
                                       field="assignee")
            req.assignee = assignee
            await req.save(update_fields=["assignee_id"], using_db=conn)
            event = await Event.create(request=req, kind="assigned", at=utcnow(), public=False, actor=actor,
                                       actor_is_staff=True, data={"assignee": assignee.name}, using_db=conn)
        if status is not None:
            event = await change_status(req=req, to=Status(status), actor=actor, comment=comment if public else "",
                                        conn=conn)
            if comment and not public:
                event = await Event.create(request=req, kind="note", at=utcnow(), comment=comment, public=False,
                                           actor=actor, actor_is_staff=True, using_db=conn)
        elif comment:
            event = await Event.create(request=req, kind="comment" if public else "note", at=utcnow(),
                                       comment=comment, public=public, actor=actor, actor_is_staff=True,
                                       using_db=conn)
            if public:
                await notify(req, "comment", conn, actor=actor, comment=comment)
        if event is None:
            raise ValidationFailed("Nothing changed.", code="unchanged", field="status")
        req.updated_at = event.at  # "recently changed" counts every step, notes included
        await req.save(update_fields=["updated_at"], using_db=conn)
        if event.public:
            await mark_answered(req, event.at, conn)
        await audit.record(action=f"request.{event.kind}", actor=actor, organisation_id=req.organisation_id,
                           target=req.ref, ip=ip, using_db=conn,
                           detail={"status": status, "public": public, "assignee": assignee_id,
                                   **({"changes": event.data} if event.kind == "updated" else {})})
    return event


async def mark_answered(req: ServiceRequest, at: datetime, conn: Any) -> None:
    """The staff's first public word on the request, once (the statistics' time to first answer)."""
    if req.first_answer_at is None:
        req.first_answer_at = at
        await ServiceRequest.filter(id=req.id, first_answer_at=None).using_db(conn).update(first_answer_at=at)


async def record_staff_view(*, viewer: Any, req: ServiceRequest, ip: str) -> None:
    """A staff member saw the author's personal data: the audit trail says who, when and from where."""
    await audit.record(action="request.contact_viewed", actor=viewer.user, organisation_id=req.organisation_id,
                       target=req.ref, ip=ip)


async def _is_staff_of(user: User, req: ServiceRequest) -> bool:
    """Whether `user` handles requests like `req`: by a role in its organisation or a right on its service."""
    memberships = await accounts.active_memberships(user)
    if any(m.organisation_id == req.organisation_id and m.role in STAFF_HANDLING for m in memberships):
        return True
    return any(g.service_id == req.service_id and g.role in STAFF_HANDLING for g in await accounts.valid_grants(user))


async def events_for(req: ServiceRequest, relation: str) -> list[Event]:
    """The timeline as this viewer may see it: staff everything; the author the public steps and their own
    words; anyone else the public steps without what a citizen wrote (views.dump_event)."""
    query = Event.filter(request=req).prefetch_related("actor").order_by("at", "id")
    if relation != "staff":
        query = query.filter(public=True)
    if relation == "public":
        query = query.exclude(kind="comment", actor_is_staff=False)
    return await query


def is_open(req: ServiceRequest) -> bool:
    return Status(req.status) in OPEN_STATUSES
