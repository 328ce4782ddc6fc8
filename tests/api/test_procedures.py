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


# Issue 17, point 1: the catalogue of procedures, searched by words, family and audience, each with its page.

MOVE = {"code": "demenagement", "name_fr": "Occuper la rue pour un déménagement", "name_en": "Use the street for a move",
        "kind": "form", "group": "Espace public", "group_en": "Public space",
        "description_fr": "Réserver une place pour le camion.", "description_en": "Reserve a space for the van.",
        "info": {"audience": ["individuals", "companies"], "who_fr": "Tout le monde.", "who_en": "Everyone.",
                 "documents_fr": ["Plan de l'emplacement"], "duration_fr": "5 jours ouvrables",
                 "duration_en": "5 working days", "cost_fr": "CHF 30.– par jour", "keywords_fr": "camion parcage"}}
GRANT = {"code": "fete", "name_fr": "Soutien à une fête", "name_en": "Support for a festival", "kind": "form",
         "group": "Aides", "group_en": "Aid", "info": {"audience": ["associations"]}}


async def _catalogue_of_brenles(new_client, town):
    manager = await sign_in(new_client(), await person(Role.SERVICE_MANAGER, town.brenles))
    for service in (MOVE, GRANT):
        r = await manager.post("/api/v1/organisations/brenles/services", json=service)
        assert r.status_code == 201, r.text
    return manager


async def test_the_catalogue_is_searched_by_words_family_and_audience(client, new_client, town):
    await _catalogue_of_brenles(new_client, town)

    async def codes(**query):
        r = await client.get("/api/v1/procedures", params={"organisation": "brenles", **query})
        assert r.status_code == 200, r.text
        return [i["code"] for i in r.json()["items"]]

    assert await codes(q="DEMENAGEMENT") == ["demenagement"]  # accents and case ignored
    assert await codes(q="move street") == ["demenagement"]  # in English too, every word
    assert await codes(q="camion") == ["demenagement"]  # its keywords
    assert await codes(q="déménagement passeport") == []
    assert await codes(audience="associations") == [c for c in await codes() if c != "demenagement"]
    assert "fete" not in await codes(audience="companies")
    assert await codes(family="Aides") == ["fete"]
    r = await client.get("/api/v1/procedures", params={"organisation": "brenles", "lang": "en"})
    assert {"key": "Aides", "name": "Aid", "count": 1} in r.json()["families"]
    assert [i["code"] for i in (await client.get("/api/v1/procedures?organisation=chesalles")).json()["items"]] \
        == [s.code for s in await town.chesalles.services.filter(active=True).order_by("position", "group", "name_fr")]


async def test_a_procedure_has_its_page_in_both_languages(client, new_client, town):
    manager = await _catalogue_of_brenles(new_client, town)
    fr = (await client.get("/api/v1/procedures/brenles/demenagement")).json()
    assert fr["page"] == {"audience": ["individuals", "companies"], "who": "Tout le monde.",
                          "documents": ["Plan de l'emplacement"], "duration": "5 jours ouvrables",
                          "cost": "CHF 30.– par jour"}
    assert fr["organisation"]["slug"] == "brenles" and fr["kind"] == "form"
    en = (await client.get("/api/v1/procedures/brenles/demenagement?lang=en")).json()
    assert en["name"] == "Use the street for a move"
    assert en["page"]["duration"] == "5 working days"
    assert en["page"]["documents"] == ["Plan de l'emplacement"]  # no English text: the French one, not nothing
    assert (await manager.patch("/api/v1/organisations/brenles/services/demenagement",
                                json={"active": False})).status_code == 200
    r = await client.get("/api/v1/procedures/brenles/demenagement")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "unknown_service")
    assert "demenagement" not in [i["code"] for i in (
        await client.get("/api/v1/procedures?organisation=brenles")).json()["items"]]


async def test_wrong_searches_and_pages_are_refused_and_change_nothing(client, new_client, town):
    manager = await _catalogue_of_brenles(new_client, town)
    for query, status, code, field in (
            ({}, 422, "required", "organisation"),
            ({"organisation": "atlantide"}, 404, "unknown_organisation", "organisation"),
            ({"organisation": "brenles", "audience": "martians"}, 422, "invalid_choice", "audience"),
            ({"organisation": "brenles", "q": "x" * 201}, 422, "too_long", "q")):
        r = await client.get("/api/v1/procedures", params=query)
        assert (r.status_code, r.json()["error"]["code"], r.json()["error"]["field"]) == (status, code, field), query
    for info, code, field in (
            ({"audience": ["martians"]}, "invalid_choice", "info.audience"),
            ({"audience": []}, "invalid_choice", "info.audience"),
            ({"price": "free"}, "unknown_field", "info.price"),
            ({"cost_fr": "x" * 501}, "too_long", "info.cost_fr"),
            ({"documents_fr": "a plan"}, "invalid_type", "info.documents_fr"),
            ({"documents_fr": [""]}, "invalid_type", "info.documents_fr")):
        r = await manager.patch("/api/v1/organisations/brenles/services/demenagement", json={"info": info})
        assert (r.status_code, r.json()["error"]["code"], r.json()["error"]["field"]) == (422, code, field), info
    page = (await client.get("/api/v1/procedures/brenles/demenagement")).json()["page"]
    assert page["cost"] == "CHF 30.– par jour" and page["audience"] == ["individuals", "companies"]


async def test_the_demo_offers_a_dozen_procedures_across_the_families(town):
    """Issue 17, point 7; added again on a later seed, they are not doubled."""
    from backend import demo_procedures
    from backend.requests.models import Service, ServiceKind

    assert await demo_procedures.add(town.brenles) >= 11
    forms = await Service.filter(organisation=town.brenles, kind=ServiceKind.FORM)
    assert len(forms) >= 12
    assert len({s.group for s in forms}) >= 5
    assert all(s.info and s.info["audience"] and s.attributes for s in forms)
    assert await demo_procedures.add(town.brenles) == 0
    assert await Service.filter(organisation=town.brenles, kind=ServiceKind.FORM).count() == len(forms)


async def test_an_export_of_one_procedure_has_a_column_per_question_in_words(client, new_client, town):
    """Issue 17, point 6: the answers of a procedure's requests in the staff's CSV and XLSX."""
    import csv
    import io

    from openpyxl import load_workbook

    manager = await sign_in(new_client(), await person(Role.SERVICE_MANAGER, town.brenles))
    service = CONTACT | {"attributes": CONTACT["attributes"] + [
        {"code": "rappel", "datatype": "boolean", "description": "Être rappelé ?"},
        {"code": "le", "datatype": "date", "description": "Quel jour ?"}]}
    assert (await manager.post("/api/v1/organisations/brenles/services", json=service)).status_code == 201
    await csrf(client)
    for answers in ({"sujet": "dechets", "rappel": True, "le": "2027-01-14"}, {"sujet": "autre"}):
        r = await client.post("/api/v1/requests", json={"service": "question", "organisation": "brenles",
                                                        "contact_email": "h@example.org", "attributes": answers})
        assert r.status_code == 201, r.text
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    r = await agent.get("/api/v1/staff/requests.csv", params={"service": "question", "sep": "comma"})
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0][-3:] == ["Sujet", "Être rappelé ?", "Quel jour ?"]
    assert sorted(row[-3:] for row in table[1:]) == [["Autre", "", ""], ["Déchets", "Oui", "2027-01-14"]]
    book = load_workbook(io.BytesIO((await agent.get("/api/v1/staff/requests.xlsx",
                                                     params={"service": "question", "lang": "en"})).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][-3:] == ("Sujet", "Être rappelé ?", "Quel jour ?")  # no English text given: the French
    assert sorted(tuple(r[-3:]) for r in rows[1:]) == [("Autre", None, None), ("Déchets", "Yes", "2027-01-14")]
    whole = list(csv.reader(io.StringIO((await agent.get("/api/v1/staff/requests.csv", params={"sep": "comma"}))
                                        .content.decode("utf-8-sig"))))
    assert "Sujet" not in whole[0] and len(whole[0]) == len(table[0]) - 3  # no service: no answer columns
