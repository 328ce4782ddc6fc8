"""Issue 17, point 2 (first part): the question types of online procedures (date, yes/no, e-mail, phone, postal
address, beside Open311's six), help texts in French and English, and conditional questions, checked on the
server: a wrong type, a missing required answer, or an answer to a question that is not asked is refused."""
from __future__ import annotations

from backend.accounts.models import Role
from backend.requests.models import ServiceRequest
from tests.factories import IN_BRENLES, csrf, person, sign_in

MOVE = {
    "code": "demenagement", "name_fr": "Occupation du domaine public pour un déménagement", "name_en": "Street use for a move",
    "kind": "incident", "attributes": [
        {"code": "jour", "datatype": "date", "required": True, "description": "Jour du déménagement",
         "description_en": "Day of the move", "help": "Au moins 10 jours à l'avance.", "help_en": "At least 10 days ahead."},
        {"code": "camion", "datatype": "boolean", "required": True, "description": "Avec un camion ?"},
        {"code": "plaque", "datatype": "string", "required": True, "description": "Plaque du camion",
         "condition": {"code": "camion", "equals": True}},
        {"code": "courriel", "datatype": "email", "required": True, "description": "E-mail du déménageur"},
        {"code": "telephone", "datatype": "phone", "description": "Téléphone"},
        {"code": "adresse", "datatype": "address", "required": True, "description": "Adresse"},
        {"code": "surface", "datatype": "number", "description": "Surface (m²)"},
        {"code": "quoi", "datatype": "multivaluelist", "description": "Matériel", "values": [
            {"key": "barrieres", "name": "Barrières"}, {"key": "cones", "name": "Cônes"}]},
        {"code": "nombre", "datatype": "number", "required": True, "description": "Nombre de barrières",
         "condition": {"code": "quoi", "in": ["barrieres"]}},
    ]}
GOOD = {"jour": "2027-01-15", "camion": True, "plaque": "VD 12345", "courriel": "demenageur@example.org",
        "telephone": "+41 21 555 01 02", "adresse": " Rue du Four  1\n\n1683 Brenles", "quoi": ["barrieres"], "nombre": 4}


async def _service(new_client, town):
    manager = await sign_in(new_client(), await person(Role.SERVICE_MANAGER, town.brenles))
    r = await manager.post("/api/v1/organisations/brenles/services", json=MOVE)
    assert r.status_code == 201, r.text
    return manager


async def _send(client, attributes):
    return await client.post("/api/v1/requests", json={"service": "demenagement", "lat": IN_BRENLES[0],
                                                       "lon": IN_BRENLES[1], "contact_email": "x@example.org",
                                                       "attributes": attributes})


async def test_every_question_type_is_checked_and_answers_read_as_words(client, new_client, town):
    await _service(new_client, town)
    await csrf(client)
    r = await _send(client, GOOD)
    assert r.status_code == 201, r.text
    ref, token = r.json()["ref"], r.json()["tracking_token"]
    public = {a["code"] for a in (await new_client().get(f"/api/v1/requests/{ref}")).json()["answers"]}
    assert public == {"jour", "camion", "plaque", "quoi", "nombre"}  # no e-mail, phone or postal address
    theirs = {a["code"]: a["answer"] for a in (await client.get(f"/api/v1/track/{token}")).json()["answers"]}
    assert theirs["telephone"] == "+41 21 555 01 02" and theirs["camion"] == "Oui"
    stored = (await ServiceRequest.get(ref=ref)).attributes
    assert stored["camion"] is True and stored["adresse"] == "Rue du Four 1\n1683 Brenles" and stored["nombre"] == 4
    catalogue = (await client.get(f"/api/v1/services?lat={IN_BRENLES[0]}&lon={IN_BRENLES[1]}&lang=en")).json()
    questions = {a["code"]: a for s in catalogue["items"] if s["code"] == "demenagement" for a in s["attributes"]}
    assert questions["jour"]["help"] == "At least 10 days ahead."
    assert questions["plaque"]["condition"] == {"code": "camion", "equals": True}
    bad = [({"jour": "15.01.2027"}, "attributes.jour", "invalid_type"),
           ({"camion": "peut-être"}, "attributes.camion", "invalid_type"),
           ({"courriel": "pas-une-adresse"}, "attributes.courriel", "invalid_email"),
           ({"telephone": "appelez-moi"}, "attributes.telephone", "invalid_phone"),
           ({"surface": "grand"}, "attributes.surface", "invalid_type"),
           ({"adresse": ""}, "attributes.adresse", "required"),
           ({"nombre": None}, "attributes.nombre", "required")]
    for change, field, code in bad:
        r = await _send(client, GOOD | change)
        assert r.status_code == 422 and (r.json()["error"]["field"], r.json()["error"]["code"]) == (field, code), change
    assert await ServiceRequest.filter(service__code="demenagement").count() == 1  # nothing stored by the refusals


async def test_a_conditional_question_is_asked_only_when_its_condition_holds(client, new_client, town):
    await _service(new_client, town)
    await csrf(client)
    without = {k: v for k, v in GOOD.items() if k not in ("plaque", "nombre")} | {"camion": False, "quoi": ["cones"]}
    r = await _send(client, without)
    assert r.status_code == 201, r.text  # no plate without a truck, no count without barriers: not required
    r = await _send(client, without | {"plaque": "VD 1"})
    assert r.status_code == 422 and r.json()["error"] == {
        "code": "not_applicable", "field": "attributes.plaque",
        "message": "attributes.plaque is not asked with the answers given before it."}
    r = await _send(client, without | {"camion": "true"})  # a form sends text: true asks for the plate
    assert r.status_code == 422 and (r.json()["error"]["field"], r.json()["error"]["code"]) == ("attributes.plaque", "required")


async def test_bad_question_definitions_are_refused(new_client, town):
    manager = await sign_in(new_client(), await person(Role.SERVICE_MANAGER, town.brenles))
    later = {"code": "a", "datatype": "string", "condition": {"code": "b", "equals": "x"}}
    for attributes in ([later, {"code": "b", "datatype": "string"}],  # a condition on a later question
                       [{"code": "b", "datatype": "string"}, {"code": "a", "datatype": "string", "condition": {"code": "b"}}],
                       [{"code": "a", "datatype": "colour"}]):
        r = await manager.post("/api/v1/organisations/brenles/services",
                               json={"code": "essai", "name_fr": "Essai", "name_en": "Test", "attributes": attributes})
        assert r.status_code == 422 and r.json()["error"]["field"].startswith("attributes["), attributes


async def test_open311_clients_see_the_new_types_as_georeport_types(client, new_client, town):
    await _service(new_client, town)
    definition = (await client.get("/open311/v2/services/demenagement.json?jurisdiction_id=brenles")).json()
    types = {a["code"]: (a["datatype"], a["datatype_description"], a["required"]) for a in definition["attributes"]}
    assert types["jour"] == ("string", "YYYY-MM-DD", True)
    assert types["camion"][0] == "singlevaluelist" and types["plaque"][2] is False  # asked only with a truck
    assert types["courriel"] == ("string", "e-mail address", True)
