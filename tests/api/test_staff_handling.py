"""Staff handling: sorting and the finer queue filters, team, priority and due date, each change kept."""
from __future__ import annotations

from tests import photos
from tests.api.test_staff_queue import report
from backend.accounts.models import Role
from tests.factories import IN_BRENLES, csrf, person, sign_in


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
