"""Staff's side of appointments: agendas made by service managers, the day and week of an agenda with its
bookings, attended or no-show, and slots blocked (a counter closed for a morning)."""
from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from backend.appointments import service
from backend.appointments.models import Agenda, Booking, BookingStatus, Slot
from backend.audit import service as audit
from backend.errors import Forbidden, NotFound, ValidationFailed
from backend.requests.catalogue import MANAGERS
from backend.requests.models import Service
from backend.requests.service import OFFICE_HANDLING


async def _agenda_for(viewer: Any, agenda_id: int) -> tuple[Agenda, Service]:
    """The agenda, for the staff who handle its procedure; unknown to anyone else."""
    viewer.require_user()
    agenda = await Agenda.get_or_none(id=agenda_id).select_related("service")
    if agenda is None or not viewer.has_role(agenda.service.organisation_id, *OFFICE_HANDLING,  # type: ignore[attr-defined]
                                             service_id=agenda.service.id):
        raise NotFound("No such agenda.", code="unknown_agenda")
    return agenda, agenda.service


async def create(viewer: Any, service_row: Service, fields: dict) -> Agenda:
    viewer.require_user()
    if not viewer.has_role(service_row.organisation_id, *MANAGERS, service_id=service_row.id):  # type: ignore[attr-defined]
        raise Forbidden("Only the service managers of this procedure make its agendas.")
    fields["hours"] = service.check_hours(fields["hours"])
    agenda = await Agenda.create(service=service_row, **{k: v for k, v in fields.items() if v is not None})
    await audit.record(action="agenda.created", actor=viewer.user, organisation_id=service_row.organisation_id,  # type: ignore[attr-defined]
                       target=f"agenda:{agenda.id}", detail={"service": service_row.code, "name": agenda.name_fr})
    return agenda


async def visible(viewer: Any, language: str) -> list[dict]:
    """The agendas of the procedures the viewer handles, with their procedure's name."""
    viewer.require_user()
    out = []
    for agenda in await Agenda.filter(active=True).select_related("service").order_by("service_id", "id"):
        svc = agenda.service
        if viewer.has_role(svc.organisation_id, *OFFICE_HANDLING, service_id=svc.id):  # type: ignore[attr-defined]
            out.append(service.dump_agenda(agenda, language) | {
                "service": svc.code, "service_name": (svc.name_en if language == "en" else "") or svc.name_fr})
    return out


async def days(viewer: Any, agenda_id: int, first: date, count: int, language: str) -> dict:
    """Each slot of the agenda's days with its places, whether blocked, and its bookings (who, for what)."""
    agenda, svc = await _agenda_for(viewer, agenda_id)
    span = service._days(first, count)
    low, high = f"{first}T00:00", f"{span[-1]}T23:59"
    counts = await service._taken([agenda.id], low, high)
    bookings: dict[str, list[dict]] = {}
    for b in await Booking.filter(agenda_id=agenda.id, start__gte=low, start__lte=high).exclude(
            status=BookingStatus.CANCELLED).select_related("request", "request__author").order_by("start", "id"):
        req = b.request
        who = (req.author.name if req.author_id else "") or req.contact_name or req.contact_email  # type: ignore[attr-defined]
        bookings.setdefault(b.start, []).append({"id": b.id, "ref": req.ref, "who": who, "status": b.status.value})
    out = []
    for day in span:
        starts = service.starts_on(agenda, day)
        extra = sorted(s for s in bookings if s.startswith(day.isoformat()) and s not in starts)  # hours changed since
        rows = {s: counts.get((agenda.id, s)) for s in sorted(starts + extra)}
        out.append({"day": day.isoformat(), "slots": [{
            "start": s, "capacity": agenda.capacity, "taken": row.taken if row else 0,
            "blocked": bool(row and row.blocked), "bookings": bookings.get(s, [])} for s, row in rows.items()]})
    return {"agenda": service.dump_agenda(agenda, language) | {"service": svc.code}, "days": out}


async def mark(viewer: Any, booking_id: int, status: str) -> Booking:
    """Attended or no-show, once the appointment's time has come; `booked` undoes a mistake."""
    booking = await Booking.get_or_none(id=booking_id).select_related("agenda", "request")
    if booking is None:
        raise NotFound("No such booking.", code="unknown_booking")
    await _agenda_for(viewer, booking.agenda.id)
    if booking.status == BookingStatus.CANCELLED:
        raise ValidationFailed("This appointment was cancelled.", code="invalid_transition", field="status")
    if status != "booked" and booking.start > service.now_slot():
        raise ValidationFailed("An appointment is marked once its time has come.", code="too_early", field="status")
    async with in_transaction() as conn:
        booking.status = BookingStatus(status)
        await booking.save(update_fields=["status"], using_db=conn)
        await service._event(booking.request, status, booking, viewer.user, conn, staff=True)
    return booking


async def block(viewer: Any, agenda_id: int, start: str, blocked: bool) -> dict:
    """A slot closed to booking (or opened again); the bookings already in it stay, for staff to call."""
    agenda, svc = await _agenda_for(viewer, agenda_id)
    if not service.START_RE.match(start) or start not in service.starts_on(agenda, date.fromisoformat(start[:10])):
        raise ValidationFailed("This time is not a slot of the agenda.", code="not_a_slot", field="start")
    slot, _ = await Slot.get_or_create(agenda_id=agenda.id, start=start)
    await Slot.filter(id=slot.id).update(blocked=blocked)
    await audit.record(action="agenda.blocked" if blocked else "agenda.unblocked", actor=viewer.user,
                       organisation_id=svc.organisation_id, target=f"agenda:{agenda.id}", detail={"start": start})  # type: ignore[attr-defined]
    return {"start": start, "blocked": blocked}
