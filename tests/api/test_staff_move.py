"""Issue 19, point 3: a request filed under the wrong service (or in the wrong municipality) is passed on, with a
reason its author reads; rights are checked on both sides and both sides' audit keeps it."""
from __future__ import annotations

from backend.accounts.models import Membership, Role, ServiceGrant
from backend.audit.models import AuditEntry
from backend.push.models import Message
from backend.requests.models import ServiceRequest
from tests.factories import IN_BRENLES, person, sign_in

POTHOLE = {"taille": "large"}


async def _citizens_pothole(new_client) -> tuple[object, object, str]:
    user = await person()
    me = await sign_in(new_client(), user)
    r = await me.post("/api/v1/requests", json={"service": "voirie", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                "attributes": POTHOLE, "description": "Le lampadaire clignote"})
    assert r.status_code == 201, r.text
    return user, me, r.json()["ref"]


async def test_an_agent_passes_a_request_to_the_right_service_and_its_author_is_told(new_client, town):
    user, me, ref = await _citizens_pothole(new_client)
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    reason = "C'est un lampadaire, pas la chaussée : le service de l'éclairage s'en occupe."
    r = await agent.post(f"/api/v1/requests/{ref}/move", json={"service": "eclairage", "reason": reason})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "moved" and r.json()["data"]["to"]["code"] == "eclairage"
    row = await ServiceRequest.get(ref=ref).prefetch_related("service")
    assert row.service.code == "eclairage" and row.organisation_id == town.brenles.id

    mine = (await me.get(f"/api/v1/requests/{ref}")).json()
    assert mine["service"]["code"] == "eclairage"
    moved = [e for e in mine["events"] if e["kind"] == "moved"][0]
    assert moved["comment"] == reason and moved["data"]["to"]["service"] == "Éclairage public en panne"
    told = await Message.filter(user_id=user.id).order_by("-id").first()
    assert told.subject == f"Votre demande {ref} est transmise au service compétent" and reason in told.body
    entry = await AuditEntry.get(action="request.moved", target=ref)
    assert entry.detail["from"]["code"] == "voirie" and entry.detail["reason"] == reason


async def test_a_move_needs_a_right_on_both_services_and_bad_moves_change_nothing(new_client, town):
    _, me, ref = await _citizens_pothole(new_client)
    roads_only = await person(Role.MEMBER, town.brenles)
    member = await Membership.get(user=roads_only, role=Role.MEMBER)
    await ServiceGrant.create(membership=member, service=town.services["voirie"], role=Role.AGENT)
    roads = await sign_in(new_client(), roads_only)
    r = await roads.post(f"/api/v1/requests/{ref}/move", json={"service": "eclairage", "reason": "Pas chez nous"})
    assert r.status_code == 403 and r.json()["error"]["field"] == "service"

    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    for body, status, code, field in (
            ({"service": "nulle-part", "reason": "Ailleurs"}, 404, "unknown_service", "service"),
            ({"service": "objet-perdu", "reason": "Perdu"}, 422, "invalid", "service"),
            ({"service": "voirie", "reason": "Même"}, 422, "unchanged", "service"),
            ({"service": "eclairage"}, 422, "required", "reason"),
            ({"service": "eclairage", "reason": "Ailleurs", "organisation": "atlantide"}, 404, "unknown_organisation", "organisation")):
        r = await agent.post(f"/api/v1/requests/{ref}/move", json=body)
        error = r.json()["error"]
        assert (r.status_code, error["code"], error["field"]) == (status, code, field), body
    assert (await me.post(f"/api/v1/requests/{ref}/move", json={"service": "eclairage", "reason": "Moi"})).status_code == 403
    assert (await ServiceRequest.get(ref=ref).prefetch_related("service")).service.code == "voirie"
    assert not await AuditEntry.filter(action="request.moved").exists()


async def test_a_dispatcher_hands_a_request_to_the_right_municipality(new_client, town):
    _, me, ref = await _citizens_pothole(new_client)
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    r = await agent.post(f"/api/v1/requests/{ref}/move",
                         json={"service": "voirie", "organisation": "chesalles", "reason": "Route de Chesalles"})
    assert r.status_code == 403 and r.json()["error"]["field"] == "organisation"  # agents do not hand over

    dispatcher = await sign_in(new_client(), await person(Role.DISPATCHER, town.brenles))
    assert (await dispatcher.post(f"/api/v1/requests/{ref}/events", json={"status": "acknowledged"})).status_code == 201
    r = await dispatcher.post(f"/api/v1/requests/{ref}/move",
                              json={"service": "voirie", "organisation": "chesalles", "reason": "La route est à Chesalles."})
    assert r.status_code == 201, r.text
    row = await ServiceRequest.get(ref=ref)
    assert row.organisation_id == town.chesalles.id and row.status == "submitted" and row.assignee_id is None
    assert (await agent.get(f"/api/v1/requests/{ref}")).json().get("contact") is None  # no longer Brenles' to see
    theirs = await sign_in(new_client(), await person(Role.AGENT, town.chesalles))
    queue = (await theirs.get("/api/v1/staff/requests")).json()["items"]
    assert ref in [item["ref"] for item in queue]
    orgs = {e.organisation_id for e in await AuditEntry.filter(action="request.moved", target=ref)}
    assert orgs == {town.brenles.id, town.chesalles.id}
    assert (await me.get(f"/api/v1/requests/{ref}")).json()["status"] == "submitted"
