"""Appointment endpoints: a procedure's free slots, cancelling or moving one's appointment, and staff's agendas.
Thin handlers over service.py and staff.py."""
from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.accounts import service as accounts
from backend.appointments import schemas, service, staff
from backend.errors import NotFound, ValidationFailed
from backend.requests import catalogue
from backend.requests import service as requests
from backend.web import doc, json_response, language_of, read_json, viewer


def _span(request: Request, *, most: int) -> tuple[date, int]:
    """`from` (a day, today by default) and `days` (1 to `most`)."""
    raw_from, raw_days = request.query_params.get("from", ""), request.query_params.get("days", "7")
    try:
        first = date.fromisoformat(raw_from) if raw_from else service.now_local().date()
    except ValueError:
        raise ValidationFailed("from must be a day (YYYY-MM-DD).", code="invalid_type", field="from") from None
    if not raw_days.isdigit() or not 1 <= int(raw_days) <= most:
        raise ValidationFailed(f"days must be 1 to {most}.", code="out_of_range", field="days", params={"max": most})
    return first, int(raw_days)


@doc("The free slots of a procedure with appointments, from `from` (YYYY-MM-DD, today by default) for `days` "
     "(1-31): its agendas, and each slot one may still book with the places left.", tag="appointments",
     query={"from": "YYYY-MM-DD", "days": "1-31"}, responses={200: "`{agendas, slots: [{agenda, start, free}]}`",
                                                           404: "unknown_service"})
async def slots(request: Request) -> JSONResponse:
    v = await viewer(request)
    org = await accounts.organisation_by_slug(request.path_params["slug"])
    svc = await catalogue.service_by_code(org, request.path_params["code"])
    first, days = _span(request, most=31)
    return json_response(await service.free_slots(svc, first, days, language_of(request, v.user)))


async def _own(request: Request) -> tuple:
    """The request, for its author (signed in or by tracking token) or its staff."""
    v = await viewer(request)
    token = request.headers.get("x-tracking-token") or request.query_params.get("token") or ""
    req, relation = await requests.request_for(request.path_params["ref"], v, token)
    if relation not in ("author", "staff"):
        raise NotFound(f"No request {req.ref}.", code="unknown_request")
    return req, relation, v


@doc("Cancel the request's appointment (its author, or staff): the place is free again, the person is told.",
     tag="appointments", responses={200: "the appointment, cancelled", 404: "no_appointment"})
async def cancel(request: Request) -> JSONResponse:
    req, relation, v = await _own(request)
    booking = await service.cancel(req, v.user, staff=relation == "staff")
    return json_response({"appointment": service.dump_booking(booking, language_of(request, v.user))})


@doc("Move the request's appointment to another free slot (its author, or staff); a full slot leaves it as it "
     "was (409 slot_full).", body=schemas.move, tag="appointments",
     responses={200: "the new appointment", 409: "slot_full", 422: "not_a_slot, in_the_past, too_far"})
async def move(request: Request) -> JSONResponse:
    req, relation, v = await _own(request)
    body = await read_json(request, schemas.move)
    booking = await service.move(req, body["appointment"], v.user, staff=relation == "staff")
    return json_response({"appointment": service.dump_booking(booking, language_of(request, v.user))})


@doc("Add an agenda to a procedure (its service managers): opening hours, slot length, places per slot.",
     body=schemas.new_agenda, auth="staff", tag="appointments", responses={201: "the agenda", 403: "forbidden"})
async def create_agenda(request: Request) -> JSONResponse:
    v = await viewer(request)
    org = await accounts.organisation_by_slug(request.path_params["slug"])
    svc = await catalogue.service_by_code(org, request.path_params["code"])
    agenda = await staff.create(v, svc, await read_json(request, schemas.new_agenda))
    return json_response(service.dump_agenda(agenda, language_of(request, v.user)), 201)


@doc("The agendas of the procedures the viewer handles.", auth="staff", tag="appointments",
     responses={200: "`{items}`"})
async def list_agendas(request: Request) -> JSONResponse:
    v = await viewer(request)
    return json_response({"items": await staff.visible(v, language_of(request, v.user))})


@doc("An agenda's day or week: each slot, its places, whether blocked, its bookings.", auth="staff",
     tag="appointments", query={"from": "YYYY-MM-DD", "days": "1-7"},
     responses={200: "`{agenda, days: [{day, slots}]}`", 404: "unknown_agenda"})
async def agenda_days(request: Request) -> JSONResponse:
    v = await viewer(request)
    first, days = _span(request, most=7)
    return json_response(await staff.days(v, request.path_params["id"], first, days, language_of(request, v.user)))


@doc("Mark an appointment attended or no-show (or booked again).", body=schemas.mark, auth="staff",
     tag="appointments", responses={200: "the booking", 404: "unknown_booking", 422: "too_early"})
async def mark_booking(request: Request) -> JSONResponse:
    v = await viewer(request)
    body = await read_json(request, schemas.mark)
    booking = await staff.mark(v, request.path_params["id"], body["status"])
    return json_response({"id": booking.id, "status": booking.status.value})


@doc("Block a slot of an agenda (no more bookings in it) or open it again.", body=schemas.block, auth="staff",
     tag="appointments", responses={200: "`{start, blocked}`", 404: "unknown_agenda", 422: "not_a_slot"})
async def block_slot(request: Request) -> JSONResponse:
    v = await viewer(request)
    body = await read_json(request, schemas.block)
    return json_response(await staff.block(v, request.path_params["id"], body["start"], body["blocked"]))


routes = [
    Route("/api/v1/procedures/{slug}/{code}/slots", slots, methods=["GET"]),
    Route("/api/v1/organisations/{slug}/services/{code}/agendas", create_agenda, methods=["POST"]),
    Route("/api/v1/requests/{ref}/appointment/cancel", cancel, methods=["POST"]),
    Route("/api/v1/requests/{ref}/appointment/move", move, methods=["POST"]),
    Route("/api/v1/staff/agendas", list_agendas, methods=["GET"]),
    Route("/api/v1/staff/agendas/{id:int}", agenda_days, methods=["GET"]),
    Route("/api/v1/staff/agendas/{id:int}/slots", block_slot, methods=["POST"]),
    Route("/api/v1/staff/bookings/{id:int}", mark_booking, methods=["POST"]),
]
