"""Appointments (issue 17, point 5): the free slots of a procedure's agendas, booking one with the request that asks
it, cancelling and moving it, the reminder the day before, and staff's day and week.

Slots are local wall-clock times ("2026-12-10T09:00" in TIME_ZONE): opening hours are said that way, and a slot
stays at 09:00 across a change of summer time. Places are counted in `agenda_slot`: taking one is an INSERT of
the row if it is missing, then one UPDATE that adds a place only while `taken < capacity` and the slot is not
blocked, in the request's transaction. Two people booking the last place at once: one UPDATE changes a row,
the other changes none and gets 409 `slot_full`, and its request is not made either.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from tortoise.transactions import in_transaction

from backend import db, exports
from backend.appointments.models import Agenda, Booking, BookingStatus, Slot
from backend.errors import Conflict, NotFound, ValidationFailed
from backend.requests.models import Event, Service, ServiceRequest

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOUR_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
START_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
WEEKDAYS = {"fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
            "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}
MONTHS = {"fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre"),
          "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December")}
OPEN = (BookingStatus.BOOKED,)


def check_hours(hours: Any) -> dict[str, list[list[str]]]:
    """Opening hours as {weekday: [[from, to], ...]}, each `HH:MM`, in order and not overlapping."""
    if not isinstance(hours, dict) or set(hours) - set(DAYS):
        raise ValidationFailed(f"hours: an object by weekday ({', '.join(DAYS)}).", code="invalid", field="hours")
    out = {}
    for day, spans in hours.items():
        if not isinstance(spans, list) or not all(isinstance(s, list) and len(s) == 2 and all(
                isinstance(x, str) and HOUR_RE.match(x) for x in s) and s[0] < s[1] for s in spans):
            raise ValidationFailed(f"hours.{day}: a list of [from, to] as HH:MM.", code="invalid", field=f"hours.{day}")
        spans = sorted(spans)
        if any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
            raise ValidationFailed(f"hours.{day}: the spans overlap.", code="invalid", field=f"hours.{day}")
        out[day] = spans
    return out


def now_local() -> datetime:
    """The municipalities' wall-clock time now (exports.local, as exports and e-mails show it)."""
    return exports.local(datetime.now(timezone.utc))


def now_slot() -> str:
    """Now as a slot's start is written: a slot at or before it has begun."""
    return now_local().strftime("%Y-%m-%dT%H:%M")


def starts_on(agenda: Agenda, day: date) -> list[str]:
    """The slots of one day, from its opening hours: a slot begins where a whole one fits before closing."""
    out = []
    step = timedelta(minutes=agenda.slot_minutes)
    for begin, end in (agenda.hours or {}).get(DAYS[day.weekday()], []):
        at = datetime.combine(day, datetime.strptime(begin, "%H:%M").time())
        close = datetime.combine(day, datetime.strptime(end, "%H:%M").time())
        while at + step <= close:
            out.append(at.strftime("%Y-%m-%dT%H:%M"))
            at += step
    return out


def describe(agenda: Agenda, start: str, language: str) -> str:
    """"jeudi 10 décembre 2026 à 09:00, Guichet 1 (Hôtel de ville, rez)": when and where, in words."""
    lang = language if language in WEEKDAYS else "fr"
    at = datetime.strptime(start, "%Y-%m-%dT%H:%M")
    name = (agenda.name_en if lang == "en" else "") or agenda.name_fr
    where = f"{name} ({agenda.place})" if agenda.place else name
    if lang == "en":
        return f"{WEEKDAYS['en'][at.weekday()]} {at.day} {MONTHS['en'][at.month - 1]} {at.year} at {at:%H:%M}, {where}"
    return f"{WEEKDAYS['fr'][at.weekday()]} {at.day} {MONTHS['fr'][at.month - 1]} {at.year} à {at:%H:%M}, {where}"


def dump_agenda(agenda: Agenda, language: str) -> dict:
    return {"id": agenda.id, "name": (agenda.name_en if language == "en" else "") or agenda.name_fr,
            "place": agenda.place, "slot_minutes": agenda.slot_minutes, "capacity": agenda.capacity,
            "days_ahead": agenda.days_ahead, "hours": agenda.hours}


async def agendas_of(service: Service) -> list[Agenda]:
    return await Agenda.filter(service_id=service.id, active=True).order_by("id")


async def _taken(agenda_ids: list[int], first: str, last: str) -> dict[tuple[int, str], Slot]:
    rows = await Slot.filter(agenda_id__in=agenda_ids, start__gte=first, start__lte=last) if agenda_ids else []
    return {(s.agenda_id, s.start): s for s in rows}  # type: ignore[attr-defined]


def _days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


async def free_slots(service: Service, first: date, days: int, language: str) -> dict:
    """The agendas of a procedure and their slots from `first` for `days` days that one may still book, with the
    places left: not past, not beyond the agenda's horizon, not blocked, not full."""
    agendas = await agendas_of(service)
    now = now_slot()
    span = _days(first, days)
    taken = await _taken([a.id for a in agendas], f"{first}T00:00", f"{span[-1]}T23:59")
    slots = []
    for agenda in agendas:
        horizon = (now_local().date() + timedelta(days=agenda.days_ahead)).isoformat()
        for day in span:
            for start in starts_on(agenda, day):
                row = taken.get((agenda.id, start))
                left = agenda.capacity - (row.taken if row else 0)
                if start > now and start[:10] <= horizon and left > 0 and not (row and row.blocked):
                    slots.append({"agenda": agenda.id, "start": start, "free": left})
    return {"agendas": [dump_agenda(a, language) for a in agendas], "slots": slots}


async def chosen(service: Service, raw: Any, field: str = "appointment") -> tuple[Agenda, str]:
    """`<agenda id>@YYYY-MM-DDTHH:MM`, checked against the procedure's agendas and hours (not yet its places)."""
    agenda_id, _, start = str(raw or "").partition("@")
    if not agenda_id.isdigit() or not START_RE.match(start):
        raise ValidationFailed("appointment: <agenda id>@YYYY-MM-DDTHH:MM, a slot of GET .../slots.", code="invalid",
                               field=field)
    agenda = await Agenda.get_or_none(id=int(agenda_id), service_id=service.id, active=True)
    if agenda is None:
        raise ValidationFailed("This agenda is not one of this procedure's.", code="unknown_agenda", field=field)
    try:
        day = date.fromisoformat(start[:10])
    except ValueError:
        raise ValidationFailed("appointment: not a day of the calendar.", code="invalid", field=field) from None
    if start not in starts_on(agenda, day):
        raise ValidationFailed("This time is not a slot of the agenda (its opening hours).", code="not_a_slot",
                               field=field)
    if start <= now_slot():
        raise ValidationFailed("This slot is in the past.", code="in_the_past", field=field)
    if day > now_local().date() + timedelta(days=agenda.days_ahead):
        raise ValidationFailed(f"Appointments are booked at most {agenda.days_ahead} days ahead.", code="too_far",
                               field=field, params={"days": agenda.days_ahead})
    return agenda, start


def _marks() -> tuple[str, str, str]:
    return ("$1", "$2", "$3") if db.dialect() == "postgres" else ("?", "?", "?")


async def take(agenda: Agenda, start: str, conn: Any) -> None:
    """One place of the slot, or 409 slot_full (another person took the last one, or staff blocked it)."""
    p1, p2, p3 = _marks()
    await conn.execute_query(
        f"INSERT INTO agenda_slot (agenda_id, start, taken, blocked) VALUES ({p1}, {p2}, 0, FALSE) "
        "ON CONFLICT (agenda_id, start) DO NOTHING", [agenda.id, start])
    rows = await conn.execute_query_dict(
        f"UPDATE agenda_slot SET taken = taken + 1 WHERE agenda_id = {p1} AND start = {p2} AND taken < {p3} "
        "AND NOT blocked RETURNING taken", [agenda.id, start, agenda.capacity])
    if not rows:
        raise Conflict("This slot has just been taken: choose another one.", code="slot_full", field="appointment")


async def release(agenda_id: int, start: str, conn: Any) -> None:
    p1, p2, _ = _marks()
    await conn.execute_query(f"UPDATE agenda_slot SET taken = taken - 1 WHERE agenda_id = {p1} AND start = {p2} "
                             "AND taken > 0", [agenda_id, start])


def booker(agenda: Agenda, start: str, new: Any) -> Callable[[ServiceRequest, Any], Any]:
    """The `on_insert` of a new request that books: the place, the booking, and the confirmation's words."""
    async def book(req: ServiceRequest, conn: Any) -> None:
        await take(agenda, start, conn)
        await Booking.create(agenda=agenda, request=req, start=start, using_db=conn)
        new.notice = lambda language: describe(agenda, start, language)
    return book


async def give_back(req: ServiceRequest, conn: Any) -> int:
    """A withdrawn request's appointment goes with it: its place is free again (in the caller's transaction)."""
    return sum([await _free_place(booking, conn) for booking in
                await Booking.filter(request_id=req.id, status=BookingStatus.BOOKED).using_db(conn)])


async def current(req: ServiceRequest) -> Booking | None:
    return await Booking.filter(request_id=req.id).exclude(status=BookingStatus.CANCELLED).order_by("-id") \
        .select_related("agenda").first()


def dump_booking(booking: Booking | None, language: str) -> dict | None:
    if booking is None:
        return None
    agenda = booking.agenda
    end = datetime.strptime(booking.start, "%Y-%m-%dT%H:%M") + timedelta(minutes=agenda.slot_minutes)
    return {"id": booking.id, "agenda": agenda.id, "agenda_name": (agenda.name_en if language == "en" else "")
            or agenda.name_fr, "place": agenda.place, "start": booking.start, "end": end.strftime("%Y-%m-%dT%H:%M"),
            "status": booking.status.value, "text": describe(agenda, booking.start, language),
            "may_change": booking.status == BookingStatus.BOOKED and booking.start > now_slot()}


async def _event(req: ServiceRequest, action: str, booking: Booking, actor: Any, conn: Any, *,
                 staff: bool = False) -> None:
    await Event.create(request=req, kind="appointment", at=datetime.now(timezone.utc), public=True, actor=actor,
                       actor_is_staff=staff, data={"action": action, "start": booking.start,
                                                   "agenda": booking.agenda.name_fr}, using_db=conn)


async def _to_come(req: ServiceRequest, what: str) -> Booking:
    """The request's booked appointment that has not begun, which its author or staff may still change."""
    booking = await current(req)
    if booking is None or booking.status != BookingStatus.BOOKED:
        raise NotFound(f"This request has no appointment to {what}.", code="no_appointment")
    if booking.start <= now_slot():
        raise ValidationFailed("This appointment has begun or is over.", code="in_the_past", field="appointment")
    return booking


async def _free_place(booking: Booking, conn: Any) -> bool:
    """Cancels a booking still booked and gives its place back; False when another call cancelled it first."""
    if not await Booking.filter(id=booking.id, status=BookingStatus.BOOKED).using_db(conn).update(
            status=BookingStatus.CANCELLED):
        return False
    await release(booking.agenda_id, booking.start, conn)  # type: ignore[attr-defined]
    return True


async def cancel(req: ServiceRequest, actor: Any, *, staff: bool = False) -> Booking:
    """The author (or staff) gives the place back; the person is told."""
    from backend.requests.service import notify
    booking = await _to_come(req, "cancel")
    async with in_transaction() as conn:
        if not await _free_place(booking, conn):  # cancelled twice at once
            raise NotFound("This request has no appointment to cancel.", code="no_appointment")
        await _event(req, "cancelled", booking, actor, conn, staff=staff)
        await notify(req, "appointment_cancelled", conn, actor=None,
                     comment=lambda language: describe(booking.agenda, booking.start, language))
    booking.status = BookingStatus.CANCELLED
    return booking


async def move(req: ServiceRequest, raw: Any, actor: Any, *, staff: bool = False) -> Booking:
    """Another slot of the procedure's agendas: the new place is taken before the old one is given back, in one
    transaction, so a full slot leaves the appointment as it was."""
    from backend.requests.service import notify
    booking = await _to_come(req, "move")
    service = await Service.get(id=req.service_id)
    agenda, start = await chosen(service, raw)
    if (agenda.id, start) == (booking.agenda_id, booking.start):  # type: ignore[attr-defined]
        return booking
    async with in_transaction() as conn:
        await take(agenda, start, conn)
        if not await _free_place(booking, conn):
            raise NotFound("This request has no appointment to move.", code="no_appointment")
        moved = await Booking.create(agenda=agenda, request=req, start=start, using_db=conn)
        await _event(req, "moved", moved, actor, conn, staff=staff)
        await notify(req, "appointment", conn, actor=None, comment=lambda language: describe(agenda, start, language))
    moved.agenda = agenda
    return moved


async def remind_due(now: datetime | None = None) -> int:
    """The worker's round: the bookings of the next 24 hours not reminded yet get their reminder (once: the row
    is marked in the transaction that queues it)."""
    from backend.requests.service import notify
    local = exports.local(now) if now else now_local()
    first, last = local.strftime("%Y-%m-%dT%H:%M"), (local + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M")
    due = await Booking.filter(status=BookingStatus.BOOKED, reminded_at=None, start__gt=first, start__lte=last) \
        .select_related("agenda", "request").limit(500)
    sent = 0
    for booking in due:
        async with in_transaction() as conn:
            if not await Booking.filter(id=booking.id, reminded_at=None).using_db(conn).update(
                    reminded_at=datetime.now(timezone.utc)):
                continue  # another worker took it
            await notify(booking.request, "reminder", conn, actor=None,
                         comment=lambda language, b=booking: describe(b.agenda, b.start, language))
            sent += 1
    return sent
