"""Claiming a found object, deciding, handing it over, and the end of holding periods."""
from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from backend.accounts.models import User
from backend.audit import service as audit
from backend.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.lostfound.models import Candidate, Claim, ClaimState, Item, Outcome, Side
from backend.lostfound.service import tell_declarant, utcnow
from backend.media import service as media
from backend.ratelimit import service as ratelimit
from backend.requests import service as requests
from backend.requests.models import Event, Status

OFFICE = requests.OFFICE_HANDLING  # the lost-property office: the organisation's staff at the desk, not in the field


def require_office(viewer: Any, organisation_id: int) -> User:
    user = viewer.require_user()
    if not viewer.has_role(organisation_id, *OFFICE):
        raise Forbidden("Only the lost-property office of this municipality can do this.")
    return user


async def claim(*, viewer: Any, lost: Item, found_ref: str, answer: str, per_day: int, ip: str,
                writer: Any = None) -> Claim:
    """The owner of a lost declaration claims one of its candidates, answering what only the owner knows."""
    found = await Item.filter(request__ref=found_ref, side=Side.FOUND).prefetch_related("request").first()
    if found is None or not await Candidate.exists(lost_id=lost.id, found_id=found.id):
        raise NotFound("This object is not among the candidates of your declaration.", code="unknown_candidate",
                       field="found")
    if not lost.is_open or not found.is_open:
        raise Conflict("This object is no longer available.", code="not_available", field="found")
    if await Claim.exists(lost_id=lost.id, found_id=found.id, state=ClaimState.PENDING):
        raise Conflict("You already claimed this object; the office is looking at it.", code="claim_exists",
                       field="found")
    await ratelimit.consume(key=f"lost-claim:{viewer.user.id if viewer.user else ip}", limit=per_day,
                            window_seconds=86400, message="You have claimed enough objects for today.")
    now = utcnow()
    async with media.files_follow(writer), in_transaction() as conn:
        made = await Claim.create(lost=lost, found=found, claimant=viewer.user, answer=answer, created_at=now,
                                  using_db=conn)
        await Event.create(request_id=found.request_id, kind="claimed", at=now, public=False, actor=viewer.user,
                           data={"claim": made.id, "lost": lost.request.ref}, using_db=conn)
        if writer is not None:  # the proof stays with the owner's own (private) declaration
            await writer.stage(request=lost.request, uploaded_by=viewer.user, role="proof", conn=conn)
    return made


async def move(*, viewer: Any, item: Item, storage_place: str, ip: str) -> Item:
    actor = require_office(viewer, item.organisation_id)
    before = item.storage_place
    item.storage_place = storage_place.strip()
    await item.save(update_fields=["storage_place"])
    await audit.record(action="lostfound.moved", actor=actor, organisation_id=item.organisation_id,
                       target=item.request.ref, ip=ip, detail={"from": before, "to": item.storage_place})
    return item


async def decide(*, viewer: Any, claim_id: int, accept: bool, note: str, ip: str) -> Claim:
    """Staff compare the answer with the object and accept or refuse; the owner is told either way."""
    made = await _claim(claim_id)
    actor = require_office(viewer, made.found.organisation_id)
    if made.state != ClaimState.PENDING:
        raise Conflict("This claim was already decided.", code="already_decided")
    if accept and await Claim.exists(found_id=made.found_id, state__in=[ClaimState.ACCEPTED, ClaimState.HANDED_OVER]):
        raise Conflict("Another claim of this object was accepted.", code="already_claimed")
    org = made.found.organisation
    async with in_transaction() as conn:
        made.state = ClaimState.ACCEPTED if accept else ClaimState.REFUSED
        made.decided_by, made.decided_at, made.decision_note = actor, utcnow(), note
        await made.save(using_db=conn)
        where = ", ".join(x for x in (made.found.storage_place, org.address) if x)
        text_fr = (f"Votre demande est acceptée. Retirez l'objet au bureau des objets trouvés ({where}), heures "
                   f"d'ouverture : {org.opening_hours or 'voir le site de la commune'}. Prenez une pièce d'identité."
                   if accept else f"L'objet ne correspond pas à votre déclaration. {note}".strip())
        text_en = (f"Your claim is accepted. Collect the object at the lost-property office ({where}), opening hours: "
                   f"{org.opening_hours or 'see the municipality website'}. Bring an identity document."
                   if accept else f"The object does not match your declaration. {note}".strip())
        await Event.create(request_id=made.lost.request_id, kind="comment", at=utcnow(), public=True, actor=actor,
                           actor_is_staff=True, comment=text_fr, using_db=conn)
        await _tell(made.lost.request, {"fr": text_fr, "en": text_en}, conn)
        await audit.record(action="lostfound.claim_accepted" if accept else "lostfound.claim_refused", actor=actor,
                           organisation_id=org.id, target=made.found.request.ref, ip=ip, using_db=conn,
                           detail={"claim": made.id, "lost": made.lost.request.ref})
    return made


async def hand_over(*, viewer: Any, claim_id: int, identity: str, ip: str) -> Claim:
    """The owner collects the object: who handed it, when, which identity document was checked."""
    made = await _claim(claim_id)
    actor = require_office(viewer, made.found.organisation_id)
    if made.state != ClaimState.ACCEPTED:
        raise Conflict("Only an accepted claim is handed over.", code="not_accepted")
    if not identity.strip():
        raise ValidationFailed("Say which identity document you checked.", code="required", field="identity")
    now = utcnow()
    async with in_transaction() as conn:
        made.state, made.handed_over_by, made.handed_over_at = ClaimState.HANDED_OVER, actor, now
        made.identity_checked = identity.strip()
        await made.save(using_db=conn)
        for item in (made.lost, made.found):
            item.is_open, item.outcome, item.closed_at = False, Outcome.RETURNED, now
            await item.save(update_fields=["is_open", "outcome", "closed_at"], using_db=conn)
            await _resolve(item.request, actor, conn)
        thanks = {"fr": "L'objet que vous avez trouvé a été rendu à son propriétaire. Merci !",
                  "en": "The object you found is back with its owner. Thank you!"}
        await _tell(made.found.request, thanks, conn)
        await audit.record(action="lostfound.handed_over", actor=actor, organisation_id=made.found.organisation_id,
                           target=made.found.request.ref, ip=ip, using_db=conn,
                           detail={"claim": made.id, "identity": identity.strip()})
    return made


async def set_outcome(*, viewer: Any, item: Item, outcome: Outcome, ip: str) -> Item:
    """The office's decision at the end of the holding period (or earlier for an issuer's document)."""
    actor = require_office(viewer, item.organisation_id)
    if item.side != Side.FOUND or not item.is_open:
        raise Conflict("Only an open found object gets an outcome.", code="not_available")
    if outcome in (Outcome.RETURNED, Outcome.WITHDRAWN):
        raise ValidationFailed("An object goes back to its owner through a claim.", code="invalid", field="outcome")
    async with in_transaction() as conn:
        item.is_open, item.outcome, item.closed_at = False, outcome, utcnow()
        await item.save(update_fields=["is_open", "outcome", "closed_at"], using_db=conn)
        await _resolve(item.request, actor, conn)
        if outcome == Outcome.TO_FINDER and item.request.author_id:
            await _tell(item.request, {"fr": "Personne n'a réclamé l'objet que vous avez trouvé : vous pouvez venir "
                                             "le chercher au bureau des objets trouvés.",
                                       "en": "Nobody claimed the object you found: you may collect it at the "
                                             "lost-property office."}, conn)
        await audit.record(action=f"lostfound.{outcome.value}", actor=actor, organisation_id=item.organisation_id,
                           target=item.request.ref, ip=ip, using_db=conn)
    return item


async def expire_holdings(now: Any = None) -> int:
    """The worker's round: found objects whose holding period ended get an internal note and wait for the
    office's decision (to the finder, donated, destroyed, sent to the issuer)."""
    now = now or utcnow()
    due = await Item.filter(side=Side.FOUND, is_open=True, holding_until__lt=now, holding_ended_at=None).limit(500)
    for item in due:
        async with in_transaction() as conn:
            item.holding_ended_at = now
            await item.save(update_fields=["holding_ended_at"], using_db=conn)
            await Event.create(request_id=item.request_id, kind="note", at=now, public=False, using_db=conn,
                               comment="Délai de garde échu : décider du sort de l'objet (trouveur, don, "
                                       "destruction, renvoi à l'émetteur).")
    return len(due)


async def _claim(claim_id: int) -> Claim:
    made = await Claim.filter(id=claim_id).prefetch_related(
        "lost__request__author", "found__request__author", "found__organisation").first()
    if made is None:
        raise NotFound("No such claim.", code="unknown_claim")
    return made


async def _resolve(req: Any, actor: User, conn: Any) -> None:
    if req.status in (Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS):
        await requests.change_status(req=req, to=Status.RESOLVED, actor=actor, conn=conn)


async def _tell(req: Any, text: dict[str, str], conn: Any) -> None:
    def compose(language: str) -> tuple[str, str, str]:
        subject = f"{'Your declaration' if language == 'en' else 'Votre déclaration'} {req.ref}"
        return subject, text.get(language, text["fr"]), "See" if language == "en" else "Voir"

    await tell_declarant(req, compose, conn)
