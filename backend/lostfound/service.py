"""Declaring a lost or a found object, finding its candidates, and what each viewer may see of them."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from tortoise.transactions import in_transaction

from backend import sql
from backend.accounts.models import Organisation, User
from backend.errors import NotFound, ValidationFailed
from backend.lostfound import matching
from backend.lostfound.models import Candidate, Item, Side
from backend.push import service as push
from backend.requests import service as requests
from backend.requests.models import Service, ServiceKind, ServiceRequest

MAX_WINDOW = timedelta(days=60)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Declaration:
    side: Side
    category: str
    description: str
    when_from: datetime
    when_to: datetime
    colour: str = ""
    brand: str = ""
    marks: str = ""
    lat: float | None = None
    lon: float | None = None
    radius_m: int | None = None
    organisation: str | None = None  # when the place is unknown: the municipality
    finder_keeps: bool = False
    storage_place: str = ""


def categories_of(service: Service) -> dict[str, dict]:
    """The object categories of a lost or found service (its `categorie` attribute), editable by its managers:
    each with `holding_days` and `sensitive` (identity documents, bank cards: never shown, sent to the issuer)."""
    for attribute in service.attributes or []:
        if attribute.get("code") == "categorie":
            return {v["key"]: v for v in attribute.get("values") or []}
    return {}


async def _service_for(org: Organisation, side: Side) -> Service:
    kind = ServiceKind.LOST if side == Side.LOST else ServiceKind.FOUND
    service = await Service.filter(organisation=org, kind=kind, active=True).order_by("position", "id").first()
    if service is None:
        raise NotFound("This municipality runs no lost-property office in Guichet.", code="unknown_service",
                       field="organisation")
    return service


async def _place(d: Declaration) -> tuple[Organisation, float, float]:
    """The organisation and the request's point: the declared one, or the municipality's middle."""
    from backend.accounts import organisations

    if d.lat is not None:
        return await organisations.organisation_at(d.lat, d.lon), d.lat, d.lon
    if not d.organisation:
        raise ValidationFailed("Give the place, or the municipality when you do not know where.", code="required",
                               field="lat")
    org = await organisations.organisation_by_slug(d.organisation)
    if org.min_lat is None:
        raise ValidationFailed("This organisation has no area.", code="invalid", field="organisation")
    return org, (org.min_lat + org.max_lat) / 2, (org.min_lon + org.max_lon) / 2


def check(d: Declaration, categories: dict[str, dict]) -> None:
    if d.category not in categories:
        raise ValidationFailed("Unknown category.", code="invalid_choice", field="category")
    if d.colour and d.colour not in matching.COLOURS:
        raise ValidationFailed("Unknown colour.", code="invalid_choice", field="colour")
    if d.when_to < d.when_from:
        raise ValidationFailed("The end of the time window comes before its start.", code="invalid", field="when_to")
    if d.when_to - d.when_from > MAX_WINDOW:
        raise ValidationFailed("Narrow the time window to 60 days at most.", code="out_of_range", field="when_from")
    if d.when_from > utcnow() + timedelta(hours=1):
        raise ValidationFailed("This is in the future.", code="out_of_range", field="when_from")


def item_writer(d: Declaration, org: Organisation, category: dict, holder: dict) -> Any:
    """The `on_insert` of a lost or found request: its item row, in the request's transaction."""
    async def add_item(req: ServiceRequest, conn: Any) -> None:
        now = utcnow()
        holding = None
        if d.side == Side.FOUND and not d.finder_keeps:
            holding = now + timedelta(days=int(category.get("holding_days") or _CONFIG["holding_days"]))
        holder["item"] = await Item.create(
            request=req, organisation=org, side=d.side, category=d.category, colour=d.colour, brand=d.brand,
            description=d.description, marks=d.marks, when_from=d.when_from, when_to=d.when_to, lat=d.lat,
            lon=d.lon, radius_m=d.radius_m if d.lat is not None else None, finder_keeps=d.finder_keeps,
            storage_place=d.storage_place, holding_until=holding, created_at=now, using_db=conn)
    return add_item


def from_attributes(service: Service, attributes: dict, *, lat: float, lon: float, description: str) -> Declaration:
    """A declaration made through the report flow (Open311 attributes of the office's services), checked."""
    def moment(code: str) -> datetime | None:
        raw = attributes.get(code)
        if not raw:
            return None
        value = datetime.fromisoformat(raw)
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)

    side = Side.LOST if service.kind == ServiceKind.LOST else Side.FOUND
    when_to = moment("quand") or utcnow()
    when_from = moment("depuis") or (when_to - timedelta(hours=12) if side == Side.LOST else when_to)
    radius = attributes.get("rayon")
    unknown = side == Side.LOST and radius == "unknown"
    d = Declaration(side=side, category=attributes.get("categorie") or "", description=description,
                    when_from=when_from, when_to=when_to, colour=attributes.get("couleur") or "",
                    brand=attributes.get("marque") or "", marks=attributes.get("signes") or "",
                    lat=None if unknown else lat, lon=None if unknown else lon,
                    radius_m=int(radius) if radius and radius.isdigit() else None,
                    finder_keeps=attributes.get("garde") == "garde")
    check(d, categories_of(service))
    return d


async def declare(*, d: Declaration, author: User | None, contact_email: str, contact_name: str = "",
                  contact_phone: str = "", channel: str = "app", language: str = "fr", writer: Any = None,
                  place: tuple[Organisation, float, float] | None = None) -> tuple[ServiceRequest, Item, str | None]:
    """A lost or found object: a private request of the office's service, its item row, then its candidates.
    `place` is the declaration's organisation and point when the caller already routed it."""
    org, lat, lon = place or await _place(d)
    service = await _service_for(org, d.side)
    categories = categories_of(service)
    check(d, categories)
    holder: dict[str, Item] = {}
    new = requests.NewRequest(service=service, lat=lat, lon=lon, description=d.description,
                              attributes={"categorie": d.category}, contact_email=contact_email,
                              contact_name=contact_name, contact_phone=contact_phone,
                              channel=requests.Channel(channel), language=language, public=False,
                              on_insert=item_writer(d, org, categories[d.category], holder))
    req, token = await requests.create_request(new=new, author=author, writer=writer)
    item = holder.get("item") or await Item.get(request_id=req.id)
    await find_candidates(item)
    return req, item, token


_CONFIG = {"holding_days": 365, "min_score": 0.45}


def configure(*, holding_days: int, min_score: float) -> None:
    _CONFIG.update(holding_days=holding_days, min_score=min_score)


_SIDE_COLUMNS = "i.id, i.category, i.colour, i.brand, i.description, i.when_from, i.when_to, i.lat, i.lon, i.radius_m"


def _side(row: dict) -> matching.Side:
    for key in ("when_from", "when_to"):
        if isinstance(row[key], str):
            row[key] = datetime.fromisoformat(row[key])
    return matching.Side.of(row)


async def open_other_side(item: Item) -> list[matching.Side]:
    """The open items of the other side that could match by category and time, read in one query."""
    where = sql.Where().add("i.organisation_id = {} AND i.side = {} AND i.category = {} AND i.is_open = {}",
                            item.organisation_id, (Side.FOUND if item.side == Side.LOST else Side.LOST).value,
                            item.category, True)
    window = timedelta(days=matching.FOUND_AFTER_DAYS)
    if item.side == Side.LOST:
        where.add("i.when_to >= {} AND i.when_from <= {}", item.when_from, item.when_to + window)
    else:
        where.add("i.when_from <= {} AND i.when_to >= {}", item.when_to, item.when_from - window)
    if item.lat is not None:
        # Only those whose reach (radius and slack) covers the point, or that have no place: a flat-earth test
        # in SQL that keeps a little more than the great circle will, then scored exactly.
        dy, dx = 111_320.0, 111_320.0 * math.cos(math.radians(item.lat))
        reach = f"(COALESCE(i.radius_m, 0) + {int((item.radius_m or 0) + matching.SLACK_M) + 10})"
        where.add(f"(i.lat IS NULL OR ((i.lat - {{}}) * {dy}) * ((i.lat - {{}}) * {dy}) + "
                  f"((i.lon - {{}}) * {dx:.3f}) * ((i.lon - {{}}) * {dx:.3f}) <= {reach} * {reach})",
                  item.lat, item.lat, item.lon, item.lon)
    return [_side(r) for r in await sql.rows(f"SELECT {_SIDE_COLUMNS} FROM lost_found_item i WHERE {where}",
                                             where.values)]


async def find_candidates(item: Item) -> list[Candidate]:
    """Scores the new item against the other side, keeps the candidates, and tells the owners of lost ones."""
    me = matching.Side.of(item)
    pairs = []
    for other in await open_other_side(item):
        lost, found = (me, other) if item.side == Side.LOST else (other, me)
        result = matching.score(lost, found)
        if result and result[0] >= _CONFIG["min_score"]:
            pairs.append((lost.id, found.id, *result))
    if not pairs:
        return []
    now = utcnow()
    pairs.sort(key=lambda p: -p[2])
    pairs = pairs[:20]
    column = "found_id" if item.side == Side.LOST else "lost_id"
    others = [p[1] if item.side == Side.LOST else p[0] for p in pairs]
    mine = "lost_id" if item.side == Side.LOST else "found_id"
    known = set(await Candidate.filter(**{mine: item.id, f"{column}__in": others}).values_list(column, flat=True))
    fresh = [Candidate(lost_id=lost_id, found_id=found_id, score=value, reasons=reasons, created_at=now)
             for lost_id, found_id, value, reasons in pairs
             if (found_id if item.side == Side.LOST else lost_id) not in known]
    if not fresh:
        return []
    async with in_transaction() as conn:
        await Candidate.bulk_create(fresh, using_db=conn)
        # Each owner is told once, however many objects were found for them in this round.
        for lost_id in sorted({c.lost_id for c in fresh}):
            await _tell_owner(lost_id, conn)
    return fresh


async def _tell_owner(lost_id: int, conn: Any) -> None:
    """"An object that may be yours was found": no finder, no private marks, a link to the declaration."""
    lost = await Item.filter(id=lost_id).using_db(conn).prefetch_related("request__author").first()
    req = lost.request
    if not lost.is_open:
        return

    def compose(language: str) -> tuple[str, str, str]:
        if language == "en":
            return (f"An object that may be yours was found ({req.ref})",
                    "An object of the same kind was handed to the lost-property office. Open your declaration to "
                    "see it and claim it if it is yours.", "See it")
        return (f"Un objet qui pourrait être le vôtre a été trouvé ({req.ref})",
                "Un objet du même genre a été remis au bureau des objets trouvés. Ouvrez votre déclaration pour le "
                "voir et le réclamer s'il est à vous.", "Voir")

    await tell_declarant(req, compose, conn, kind="status")


async def tell_declarant(req: ServiceRequest, compose: Any, conn: Any, *, kind: str = "comment") -> None:
    """Tells the author of a declaration (inbox, push, e-mail as they chose; the tracking link when anonymous)."""
    base = requests._CONFIG["base_url"]
    update = push.Update(kind=kind, compose=compose, topic=f"lf{req.ref.replace('-', '')}"[:32], ref=req.ref,
                         status=str(getattr(req.status, "value", req.status)))
    users = [req.author] if req.author_id and req.author.is_active else []
    await push.notify(update=update, users=users, user_url=f"{base}/lost/{req.ref}",
                      anonymous_email=req.contact_email if not req.author_id else "",
                      anonymous_url=f"{base}/track/{requests.tracking_token(req.ref)}",
                      anonymous_language=req.language, request=req, using_db=conn)


def public_found(item: Item, category: dict, language: str, photos: list[dict]) -> dict:
    """A found object as anyone sees it: category, day, area; a photo only of objects that are not sensitive;
    never the distinguishing marks, the brand's serial details or who found it."""
    return {
        "ref": item.request.ref,
        "category": item.category,
        "category_name": category.get("name_en" if language == "en" else "name") or item.category,
        "colour": item.colour,
        "found_on": item.when_to.date().isoformat(),
        "area": _area(item),
        "photos": [] if category.get("sensitive") else photos,
        "at_office": not item.finder_keeps,
        "open": item.is_open,
    }


def _area(item: Item) -> dict | None:
    # About a kilometre (two decimals of a degree): where to look, not the doorstep where it lay.
    if item.lat is None:
        return None
    return {"lat": round(item.lat, 2 if item.radius_m is None else 3), "lon": round(item.lon, 2)}


def staff_item(item: Item) -> dict:
    return {
        "ref": item.request.ref, "side": item.side.value, "category": item.category, "colour": item.colour,
        "brand": item.brand, "description": item.description, "marks": item.marks,
        "when_from": item.when_from.isoformat(), "when_to": item.when_to.isoformat(),
        "lat": item.lat, "lon": item.lon, "radius_m": item.radius_m, "finder_keeps": item.finder_keeps,
        "storage_place": item.storage_place,
        "holding_until": item.holding_until.isoformat() if item.holding_until else None,
        "open": item.is_open, "outcome": item.outcome.value if item.outcome else None,
    }
