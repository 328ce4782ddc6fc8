"""Issue 17, point 2: a procedure without a place (a service of kind `form`) is asked with its organisation, not a
point; a category about a place still needs one."""
from __future__ import annotations

from backend.accounts.models import Role
from backend.requests.models import ServiceRequest
from tests.factories import IN_BRENLES, csrf, person, sign_in

CONTACT = {"code": "question", "name_fr": "Poser une question", "name_en": "Ask a question", "kind": "form",
           "attributes": [{"code": "sujet", "datatype": "singlevaluelist", "required": True, "description": "Sujet",
                           "values": [{"key": "dechets", "name": "Déchets"}, {"key": "autre", "name": "Autre"}]}]}


async def test_a_procedure_without_a_place_is_sent_to_its_organisation(client, new_client, town):
    manager = await sign_in(new_client(), await person(Role.SERVICE_MANAGER, town.brenles))
    assert (await manager.post("/api/v1/organisations/brenles/services", json=CONTACT)).status_code == 201
    await csrf(client)
    r = await client.post("/api/v1/requests", json={
        "service": "question", "organisation": "brenles", "contact_email": "habitante@example.org",
        "description": "Quand passe le ramassage des encombrants ?", "attributes": {"sujet": "dechets"}})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["lat"] is None and body["organisation"] == "brenles"
    row = await ServiceRequest.get(ref=body["ref"])
    assert row.lat is None and row.organisation_id == town.brenles.id and row.address == "" and row.public is False
    mine = (await client.get(f"/api/v1/track/{body['tracking_token']}")).json()
    assert mine["answers"][0]["answer"] == "Déchets"
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    assert body["ref"] in [i["ref"] for i in (await agent.get("/api/v1/staff/requests")).json()["items"]]
    assert (await new_client().get(f"/api/v1/requests/{body['ref']}")).status_code == 404  # not public


async def test_a_place_is_still_required_where_the_category_is_about_one(client, new_client, town):
    manager = await sign_in(new_client(), await person(Role.SERVICE_MANAGER, town.brenles))
    await manager.post("/api/v1/organisations/brenles/services", json=CONTACT)
    await csrf(client)
    base = {"contact_email": "x@example.org", "attributes": {"taille": "large"}}
    for body, status, code, field in (
            (base | {"service": "voirie", "organisation": "brenles"}, 422, "required", "lat"),
            (base | {"service": "voirie", "lat": IN_BRENLES[0]}, 422, "required", "lon"),
            (base | {"service": "voirie"}, 422, "required", "lat"),
            ({"service": "question", "organisation": "chesalles", "contact_email": "x@example.org"}, 404,
             "unknown_service", "service"),
            ({"service": "question", "organisation": "atlantide", "contact_email": "x@example.org"}, 404,
             "unknown_organisation", "organisation"),
            ({"service": "question", "organisation": "brenles", "contact_email": "x@example.org"}, 422,
             "required", "attributes.sujet")):
        r = await client.post("/api/v1/requests", json=body)
        error = r.json()["error"]
        assert (r.status_code, error["code"], error["field"]) == (status, code, field), body
    assert not await ServiceRequest.filter(service__code="question").exists()
