"""Staff handling: sorting and the finer queue filters, team, priority and due date, each change kept."""
from __future__ import annotations

from tests import photos
from tests.api.test_staff_queue import report
from backend.accounts.models import Role
from tests.api.test_lostfound import WALLET_LOST
from tests.factories import IN_BRENLES, IN_CHESALLES, csrf, person, sign_in


async def _all_pages(agent, **params) -> list[str]:
    """Every reference of the queue, walking the cursor two by two."""
    refs, cursor = [], None
    while True:
        r = await agent.get("/api/v1/staff/requests", params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        refs += [i["ref"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return refs


async def test_the_queue_sorts_and_pages_through_every_request_once_in_each_order(client, new_client, town):
    await csrf(client)
    refs = [await report(client, description=f"Demande {i}") for i in range(5)]
    dispatcher = await sign_in(new_client(), await person(Role.DISPATCHER, town.brenles))
    # Due dates out of creation order, two priorities raised, one request changed last.
    for ref, due in zip(refs, ["2030-01-05", "2030-01-01", "2030-01-04", "2030-01-02", "2030-01-03"]):
        r = await dispatcher.post(f"/api/v1/requests/{ref}/events", json={"due_at": f"{due}T08:00:00+01:00"})
        assert r.status_code == 201, r.text
    for ref, priority in ((refs[1], 2), (refs[3], 1)):
        await dispatcher.post(f"/api/v1/requests/{ref}/events", json={"priority": priority})
    await dispatcher.post(f"/api/v1/requests/{refs[2]}/events", json={"comment": "Vu", "public": False})

    assert await _all_pages(dispatcher) == refs[::-1]
    assert await _all_pages(dispatcher, sort="oldest") == refs
    assert await _all_pages(dispatcher, sort="due") == [refs[1], refs[3], refs[4], refs[2], refs[0]]
    assert await _all_pages(dispatcher, sort="priority") == [refs[1], refs[3], refs[4], refs[2], refs[0]]
    assert (await _all_pages(dispatcher, sort="updated"))[0] == refs[2]
    assert await _all_pages(dispatcher, priority=2) == [refs[1]]

    r = await dispatcher.get("/api/v1/staff/requests", params={"sort": "alphabetical"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "sort"
    newest = (await dispatcher.get("/api/v1/staff/requests", params={"limit": 2})).json()["next_cursor"]
    r = await dispatcher.get("/api/v1/staff/requests", params={"sort": "priority", "cursor": newest})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_cursor"


async def test_the_queue_filters_by_group_and_by_photo(client, new_client, town):
    await csrf(client)
    bin_ref = await report(client, service="proprete")  # group Propreté
    bench_ref = await report(client, service="mobilier")  # group Routes et trottoirs
    r = await client.post("/api/v1/requests", data={"service": "mobilier", "lat": str(IN_BRENLES[0]),
                                                   "lon": str(IN_BRENLES[1]), "contact_email": "a@example.org"},
                          files=[("photo", ("banc.jpg", photos.jpeg(800, 600), "image/jpeg"))])
    assert r.status_code == 201, r.text
    with_photo = r.json()["ref"]
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    assert await _all_pages(agent, group="Routes et trottoirs") == [with_photo, bench_ref]
    assert await _all_pages(agent, group="Propreté") == [bin_ref]
    assert await _all_pages(agent, has_photo="1") == [with_photo]
    assert await _all_pages(agent, has_photo="0") == [bench_ref, bin_ref]
    r = await agent.get("/api/v1/staff/requests", params={"priority": "9"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "priority"


async def test_team_priority_and_due_date_are_changed_by_those_allowed_and_kept_in_the_history(client, new_client, town):
    await csrf(client)
    ref = await report(client)
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    dispatcher = await sign_in(new_client(), await person(Role.DISPATCHER, town.brenles))
    field = await sign_in(new_client(), await person(Role.FIELD_AGENT, town.brenles, team="Voirie"))

    r = await agent.post(f"/api/v1/requests/{ref}/events", json={"priority": 2, "due_at": "2030-03-01T09:00:00+01:00"})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "updated" and r.json()["public"] is False
    assert r.json()["data"]["priority"] == [0, 2] and r.json()["data"]["due_at"][1] == "2030-03-01T08:00:00+00:00"
    # An agent does not give work to a team; a dispatcher does, and the field agent of that team then sees it.
    r = await agent.post(f"/api/v1/requests/{ref}/events", json={"team": "Voirie"})
    assert r.status_code == 403 and r.json()["error"]["field"] == "team"
    assert (await dispatcher.post(f"/api/v1/requests/{ref}/events", json={"team": "Voirie"})).status_code == 201
    assert [i["ref"] for i in (await field.get("/api/v1/staff/requests")).json()["items"]] == [ref]
    # A field agent of the team works on it but does not reprioritise it.
    r = await field.post(f"/api/v1/requests/{ref}/events", json={"priority": 0})
    assert r.status_code == 403
    # Setting what is already set is refused, not recorded twice; a due date without offset is refused.
    r = await agent.post(f"/api/v1/requests/{ref}/events", json={"priority": 2})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unchanged"
    r = await agent.post(f"/api/v1/requests/{ref}/events", json={"due_at": "2030-03-01T09:00:00"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "due_at"

    staff_view = (await agent.get(f"/api/v1/requests/{ref}")).json()
    assert staff_view["priority"] == 2 and staff_view["team"] == "Voirie"
    assert staff_view["due_at"] == "2030-03-01T08:00:00+00:00"
    assert [e["kind"] for e in staff_view["events"]].count("updated") == 2
    # The citizen sees none of it.
    public = (await client.get(f"/api/v1/requests/{ref}")).json()
    assert "priority" not in public and all(e["kind"] != "updated" for e in public["events"])


async def test_bulk_changes_apply_request_by_request_and_say_what_was_refused(client, new_client, town):
    await csrf(client)
    mine = [await report(client) for _ in range(3)]
    theirs = await report(client, where=IN_CHESALLES)
    dispatcher_user = await person(Role.DISPATCHER, town.brenles)
    dispatcher = await sign_in(new_client(), dispatcher_user)
    field_user = await person(Role.FIELD_AGENT, town.brenles, team="Voirie")
    await dispatcher.post(f"/api/v1/requests/{mine[2]}/events", json={"status": "rejected", "comment": "Hors domaine"})

    r = await dispatcher.post("/api/v1/staff/requests/bulk", json={
        "refs": [*mine, theirs, "BRN-1999-000001"], "status": "acknowledged", "comment": "Pris en charge",
        "assignee": field_user.id, "priority": 1})
    assert r.status_code == 200, r.text
    results = {i["ref"]: i for i in r.json()["items"]}
    assert results[mine[0]]["ok"] and results[mine[1]]["ok"]
    # rejected -> acknowledged is not a move of the status table: refused, and nothing of it is kept.
    assert results[mine[2]]["error"]["code"] == "invalid_transition"
    assert results[theirs]["error"]["code"] in ("unknown_request", "not_found")
    assert results["BRN-1999-000001"]["ok"] is False
    for ref in mine[:2]:
        body = (await dispatcher.get(f"/api/v1/requests/{ref}")).json()
        assert body["status"] == "acknowledged" and body["priority"] == 1
        assert body["assignee"]["id"] == field_user.id
    unchanged = (await dispatcher.get(f"/api/v1/requests/{mine[2]}")).json()
    assert unchanged["status"] == "rejected" and unchanged["priority"] == 0 and unchanged["assignee"] is None
    # The citizen was told once per request, with the public message.
    citizen_view = (await client.get(f"/api/v1/requests/{mine[0]}")).json()
    assert any(e["comment"] == "Pris en charge" for e in citizen_view["events"])

    r = await dispatcher.post("/api/v1/staff/requests/bulk", json={"refs": [f"X-{i}" for i in range(101)],
                                                                    "status": "closed"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "refs"
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    r = await agent.post("/api/v1/staff/requests/bulk", json={"refs": [mine[0]], "assignee": field_user.id})
    assert r.status_code == 200 and r.json()["items"][0]["error"]["code"] == "forbidden"
    assert (await client.post("/api/v1/staff/requests/bulk", json={"refs": [mine[0]], "status": "closed"})).status_code == 401


async def test_a_report_holding_two_problems_is_split_and_both_timelines_say_so(client, new_client, town):
    await csrf(client)
    ref = await report(client, description="Poubelle pleine et banc cassé")
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    r = await agent.post(f"/api/v1/requests/{ref}/split", json={"service": "mobilier", "description": "Banc cassé"})
    assert r.status_code == 201, r.text
    new_ref = r.json()["ref"]
    new = (await agent.get(f"/api/v1/requests/{new_ref}")).json()
    old = (await agent.get(f"/api/v1/requests/{ref}")).json()
    assert new["service"]["code"] == "mobilier" and (new["lat"], new["lon"]) == (old["lat"], old["lon"])
    assert new["contact"]["email"] == "habitant@example.org" and new["channel"] == "app"
    assert any(e["kind"] == "split" and new_ref in e["comment"] for e in old["events"])
    assert any(e["kind"] == "split" and ref in e["comment"] for e in new["events"])
    r = await agent.post(f"/api/v1/requests/{ref}/split", json={"service": "inconnu", "description": "x"})
    assert r.status_code in (404, 422)
    citizen = await sign_in(new_client(), await person())
    assert (await citizen.post(f"/api/v1/requests/{ref}/split", json={"service": "mobilier", "description": "x"})).status_code == 403
    lost = await client.post("/api/v1/lostfound/lost", json={**WALLET_LOST, "contact_email": "perdu@example.org"})
    r = await agent.post(f"/api/v1/requests/{lost.json()['ref']}/split", json={"service": "mobilier", "description": "x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "service"  # an object is not split
    field = await sign_in(new_client(), await person(Role.FIELD_AGENT, town.brenles))
    assert (await field.post(f"/api/v1/requests/{ref}/split", json={"service": "mobilier", "description": "x"})).status_code in (403, 404)


async def test_saved_filters_belong_to_their_agent(client, new_client, town):
    first_user = await person(Role.AGENT, town.brenles)
    first = await sign_in(new_client(), first_user)
    other = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    r = await first.post("/api/v1/staff/filters", json={"name": "Urgences", "query": "?status=open&sort=due&priority=2"})
    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["query"] == "status=open&sort=due&priority=2"
    assert (await first.post("/api/v1/staff/filters", json={"name": "Urgences", "query": "status=open"})).status_code == 409
    r = await first.post("/api/v1/staff/filters", json={"name": "Piège", "query": "status=open&password=x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "query"
    assert [f["name"] for f in (await first.get("/api/v1/staff/filters")).json()["items"]] == ["Urgences"]
    assert (await other.get("/api/v1/staff/filters")).json()["items"] == []
    assert (await other.delete(f"/api/v1/staff/filters/{saved['id']}")).status_code == 404
    assert (await first.delete(f"/api/v1/staff/filters/{saved['id']}")).status_code == 204
    assert (await first.get("/api/v1/staff/filters")).json()["items"] == []
    citizen = await sign_in(new_client(), await person())
    assert (await citizen.post("/api/v1/staff/filters", json={"name": "x", "query": "status=open"})).status_code == 403
