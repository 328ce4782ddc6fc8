"""Lost and found endpoints: thin handlers over the lostfound services."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.accounts import organisations
from backend.audit import service as audit
from backend.errors import Forbidden, NotFound, ValidationFailed
from backend.lostfound import claims, schemas, service
from backend.lostfound.models import Candidate, Claim, ClaimState, Item, Outcome, Side
from backend.media import service as media
from backend.requests import queries
from backend.requests.request_routes import _read_form, _request_and_relation
from backend.web import caller_key, client_ip, doc, json_response, language_of, page_limit, read_json, settings_of, viewer


def _declaration(form: dict, side: Side) -> service.Declaration:
    when_from = queries.parse_time(form["when_from"], "when_from")
    when_to = queries.parse_time(form["when_to"], "when_to")
    if (form.get("lat") is None) != (form.get("lon") is None):
        raise ValidationFailed("Give both lat and lon, or neither.", code="required", field="lon")
    return service.Declaration(side=side, category=form["category"], description=form["description"],
                               when_from=when_from, when_to=when_to, colour=form.get("colour") or "",
                               brand=form.get("brand") or "", marks=form.get("marks") or "", lat=form.get("lat"),
                               lon=form.get("lon"), radius_m=form.get("radius_m"),
                               organisation=form.get("organisation"), finder_keeps=bool(form.get("finder_keeps")),
                               storage_place=form.get("storage_place") or "")


async def _declare(request: Request, side: Side) -> JSONResponse:
    v = await viewer(request)
    form = await read_json(request, schemas.lost if side == Side.LOST else schemas.found)
    d = _declaration(form, side)
    channel = form.get("channel") or "app"
    place = None
    if channel != "app" or d.storage_place:
        place = await service._place(d)
        if not v.has_role(place[0].id, *claims.OFFICE):
            raise Forbidden("Only the office records an object handed in at the counter.", field="channel")
    elif v.user is None and not form.get("contact_email"):
        raise ValidationFailed("Give an e-mail address so that we can tell you what happens.", code="required",
                               field="contact_email")
    author = v.user if channel == "app" else None
    req, item, token = await service.declare(
        d=d, author=author, contact_email=form.get("contact_email") or "", contact_name=form.get("contact_name") or "",
        contact_phone=form.get("contact_phone") or "", channel=channel,
        language=form.get("language") or language_of(request, v.user), place=place)
    body = {"ref": req.ref, "item": service.staff_item(await _loaded(item))}
    if token:
        body["tracking_token"] = token
    return json_response(body, 201)


async def _loaded(item: Item) -> Item:
    await item.fetch_related("request")
    return item


@doc("Declare a lost object (private: you and the office). Candidates found later are offered to you.",
     body=schemas.lost, tag="lostfound", responses={201: "`{ref, item, tracking_token?}`"})
async def declare_lost(request: Request) -> JSONResponse:
    return await _declare(request, Side.LOST)


@doc("Declare a found object (a citizen), or record one handed in (the office, with its storage place).",
     body=schemas.found, tag="lostfound", responses={201: "`{ref, item}`"})
async def declare_found(request: Request) -> JSONResponse:
    return await _declare(request, Side.FOUND)


async def _categories(org_id: int, side: Side) -> dict[str, dict]:
    from backend.accounts.models import Organisation

    return service.categories_of(await service._service_for(await Organisation.get(id=org_id), side))


@doc("Found objects anyone may look through: category, day, area; never marks nor finder.", tag="lostfound",
     query={"organisation": "slug", "category": "key", "since": "found since (ISO 8601)", "limit": "1-200"},
     responses={200: "`{items, next_cursor: null}`"})
async def public_found(request: Request) -> JSONResponse:
    p = request.query_params
    query = Item.filter(side=Side.FOUND, is_open=True)
    if p.get("organisation"):
        query = query.filter(organisation_id=(await organisations.organisation_by_slug(p["organisation"])).id)
    if p.get("category"):
        query = query.filter(category=p["category"])
    if p.get("since"):
        query = query.filter(when_to__gte=queries.parse_time(p["since"], "since"))
    items = await query.order_by("-when_to", "-id").limit(page_limit(request, default=100, maximum=200)).prefetch_related(
        "request")
    lang = language_of(request, (await viewer(request)).user)
    photos = await media.photos_of([i.request_id for i in items])
    cats: dict[int, dict] = {}
    out = []
    for item in items:
        if item.organisation_id not in cats:
            cats[item.organisation_id] = await _categories(item.organisation_id, Side.FOUND)
        category = cats[item.organisation_id].get(item.category, {})
        shown = [media.dump_photo(ph) for ph in photos.get(item.request_id, []) if ph["role"] == "report"]
        out.append(service.public_found(item, category, lang, shown))
    return json_response({"items": out, "next_cursor": None})


@doc("My declaration (its author, with `?token=` when anonymous, or the office): the object and, for a lost "
     "one, the candidates found (without finder nor private marks).", tag="lostfound",
     responses={200: "`{ref, item, candidates}`", 404: "unknown_request"})
async def my_declaration(request: Request) -> JSONResponse:
    req, relation, v = await _request_and_relation(request)
    item = await Item.get_or_none(request_id=req.id)
    if item is None or relation not in ("author", "staff"):
        raise NotFound("No such declaration of yours.", code="unknown_request")
    item.request = req
    lang = language_of(request, v.user)
    body: dict[str, Any] = {"ref": req.ref, "status": str(req.status.value if hasattr(req.status, "value") else req.status),
                            "item": service.staff_item(item), "candidates": [], "claims": []}
    if item.side == Side.LOST:
        candidates = await Candidate.filter(lost_id=item.id).order_by("-score").prefetch_related("found__request")
        cats = await _categories(item.organisation_id, Side.FOUND)
        photos = await media.photos_of([c.found.request_id for c in candidates])
        for c in candidates:
            shown = [media.dump_photo(ph) for ph in photos.get(c.found.request_id, []) if ph["role"] == "report"]
            view = service.public_found(c.found, cats.get(c.found.category, {}), lang, shown) | {"score": c.score}
            if relation == "staff":
                view["reasons"] = c.reasons
            body["candidates"].append(view)
        body["claims"] = [{"id": c.id, "found": c.found.request.ref, "state": c.state.value}
                          for c in await Claim.filter(lost_id=item.id).prefetch_related("found__request")]
    return json_response(body)


@doc("Claim a candidate of my lost declaration, answering what only the owner knows.", body=schemas.claim,
     tag="lostfound", responses={201: "`{id, state}`", 404: "unknown_candidate", 429: "too many claims today"})
async def make_claim(request: Request) -> JSONResponse:
    req, relation, v = await _request_and_relation(request)
    item = await Item.get_or_none(request_id=req.id, side=Side.LOST)
    if item is None or relation != "author":
        raise NotFound("No such declaration of yours.", code="unknown_request")
    item.request = req
    settings = settings_of(request)
    writer = None
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        # With a proof: a photo of the receipt, of the object at home... (one, private: the owner and the office).
        fields, uploads = await _read_form(request)
        if len(uploads) > 1:
            raise ValidationFailed("One proof photo at most.", code="too_many_photos", field="photo")
        form = schemas.claim.parse(fields, settings)
        if uploads:
            prepared = await media.prepare_all(uploads, settings=settings, gate=request.app.state.image_gate,
                                               caller=caller_key(request, v))
            writer = media.PhotoWriter(settings, prepared)
    else:
        form = await read_json(request, schemas.claim)
    made = await claims.claim(viewer=v, lost=item, found_ref=form["found"], answer=form["answer"],
                              per_day=settings.lost_claims_per_day, ip=client_ip(request), writer=writer)
    return json_response({"id": made.id, "state": made.state.value}, 201)


async def _office_org(request: Request) -> int:
    v = await viewer(request)
    slug = request.query_params.get("organisation", "")
    org = await organisations.organisation_by_slug(slug)
    claims.require_office(v, org.id)
    return org.id


@doc("The office's register: open found objects, where they are kept, their deadlines (`due=week`: ending within "
     "seven days).", auth="staff", tag="lostfound", query={"organisation": "slug", "due": "week"},
     responses={200: "`{items}`", 403: "forbidden"})
async def register(request: Request) -> JSONResponse:
    org_id = await _office_org(request)
    query = Item.filter(organisation_id=org_id, side=Side.FOUND, is_open=True)
    if request.query_params.get("due") == "week":
        query = query.filter(holding_until__lte=service.utcnow() + timedelta(days=7))
    items = await query.order_by("holding_until", "id").limit(1000).prefetch_related("request")
    return json_response({"items": [service.staff_item(i) | {"holding_ended": i.holding_ended_at is not None}
                                    for i in items], "next_cursor": None})


@doc("Candidate pairs of the office, best first, with the reasons of each score.", auth="staff", tag="lostfound",
     query={"organisation": "slug"}, responses={200: "`{items: [{lost, found, score, reasons}]}`"})
async def candidate_pairs(request: Request) -> JSONResponse:
    org_id = await _office_org(request)
    pairs = await Candidate.filter(lost__organisation_id=org_id, lost__is_open=True, found__is_open=True) \
        .order_by("-score", "-id").limit(200).prefetch_related("lost__request", "found__request")
    return json_response({"items": [{"lost": c.lost.request.ref, "found": c.found.request.ref, "score": c.score,
                                     "reasons": c.reasons, "category": c.lost.category} for c in pairs],
                          "next_cursor": None})


@doc("Claims to decide, with the owner's answer beside the object's private marks (each view is audited).",
     auth="staff", tag="lostfound", query={"organisation": "slug", "state": "pending (default), accepted, ..."},
     responses={200: "`{items}`"})
async def list_claims(request: Request) -> JSONResponse:
    org_id = await _office_org(request)
    state = request.query_params.get("state") or ClaimState.PENDING.value
    if state not in {s.value for s in ClaimState}:
        raise ValidationFailed("Unknown state.", code="invalid_choice", field="state")
    rows = await Claim.filter(found__organisation_id=org_id, state=state).order_by("created_at") \
        .prefetch_related("lost__request", "found__request", "claimant")
    proofs = await media.photos_of([c.lost.request_id for c in rows])
    v = await viewer(request)
    for c in rows:
        await audit.record(action="lostfound.claim_viewed", actor=v.user, organisation_id=org_id,
                           target=c.found.request.ref, ip=client_ip(request), detail={"claim": c.id})
    return json_response({"items": [{
        "id": c.id, "state": c.state.value, "lost": c.lost.request.ref, "found": c.found.request.ref,
        "claimant": c.claimant.name if c.claimant_id else c.lost.request.contact_name or c.lost.request.contact_email,
        "answer": c.answer, "found_marks": c.found.marks, "found_description": c.found.description,
        "lost_description": c.lost.description, "created_at": c.created_at.isoformat(),
        "proofs": [media.dump_photo(ph) for ph in proofs.get(c.lost.request_id, []) if ph["role"] == "proof"]}
        for c in rows],
        "next_cursor": None})


@doc("Accept or refuse a claim; the owner is told (with the pick-up place and hours when accepted).",
     body=schemas.decision, auth="staff", tag="lostfound", responses={200: "`{id, state}`", 409: "already_decided"})
async def decide_claim(request: Request) -> JSONResponse:
    form = await read_json(request, schemas.decision)
    made = await claims.decide(viewer=await viewer(request), claim_id=request.path_params["id"], accept=form["accept"],
                               note=form.get("note") or "", ip=client_ip(request))
    return json_response({"id": made.id, "state": made.state.value})


@doc("Record the handover: the owner collected the object, identity checked.", body=schemas.handover,
     auth="staff", tag="lostfound", responses={200: "`{id, state}`", 409: "not_accepted"})
async def handover(request: Request) -> JSONResponse:
    form = await read_json(request, schemas.handover)
    made = await claims.hand_over(viewer=await viewer(request), claim_id=request.path_params["id"],
                                  identity=form["identity"], ip=client_ip(request))
    return json_response({"id": made.id, "state": made.state.value})


@doc("The office decides what becomes of a found object nobody claimed.", body=schemas.outcome, auth="staff",
     tag="lostfound", responses={200: "the object", 409: "not_available"})
async def set_outcome(request: Request) -> JSONResponse:
    form = await read_json(request, schemas.outcome)
    item = await Item.get_or_none(request__ref=request.path_params["ref"]).prefetch_related("request__author")
    if item is None:
        raise NotFound("No such object.", code="unknown_request")
    done = await claims.set_outcome(viewer=await viewer(request), item=item, outcome=Outcome(form["outcome"]),
                                    ip=client_ip(request))
    return json_response(service.staff_item(done))


@doc("The office moves a found object: its storage place.", body=schemas.storage, auth="staff", tag="lostfound",
     responses={200: "the object", 403: "forbidden"})
async def move_item(request: Request) -> JSONResponse:
    item = await Item.get_or_none(request__ref=request.path_params["ref"], side=Side.FOUND).prefetch_related("request")
    if item is None:
        raise NotFound("No such found object.", code="unknown_request")
    form = await read_json(request, schemas.storage)
    moved = await claims.move(viewer=await viewer(request), item=item, storage_place=form["storage_place"],
                              ip=client_ip(request))
    return json_response(service.staff_item(moved))


routes = [
    Route("/api/v1/lostfound/lost", declare_lost, methods=["POST"]),
    Route("/api/v1/lostfound/found", declare_found, methods=["POST"]),
    Route("/api/v1/lostfound/found", public_found, methods=["GET"]),
    Route("/api/v1/lostfound/register", register, methods=["GET"]),
    Route("/api/v1/lostfound/candidates", candidate_pairs, methods=["GET"]),
    Route("/api/v1/lostfound/claims", list_claims, methods=["GET"]),
    Route("/api/v1/lostfound/claims/{id:int}/decision", decide_claim, methods=["POST"]),
    Route("/api/v1/lostfound/claims/{id:int}/handover", handover, methods=["POST"]),
    Route("/api/v1/lostfound/{ref}", my_declaration, methods=["GET"]),
    Route("/api/v1/lostfound/{ref}", move_item, methods=["PATCH"]),
    Route("/api/v1/lostfound/{ref}/claims", make_claim, methods=["POST"]),
    Route("/api/v1/lostfound/{ref}/outcome", set_outcome, methods=["POST"]),
]
