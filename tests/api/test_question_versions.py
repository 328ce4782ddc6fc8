"""Issue 17, point 4: a manager's change of a procedure's questions is a new version; the requests answered
before keep the questions they were answered with; a withdrawn question is no longer asked; two managers saving
at once do not overwrite each other; every change is audited; nobody else may change or read them."""
from __future__ import annotations

import asyncio

from backend.accounts.models import Role
from backend.audit.models import AuditEntry
from backend.requests.models import QuestionSet
from tests.factories import csrf, person, sign_in

V1 = [{"code": "chien", "datatype": "string", "required": True, "description": "Nom du chien"},
      {"code": "race", "datatype": "singlevaluelist", "required": True, "description": "Race",
       "values": [{"key": "berger", "name": "Berger"}, {"key": "autre", "name": "Autre"}]}]
DOG = {"code": "chien", "name_fr": "Annoncer un chien", "name_en": "Register a dog", "kind": "form", "attributes": V1}


async def _send(client, answers):
    return await client.post("/api/v1/requests", json={"service": "chien", "organisation": "brenles",
                                                       "contact_email": "maitre@example.org", "attributes": answers})


async def test_requests_keep_the_questions_they_were_answered_with(client, new_client, town):
    manager = await sign_in(new_client(), await person(Role.SERVICE_MANAGER, town.brenles))
    assert (await manager.post("/api/v1/organisations/brenles/services", json=DOG)).status_code == 201
    await csrf(client)
    r = await _send(client, {"chien": "Rex", "race": "berger"})
    assert r.status_code == 201, r.text
    old_ref, old_token = r.json()["ref"], r.json()["tracking_token"]

    # Version 2: the breed renamed with other choices, the name withdrawn, a new question first.
    v2 = [{"code": "puce", "datatype": "string", "required": True, "description": "Numéro de puce", "order": 1},
          {**V1[0], "active": False, "order": 2},
          {"code": "race", "datatype": "singlevaluelist", "required": True, "description": "Race du chien",
           "values": [{"key": "petit", "name": "Petit chien"}, {"key": "grand", "name": "Grand chien"}], "order": 3}]
    r = await manager.patch("/api/v1/organisations/brenles/services/chien", json={"attributes": v2})
    assert r.status_code == 200, r.text
    assert [a["code"] for a in r.json()["attributes"]] == ["puce", "race"]  # the withdrawn one is not offered
    edit = (await manager.get("/api/v1/organisations/brenles/services/chien/questions")).json()
    assert edit["version"] == 2 and [h["version"] for h in edit["history"]] == [2, 1]
    assert {a["code"]: a.get("active", True) for a in edit["attributes"]} == {"puce": True, "chien": False, "race": True}
    entry = await AuditEntry.get(action="service.questions")
    assert entry.detail == {"version": 2, "added": ["puce"], "removed": [], "changed": ["chien", "race"]}

    old = {a["code"]: a for a in (await client.get(f"/api/v1/track/{old_token}")).json()["answers"]}
    assert old["race"]["question"] == "Race" and old["race"]["answer"] == "Berger" and old["chien"]["answer"] == "Rex"
    r = await _send(client, {"chien": "Rex", "puce": "756", "race": "petit"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "attributes.chien"  # withdrawn: not asked
    r = await _send(client, {"puce": "756098100", "race": "petit"})
    assert r.status_code == 201, r.text
    new = {a["code"]: a["answer"] for a in r.json()["answers"]}
    assert new == {"puce": "756098100", "race": "Petit chien"}
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    staff_view = {a["code"]: a["answer"] for a in (await agent.get(f"/api/v1/requests/{old_ref}")).json()["answers"]}
    assert staff_view == {"chien": "Rex", "race": "Berger"}
    # The same questions again: no new version.
    r = await manager.patch("/api/v1/organisations/brenles/services/chien", json={"attributes": v2})
    assert r.status_code == 200 and await QuestionSet.filter(service__code="chien").count() == 2


async def test_two_managers_saving_at_once_and_outsiders_are_refused(client, new_client, town):
    manager = await sign_in(new_client(), await person(Role.SERVICE_MANAGER, town.brenles))
    other = await sign_in(new_client(), await person(Role.SERVICE_MANAGER, town.brenles, email="autre.chef@example.org"))
    await manager.post("/api/v1/organisations/brenles/services", json=DOG)
    path = "/api/v1/organisations/brenles/services/chien"
    a = [{**V1[0], "description": "Nom"}, V1[1]]
    b = [V1[0], {**V1[1], "description": "Race (au choix)"}]
    answers = await asyncio.gather(manager.patch(path, json={"attributes": a}), other.patch(path, json={"attributes": b}))
    assert sorted(r.status_code for r in answers) in ([200, 200], [200, 409])
    for r in answers:
        if r.status_code == 409:
            assert r.json()["error"]["code"] == "edited_meanwhile"
    versions = [q.version for q in await QuestionSet.filter(service__code="chien").order_by("version")]
    assert versions == list(range(1, len(versions) + 1))  # no version lost or doubled
    for outsider in (new_client(), await sign_in(new_client(), await person(Role.AGENT, town.brenles)),
                     await sign_in(new_client(), await person(Role.SERVICE_MANAGER, town.chesalles))):
        assert (await outsider.get(f"{path}/questions")).status_code in (401, 403)
        assert (await outsider.patch(path, json={"attributes": []})).status_code in (401, 403)
    assert len((await manager.get(f"{path}/questions")).json()["attributes"]) == 2
