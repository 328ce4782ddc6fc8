"""Issue 17, point 5: a procedure books a slot of one of its agendas with the request; the person is told, reminded
the day before, may cancel or move it; staff see the day, mark attended or no-show, block slots; the last place is
never given twice, however many ask for it at once."""
from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta

from backend import exports
from backend.accounts.models import Role
from backend.appointments import service as appointments
from backend.appointments.models import Agenda, Booking, Slot
from backend.push.models import Outbox
from backend.requests.models import ServiceRequest
from tests.factories import csrf, person, sign_in

EVERY_DAY = {d: [["08:00", "12:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
PASSPORT = {"code": "passeport", "name_fr": "Rendez-vous passeport", "name_en": "Passport appointment", "kind": "form",
            "attributes": [{"code": "document", "datatype": "singlevaluelist", "required": True,
                            "description": "Document", "values": [{"key": "passeport", "name": "Passeport"}]}]}
TOMORROW = (date.today() + timedelta(days=1)).isoformat()


async def _passport(new_client, town, **agenda):
    manager = await sign_in(new_client(), await person(Role.SERVICE_MANAGER, town.brenles))
    assert (await manager.post("/api/v1/organisations/brenles/services", json=PASSPORT)).status_code == 201
    ids = []
    for name in ("Guichet 1", "Guichet 2"):
        r = await manager.post("/api/v1/organisations/brenles/services/passeport/agendas", json={
            "name_fr": name, "place": "Hôtel de ville", "hours": EVERY_DAY, "slot_minutes": 30, "capacity": 1,
            "days_ahead": 20, **agenda})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


async def _book(client, slot: str, email: str = "habitant@example.org"):
    return await client.post("/api/v1/requests", json={
        "service": "passeport", "organisation": "brenles", "contact_email": email,
        "attributes": {"document": "passeport"}, "appointment": slot})


async def _free(client, day: str = TOMORROW) -> list[dict]:
    r = await client.get("/api/v1/procedures/brenles/passeport/slots", params={"from": day, "days": 1})
    assert r.status_code == 200, r.text
    return r.json()["slots"]


async def test_a_slot_is_booked_with_the_request_confirmed_cancelled_and_moved(client, new_client, town):
    first, second = await _passport(new_client, town)
    page = (await client.get("/api/v1/procedures/brenles/passeport")).json()
    assert [a["name"] for a in page["agendas"]] == ["Guichet 1", "Guichet 2"]
    free = await _free(client)
    assert {s["start"] for s in free if s["agenda"] == first} == {f"{TOMORROW}T{h}" for h in (
        "08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30")}
    await csrf(client)
    r = await _book(client, f"{first}@{TOMORROW}T09:00")
    assert r.status_code == 201, r.text
    body = r.json()
    ref, token = body["ref"], body["tracking_token"]
    assert body["appointment"]["start"] == f"{TOMORROW}T09:00" and body["appointment"]["end"] == f"{TOMORROW}T09:30"
    assert body["appointment"]["agenda_name"] == "Guichet 1" and body["appointment"]["may_change"] is True
    assert f"{first}@{TOMORROW}T09:00" not in {f"{s['agenda']}@{s['start']}" for s in await _free(client)}
    confirmation = await Outbox.get(recipient="habitant@example.org")
    assert "à 09:00, Guichet 1 (Hôtel de ville)" in confirmation.payload["text"]

    headers = {"x-tracking-token": token}
    r = await client.post(f"/api/v1/requests/{ref}/appointment/move", json={"appointment": f"{second}@{TOMORROW}T10:00"},
                          headers=headers)
    assert r.status_code == 200 and r.json()["appointment"]["agenda_name"] == "Guichet 2", r.text
    assert f"{first}@{TOMORROW}T09:00" in {f"{s['agenda']}@{s['start']}" for s in await _free(client)}  # given back
    timeline = (await client.get(f"/api/v1/track/{token}")).json()
    assert timeline["appointment"]["start"] == f"{TOMORROW}T10:00"
    assert [e["data"]["action"] for e in timeline["events"] if e["kind"] == "appointment"] == ["moved"]
    r = await client.post(f"/api/v1/requests/{ref}/appointment/cancel", headers=headers)
    assert r.status_code == 200 and r.json()["appointment"]["status"] == "cancelled"
    assert (await Slot.get(agenda_id=second, start=f"{TOMORROW}T10:00")).taken == 0
    assert (await client.get(f"/api/v1/track/{token}")).json()["appointment"] is None
    r = await client.post(f"/api/v1/requests/{ref}/appointment/cancel", headers=headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_appointment"
    # A request withdrawn takes its appointment with it: the place is free again.
    r = await _book(client, f"{first}@{TOMORROW}T11:30")
    withdrawn = r.json()
    assert (await Slot.get(agenda_id=first, start=f"{TOMORROW}T11:30")).taken == 1
    r = await client.post(f"/api/v1/requests/{withdrawn['ref']}/withdraw", json={},
                          headers={"x-tracking-token": withdrawn["tracking_token"]})
    assert r.status_code in (200, 201), r.text
    assert (await Slot.get(agenda_id=first, start=f"{TOMORROW}T11:30")).taken == 0
    assert f"{first}@{TOMORROW}T11:30" in {f"{s['agenda']}@{s['start']}" for s in await _free(client)}
    # Nobody else may touch it.
    r = await new_client().post(f"/api/v1/requests/{ref}/appointment/move",
                                json={"appointment": f"{first}@{TOMORROW}T11:00"})
    assert r.status_code in (403, 404)


async def test_wrong_slots_are_refused_and_nothing_is_stored(client, new_client, town):
    first, _ = await _passport(new_client, town)
    await csrf(client)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    far = (date.today() + timedelta(days=25)).isoformat()
    for slot, status, code in ((None, 422, "required"), ("demain 9h", 422, "invalid"),
                               (f"{first}@{TOMORROW}T07:00", 422, "not_a_slot"),
                               (f"{first}@{TOMORROW}T09:10", 422, "not_a_slot"),
                               (f"{first}@{TOMORROW}T12:00", 422, "not_a_slot"),  # the slot would end after closing
                               (f"{first}@{yesterday}T09:00", 422, "in_the_past"),
                               (f"{first}@{far}T09:00", 422, "too_far"),
                               (f"99999@{TOMORROW}T09:00", 422, "unknown_agenda"),
                               (f"{first}@2026-02-30T09:00", 422, "invalid")):
        r = await _book(client, slot)
        error = r.json()["error"]
        assert (r.status_code, error["code"], error["field"]) == (status, code, "appointment"), (slot, r.text)
    r = await client.post("/api/v1/requests", json={
        "service": "contact", "organisation": "brenles", "contact_email": "x@example.org", "description": "Bonjour",
        "attributes": {"sujet": "autre"}, "appointment": f"{first}@{TOMORROW}T09:00"})
    assert r.status_code == 422 and r.json()["error"]["field"] in ("appointment", "attributes.sujet"), r.text
    assert not await ServiceRequest.filter(service__code="passeport").exists() and not await Booking.exists()


async def test_the_last_place_goes_to_one_person_only_when_many_ask_at_once(client, new_client, town):
    first, _ = await _passport(new_client, town, capacity=2)
    slot = f"{first}@{TOMORROW}T08:30"
    callers = [new_client() for _ in range(6)]
    for caller in callers:
        await csrf(caller)
    answers = await asyncio.gather(*(_book(c, slot, f"p{i}@example.org") for i, c in enumerate(callers)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201, 201, 409, 409, 409, 409], [r.text for r in answers]
    assert {r.json()["error"]["code"] for r in answers if r.status_code == 409} == {"slot_full"}
    assert await Booking.filter(start=f"{TOMORROW}T08:30").count() == 2
    assert (await Slot.get(agenda_id=first, start=f"{TOMORROW}T08:30")).taken == 2
    assert await ServiceRequest.filter(service__code="passeport").count() == 2  # the refused ones made nothing


async def test_staff_see_the_day_mark_attendance_and_block_slots(client, new_client, town):
    first, _ = await _passport(new_client, town)
    await csrf(client)
    ref = (await _book(client, f"{first}@{TOMORROW}T09:00", "venue@example.org")).json()["ref"]
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    assert first in [a["id"] for a in (await agent.get("/api/v1/staff/agendas")).json()["items"]]
    day = (await agent.get(f"/api/v1/staff/agendas/{first}", params={"from": TOMORROW, "days": 1})).json()
    [nine] = [s for s in day["days"][0]["slots"] if s["start"] == f"{TOMORROW}T09:00"]
    assert nine["taken"] == 1 and nine["bookings"][0]["ref"] == ref and nine["bookings"][0]["who"] == "venue@example.org"
    week = (await agent.get(f"/api/v1/staff/agendas/{first}", params={"from": TOMORROW, "days": 7})).json()
    assert len(week["days"]) == 7
    booking = nine["bookings"][0]["id"]
    r = await agent.post(f"/api/v1/staff/bookings/{booking}", json={"status": "attended"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_early"
    await Booking.filter(id=booking).update(start=(date.today() - timedelta(days=1)).isoformat() + "T09:00")
    r = await agent.post(f"/api/v1/staff/bookings/{booking}", json={"status": "no_show"})
    assert r.status_code == 200 and (await Booking.get(id=booking)).status == "no_show"

    r = await agent.post(f"/api/v1/staff/agendas/{first}/slots", json={"start": f"{TOMORROW}T10:00", "blocked": True})
    assert r.status_code == 200, r.text
    assert f"{TOMORROW}T10:00" not in {s["start"] for s in await _free(client) if s["agenda"] == first}
    r = await _book(client, f"{first}@{TOMORROW}T10:00")
    assert r.status_code == 409 and r.json()["error"]["code"] == "slot_full"
    await agent.post(f"/api/v1/staff/agendas/{first}/slots", json={"start": f"{TOMORROW}T10:00", "blocked": False})
    assert (await _book(client, f"{first}@{TOMORROW}T10:00")).status_code == 201
    # Another municipality's staff, or a citizen, do not see it.
    elsewhere = await sign_in(new_client(), await person(Role.AGENT, town.chesalles))
    assert (await elsewhere.get(f"/api/v1/staff/agendas/{first}")).status_code == 404
    assert first not in [a["id"] for a in (await elsewhere.get("/api/v1/staff/agendas")).json()["items"]]
    r = await elsewhere.post(f"/api/v1/staff/agendas/{first}/slots", json={"start": f"{TOMORROW}T11:00", "blocked": True})
    assert r.status_code == 404
    citizen = await sign_in(new_client(), await person(email="curieux@example.org"))
    assert (await citizen.post(f"/api/v1/staff/bookings/{booking}", json={"status": "attended"})).status_code in (401, 403, 404)


async def test_a_slot_that_has_begun_in_the_towns_time_is_not_offered(client, new_client, town):
    """Slots are the town's wall-clock times: one begun there is gone, whatever the server's own clock says
    (the free slots once compared them with UTC's, an hour or two behind in Europe/Zurich)."""
    first, _ = await _passport(new_client, town, hours={d: [["00:00", "23:30"]] for d in EVERY_DAY}, slot_minutes=15)
    while True:  # the town's minute, the same before and after the question (not one that turned meanwhile)
        now = datetime.now(exports.zone()).strftime("%Y-%m-%dT%H:%M")
        today = await _free(client, now[:10])
        if datetime.now(exports.zone()).strftime("%Y-%m-%dT%H:%M") == now:
            break
    starts = appointments.starts_on(await Agenda.get(id=first), date.fromisoformat(now[:10]))
    # Exactly the slots still to come are offered (none at all in the last quarter of an hour of the day).
    assert {s["start"] for s in today if s["agenda"] == first} == {s for s in starts if s > now}, now
    begun = [s for s in starts if s <= now]
    if begun:  # just after midnight there is none yet
        r = await _book(client, f"{first}@{begun[-1]}")
        assert r.status_code == 422 and r.json()["error"]["code"] == "in_the_past"


async def test_the_reminder_goes_once_the_day_before(client, new_client, town):
    first, _ = await _passport(new_client, town)
    await csrf(client)
    ref = (await _book(client, f"{first}@{TOMORROW}T11:00", "rappel@example.org")).json()["ref"]
    slot = datetime.fromisoformat(f"{TOMORROW}T11:00").replace(tzinfo=exports.zone())
    assert await appointments.remind_due(slot - timedelta(hours=30)) == 0  # too early yet
    assert await appointments.remind_due(slot - timedelta(hours=20)) == 1
    assert await appointments.remind_due(slot - timedelta(hours=19)) == 0  # once
    mails = [json.dumps(o.payload) for o in await Outbox.filter(recipient="rappel@example.org")]
    assert any("Rappel de votre rendez-vous" in m and ref in m for m in mails)
