"""The service catalogue: routed by point, localised, managed only by the organisation's service managers."""
from __future__ import annotations

from backend.accounts.models import Role
from backend.requests.models import Service
from tests.factories import IN_BRENLES, IN_CHESALLES, IN_DISTRICT_ONLY, OUTSIDE, person, sign_in


async def test_the_catalogue_follows_the_point(client, town):
    r = await client.get("/api/v1/services", params={"lat": IN_BRENLES[0], "lon": IN_BRENLES[1]})
    assert r.status_code == 200
    body = r.json()
    assert body["organisation"] == {"slug": "brenles", "name": "Commune de Brenles"}
    codes = [s["code"] for s in body["items"]]
    assert len(codes) == 15 and codes[0] == "voirie"
    tree = next(s for s in body["items"] if s["code"] == "arbre-dangereux")
    assert tree["urgent"] is True and "117" in tree["emergency_message"] and tree["emergency_phone"] == "118"
    pothole = body["items"][0]
    assert pothole["attributes"][0] == {
        "code": "taille", "datatype": "singlevaluelist", "required": True, "order": 1, "description": "Taille du trou",
        "help": "",
        "values": [{"key": "small", "name": "Petit (moins de 30 cm)"}, {"key": "medium", "name": "Moyen"},
                   {"key": "large", "name": "Grand (plus d'un mètre)"}]}
    other = await client.get("/api/v1/services", params={"lat": IN_CHESALLES[0], "lon": IN_CHESALLES[1]})
    assert other.json()["organisation"]["slug"] == "chesalles"


async def test_english_names_on_request(client, town):
    r = await client.get("/api/v1/services", params={"lat": IN_BRENLES[0], "lon": IN_BRENLES[1]},
                         headers={"Accept-Language": "en-GB,en;q=0.9"})
    body = r.json()
    assert body["organisation"]["name"] == "Municipality of Brenles"
    assert body["items"][0]["name"] == "Pothole, damaged road"
    assert body["items"][0]["attributes"][0]["values"][0]["name"] == "Small (under 30 cm)"
    # Issue 21, point 4: the groups and the organisations in English too; a group keeps its key (filters hold it).
    assert (body["items"][0]["group"], body["items"][0]["group_name"]) == ("Routes et trottoirs", "Roads and pavements")
    orgs = (await client.get("/api/v1/organisations", headers={"Accept-Language": "en"})).json()["items"]
    assert {o["slug"]: o["name"] for o in orgs}["brenles"] == "Municipality of Brenles"
    at = await client.get("/api/v1/organisations/at", params={"lat": IN_BRENLES[0], "lon": IN_BRENLES[1]},
                          headers={"Accept-Language": "en"})
    assert at.json()["name"] == "Municipality of Brenles" and at.json()["name_fr"] == "Commune de Brenles"
    french = (await client.get("/api/v1/services", params={"lat": IN_BRENLES[0], "lon": IN_BRENLES[1]})).json()
    assert french["items"][0]["group_name"] == "Routes et trottoirs"


async def test_a_point_is_routed_to_the_deepest_organisation(client, town):
    r = await client.get("/api/v1/organisations/at", params={"lat": IN_DISTRICT_ONLY[0], "lon": IN_DISTRICT_ONLY[1]})
    assert r.json()["slug"] == "broye-jorat"
    r = await client.get("/api/v1/organisations/at", params={"lat": IN_BRENLES[0], "lon": IN_BRENLES[1]})
    assert r.json()["slug"] == "brenles"


async def test_outside_every_organisation_is_a_clear_422(client, town):
    r = await client.get("/api/v1/services", params={"lat": OUTSIDE[0], "lon": OUTSIDE[1]})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "outside_area" and "outside" in r.json()["error"]["message"]


async def test_bad_coordinates_are_named(client, town):
    for params, field, code in [({"lat": "abc", "lon": "6.8"}, "lat", "invalid_type"),
                                ({"lat": "46.6", "lon": "200"}, "lon", "out_of_range"),
                                ({"lat": "46.6"}, "lon", "required"),
                                ({"lat": "nan", "lon": "6.8"}, "lat", "invalid_type")]:
        r = await client.get("/api/v1/services", params=params)
        assert r.status_code == 422 and r.json()["error"]["field"] == field and r.json()["error"]["code"] == code


NEW = {"code": "neige", "name_fr": "Déneigement", "name_en": "Snow clearing", "group": "Routes et trottoirs",
       "due_hours": 12, "attributes": [{"code": "hauteur", "datatype": "number", "required": False}]}


async def test_service_managers_manage_their_catalogue(client, town):
    manager = await person(Role.SERVICE_MANAGER, town.brenles)
    await sign_in(client, manager)
    r = await client.post("/api/v1/organisations/brenles/services", json=NEW)
    assert r.status_code == 201, r.text
    assert r.json()["attributes"][0]["datatype"] == "number"
    r = await client.post("/api/v1/organisations/brenles/services", json=NEW)
    assert r.status_code == 409 and r.json()["error"]["code"] == "service_exists"
    r = await client.patch("/api/v1/organisations/brenles/services/neige", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    r = await client.get("/api/v1/services", params={"organisation": "brenles"})
    assert "neige" not in [s["code"] for s in r.json()["items"]]


async def test_nobody_else_may_change_a_catalogue(client, new_client, town):
    agent = await person(Role.AGENT, town.brenles)
    other_manager = await person(Role.SERVICE_MANAGER, town.chesalles)
    citizen = await person()
    for user in (agent, other_manager, citizen):
        c = await sign_in(new_client(), user)
        r = await c.post("/api/v1/organisations/brenles/services", json=NEW)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", user.email
        r = await c.patch("/api/v1/organisations/brenles/services/voirie", json={"due_hours": 1})
        assert r.status_code == 403
    anonymous = await client.post("/api/v1/organisations/brenles/services", json=NEW)
    assert anonymous.status_code == 401
    assert not await Service.exists(code="neige")
    assert (await Service.get(organisation=town.brenles, code="voirie")).due_hours == 120


async def test_bad_attribute_definitions_are_refused(client, town):
    manager = await person(Role.SERVICE_MANAGER, town.brenles)
    await sign_in(client, manager)
    bad = dict(NEW, attributes=[{"code": "x", "datatype": "singlevaluelist", "values": []}])
    r = await client.post("/api/v1/organisations/brenles/services", json=bad)
    assert r.status_code == 422 and r.json()["error"]["field"] == "attributes[0]"
    bad = dict(NEW, attributes=[{"code": "x", "datatype": "colour"}])
    assert (await client.post("/api/v1/organisations/brenles/services", json=bad)).status_code == 422
    assert not await Service.exists(code="neige")
