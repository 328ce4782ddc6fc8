"""After creation: who sees what, the status table, the timeline, notifications, citizen actions, duplicates."""
from __future__ import annotations

from datetime import timedelta

from backend.accounts.models import Role
from backend.push.models import Message, Outbox
from backend.requests.models import ServiceRequest, Supporter
from tests import photos
from tests.factories import IN_BRENLES, csrf, person, sign_in


async def report(client, service="voirie", attributes=None, **extra) -> dict:
    body = {"service": service, "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
            "attributes": attributes if attributes is not None else {"taille": "small"}, **extra}
    r = await client.post("/api/v1/requests", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def test_visibility_by_viewer(client, new_client, town):
    author = await person(name="Auteure Privée", email="auteure@example.org")
    await sign_in(client, author)
    ref = (await report(client, description="Trou"))["ref"]
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    note = await agent.post(f"/api/v1/requests/{ref}/events", json={"comment": "Voir avec la voirie", "public": False})
    assert note.status_code == 201

    staff_view = (await agent.get(f"/api/v1/requests/{ref}")).json()
    assert staff_view["contact"]["email"] == "auteure@example.org"
    assert any(e["kind"] == "note" and e["comment"] == "Voir avec la voirie" for e in staff_view["events"])

    for viewer in (new_client(), await sign_in(new_client(), await person()),
                   await sign_in(new_client(), await person(Role.AGENT, town.chesalles))):
        public = (await viewer.get(f"/api/v1/requests/{ref}")).json()
        assert "contact" not in public and "auteure" not in str(public).lower()
        assert all(e["public"] for e in public["events"]) and all(e["actor"] is None for e in public["events"]
                                                                  if e["kind"] == "created")
    mine = (await client.get(f"/api/v1/requests/{ref}")).json()
    assert mine["is_author"] is True and not any(e["kind"] == "note" for e in mine["events"])


async def test_private_kinds_and_their_photos_are_hidden_from_the_public(client, new_client, town):
    author = await person()
    await sign_in(client, author)
    r = await client.post("/api/v1/requests", data={"service": "objet-perdu", "lat": str(IN_BRENLES[0]),
                                                    "lon": str(IN_BRENLES[1]), "attributes": '{"categorie": "wallet", '
                                                    '"quand": "2026-11-20T10:00:00+01:00", "rayon": "500"}'},
                          files=[("photo", ("w.jpg", photos.jpeg(640, 480), "image/jpeg"))])
    assert r.status_code == 201
    ref, url = r.json()["ref"], r.json()["photos"][0]["url"]
    stranger = new_client()
    assert (await stranger.get(f"/api/v1/requests/{ref}")).status_code == 404
    assert (await stranger.get(url)).status_code == 404
    assert ref not in str((await stranger.get("/api/v1/requests")).json())
    own = await client.get(url)
    assert own.status_code == 200 and own.headers["cache-control"].startswith("private")


async def test_staff_move_a_request_through_the_table_and_the_author_is_told(client, new_client, town):
    author = await person(email="suivi@example.org")
    await sign_in(client, author)
    ref = (await report(client))["ref"]
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles, name="Marc Agent"))
    for status in ("acknowledged", "in_progress", "resolved"):
        r = await agent.post(f"/api/v1/requests/{ref}/events", json={"status": status, "comment": f"now {status}"})
        assert r.status_code == 201 and r.json()["status"] == status and r.json()["actor"] == "Marc Agent"
    r = await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "in_progress"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_transition"
    view = (await client.get(f"/api/v1/requests/{ref}")).json()
    assert view["status"] == "resolved"
    assert [e["kind"] for e in view["events"]] == ["created", "status", "status", "status"]
    assert [m.subject for m in await Message.filter(user=author).order_by("id")][-1] == f"Votre demande {ref} est résolue"
    assert await Outbox.filter(recipient="suivi@example.org").count() == 4


async def test_nobody_outside_the_staff_posts_events(client, new_client, town):
    await csrf(client)
    ref = (await report(client, contact_email="a@example.org"))["ref"]
    for user in (await person(), await person(Role.AGENT, town.chesalles)):
        c = await sign_in(new_client(), user)
        r = await c.post(f"/api/v1/requests/{ref}/events", json={"status": "rejected"})
        assert r.status_code == 403
    assert (await client.post(f"/api/v1/requests/{ref}/events", json={"status": "rejected"})).status_code == 401
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    r = await agent.post(f"/api/v1/requests/{ref}/events", json={"assignee": 1})
    assert r.status_code == 403  # only dispatchers and managers assign
    assert (await ServiceRequest.get(ref=ref)).status == "submitted"


async def test_dispatcher_assigns_to_staff_only(client, new_client, town):
    await csrf(client)
    ref = (await report(client, contact_email="a@example.org"))["ref"]
    dispatcher = await sign_in(new_client(), await person(Role.DISPATCHER, town.brenles))
    field = await person(Role.FIELD_AGENT, town.brenles, name="Nadia")
    outsider = await person(Role.FIELD_AGENT, town.chesalles)
    r = await dispatcher.post(f"/api/v1/requests/{ref}/events", json={"assignee": outsider.id})
    assert r.status_code == 422 and r.json()["error"]["field"] == "assignee"
    r = await dispatcher.post(f"/api/v1/requests/{ref}/events", json={"assignee": field.id})
    assert r.status_code == 201 and r.json()["kind"] == "assigned"
    staff_view = (await dispatcher.get(f"/api/v1/requests/{ref}")).json()
    assert staff_view["assignee"] == {"id": field.id, "name": "Nadia"}


async def test_withdraw_reopen_comment_and_photo_by_the_author(client, new_client, town):
    author = await person()
    await sign_in(client, author)
    first = (await report(client))["ref"]
    assert (await client.post(f"/api/v1/requests/{first}/withdraw")).status_code == 201
    assert (await client.get(f"/api/v1/requests/{first}")).json()["status"] == "withdrawn"

    ref = (await report(client))["ref"]
    other = await sign_in(new_client(), await person())
    assert (await other.post(f"/api/v1/requests/{ref}/withdraw")).status_code == 403
    r = await client.post(f"/api/v1/requests/{ref}/comments", json={"comment": "Il s'agrandit"})
    assert r.status_code == 201 and r.json()["kind"] == "comment"
    r = await client.post(f"/api/v1/requests/{ref}/photos", files=[("photo", ("b.jpg", photos.jpeg(800, 600), "image/jpeg"))])
    assert r.status_code == 201 and r.json()["kind"] == "photo"
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "acknowledged"})
    r = await client.post(f"/api/v1/requests/{ref}/withdraw")
    assert r.status_code == 422
    await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "resolved"})
    r = await client.post(f"/api/v1/requests/{ref}/reopen", json={"comment": "Pas réparé"})
    assert r.status_code == 201 and r.json()["kind"] == "reopened" and r.json()["status"] == "acknowledged"
    await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "resolved"})
    row = await ServiceRequest.get(ref=ref)
    row.resolved_at = row.resolved_at - timedelta(days=31)
    await row.save(update_fields=["resolved_at"])
    r = await client.post(f"/api/v1/requests/{ref}/reopen", json={"comment": "Toujours pas"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "reopen_period_over"
    view = (await client.get(f"/api/v1/requests/{ref}")).json()
    assert len(view["photos"]) == 1


async def test_anonymous_author_acts_through_the_tracking_token(client, town):
    await csrf(client)
    created = await report(client, contact_email="anon@example.org")
    ref, token = created["ref"], created["tracking_token"]
    assert (await client.post(f"/api/v1/requests/{ref}/withdraw")).status_code == 403
    r = await client.post(f"/api/v1/requests/{ref}/withdraw", headers={"X-Tracking-Token": token})
    assert r.status_code == 201
    assert (await client.get("/api/v1/track/not-a-token")).status_code == 404


async def test_nearby_me_too_and_duplicates(client, new_client, town):
    author = await person(email="first@example.org")
    await sign_in(client, author)
    original = (await report(client))["ref"]
    far = (await report(client, lat=IN_BRENLES[0] + 0.003))["ref"]
    other_service = (await report(client, service="proprete", attributes={}))["ref"]
    r = await client.get("/api/v1/requests/nearby", params={"lat": IN_BRENLES[0] + 0.0002, "lon": IN_BRENLES[1],
                                                            "service": "voirie"})
    items = r.json()["items"]
    assert [i["ref"] for i in items] == [original] and 20 < items[0]["distance_m"] < 25
    assert far != original and other_service not in [i["ref"] for i in items]

    neighbour = await person(email="neighbour@example.org")
    nc = await sign_in(new_client(), neighbour)
    assert (await nc.get(f"/api/v1/requests/{original}")).json()["is_supporter"] is False
    r = await nc.post(f"/api/v1/requests/{original}/support")
    assert r.status_code == 200 and r.json()["supporters"] == 1
    assert (await nc.get(f"/api/v1/requests/{original}")).json()["is_supporter"] is True  # the page says so
    assert (await new_client().get(f"/api/v1/requests/{original}")).json()["is_supporter"] is False  # anonymous
    r = await nc.post(f"/api/v1/requests/{original}/support")
    assert r.status_code == 409
    assert (await client.post(f"/api/v1/requests/{original}/support")).status_code == 409  # own request

    second_author = await person(email="second@example.org")
    sc = await sign_in(new_client(), second_author)
    dup = (await report(sc))["ref"]
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    await agent.post(f"/api/v1/requests/{original}/events", json={"status": "acknowledged", "comment": "Vu"})
    assert await Outbox.filter(recipient="neighbour@example.org").count() == 1  # supporters are told
    r = await agent.post(f"/api/v1/requests/{dup}/events", json={"status": "duplicate", "duplicate_of": original})
    assert r.status_code == 201 and r.json()["kind"] == "merged"
    assert await Supporter.filter(request__ref=original, user=second_author).exists()
    assert (await client.get(f"/api/v1/requests/{original}")).json()["supporters"] == 2
    assert (await sc.get(f"/api/v1/requests/{dup}")).json()["duplicate_of"] == original
    assert any(m.subject.endswith("rejoint un signalement existant") for m in await Message.filter(user=second_author))


async def test_public_list_filters_and_cursor_pagination(client, town):
    await csrf(client)
    refs = [(await report(client, contact_email="p@example.org"))["ref"] for _ in range(5)]
    await report(client, service="proprete", attributes={}, contact_email="p@example.org")
    page1 = (await client.get("/api/v1/requests", params={"service": "voirie", "limit": 3})).json()
    page2 = (await client.get("/api/v1/requests", params={"service": "voirie", "limit": 3,
                                                          "cursor": page1["next_cursor"]})).json()
    assert [i["ref"] for i in page1["items"] + page2["items"]] == list(reversed(refs))
    assert page2["next_cursor"] is None
    lat, lon = IN_BRENLES
    box = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    assert len((await client.get("/api/v1/requests", params={"bbox": box})).json()["items"]) == 6
    assert (await client.get("/api/v1/requests", params={"bbox": "6,46,6.1,46.1"})).json()["items"] == []
    assert len((await client.get("/api/v1/requests", params={"status": "open"})).json()["items"]) == 6
    assert (await client.get("/api/v1/requests", params={"status": "resolved"})).json()["items"] == []
    assert (await client.get("/api/v1/requests", params={"q": refs[0]})).json()["items"][0]["ref"] == refs[0]
    for params, field in [({"status": "bogus"}, "status"), ({"bbox": "1,2,3"}, "bbox"), ({"limit": "501"}, "limit"),
                          ({"cursor": "%%%"}, "cursor"), ({"since": "yesterday"}, "since")]:
        r = await client.get("/api/v1/requests", params=params)
        assert r.status_code in (400, 422) and r.json()["error"]["field"] == field, params
