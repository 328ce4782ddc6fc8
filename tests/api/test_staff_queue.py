"""The staff queue: scoped to the viewer's organisations (a field agent to their own work), filtered, counted."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from backend.accounts.models import Role
from backend.requests.models import ServiceRequest
from tests.factories import IN_BRENLES, IN_CHESALLES, csrf, person, sign_in


async def report(client, where=IN_BRENLES, service="proprete", **extra) -> str:
    r = await client.post("/api/v1/requests", json={"service": service, "lat": where[0], "lon": where[1],
                                                    "contact_email": "habitant@example.org", **extra})
    assert r.status_code == 201, r.text
    return r.json()["ref"]


async def test_an_agent_sees_the_queue_of_their_organisation_only(client, new_client, town):
    await csrf(client)
    mine = [await report(client, description=f"Sac poubelle {i}") for i in range(3)]
    theirs = await report(client, where=IN_CHESALLES)
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    body = (await agent.get("/api/v1/staff/requests")).json()
    assert [i["ref"] for i in body["items"]] == mine[::-1] and theirs not in str(body)
    assert body["counts"] == {"submitted": 3}
    first = body["items"][0]
    assert first["contact_name"] == "" and first["channel"] == "app" and first["overdue"] is False
    assert first["due_at"] and first["assignee"] is None
    r = await agent.get("/api/v1/staff/requests", params={"organisation": "chesalles"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_organisation"
    await agent.post(f"/api/v1/requests/{mine[0]}/events", json={"status": "acknowledged"})
    body = (await agent.get("/api/v1/staff/requests", params={"status": "acknowledged"})).json()
    assert [i["ref"] for i in body["items"]] == [mine[0]] and body["counts"] == {"submitted": 2, "acknowledged": 1}
    body = (await agent.get("/api/v1/staff/requests", params={"q": "poubelle 2"})).json()
    assert [i["ref"] for i in body["items"]] == [mine[2]]
    page = (await agent.get("/api/v1/staff/requests", params={"limit": 2})).json()
    rest = (await agent.get("/api/v1/staff/requests", params={"limit": 2, "cursor": page["next_cursor"]})).json()
    assert [i["ref"] for i in page["items"] + rest["items"]] == mine[::-1]


async def test_citizens_and_strangers_get_no_queue(client, new_client, town):
    assert (await client.get("/api/v1/staff/requests")).status_code == 401
    citizen = await sign_in(new_client(), await person())
    assert (await citizen.get("/api/v1/staff/requests")).status_code == 403
    prefect = await sign_in(new_client(), await person(Role.PREFECT, town.district))
    assert (await prefect.get("/api/v1/staff/requests")).status_code == 403


async def test_a_field_agent_sees_their_assignments_and_their_teams_work(client, new_client, town):
    await csrf(client)
    refs = [await report(client) for _ in range(3)]
    field = await person(Role.FIELD_AGENT, town.brenles, team="Éclairage")
    dispatcher = await sign_in(new_client(), await person(Role.DISPATCHER, town.brenles))
    r = await dispatcher.post(f"/api/v1/requests/{refs[0]}/events", json={"assignee": field.id})
    assert r.status_code == 201, r.text
    light = await report(client, service="eclairage", attributes={"etat": "off"})  # the service's team: Éclairage
    out = await sign_in(new_client(), field)
    body = (await out.get("/api/v1/staff/requests")).json()
    assert {i["ref"] for i in body["items"]} == {refs[0], light}
    assert (await out.get("/api/v1/staff/requests", params={"assignee": "me"})).json()["items"][0]["ref"] == refs[0]
    # Issue 21, point 22: the round ("team") is my jobs and my team's jobs nobody took; I may take one, not give it.
    taken = await report(client, service="eclairage", attributes={"etat": "day"})
    round_ = (await out.get("/api/v1/staff/requests", params={"assignee": "team"})).json()["items"]
    assert {i["ref"] for i in round_} == {refs[0], light, taken}
    assert (await dispatcher.post(f"/api/v1/requests/{taken}/events", json={"assignee": field.id})).status_code == 201
    colleague = await person(Role.FIELD_AGENT, town.brenles, team="Éclairage")
    other = await sign_in(new_client(), colleague)
    mine_only = (await other.get("/api/v1/staff/requests", params={"assignee": "team"})).json()["items"]
    assert {i["ref"] for i in mine_only} == {light}  # a job given to Nadia is no longer the team's to take
    r = await other.post(f"/api/v1/requests/{taken}/events", json={"assignee": colleague.id})
    assert r.status_code == 403 and r.json()["error"]["field"] == "assignee"
    r = await out.post(f"/api/v1/requests/{light}/events", json={"assignee": colleague.id})
    assert r.status_code == 403  # taking is for oneself
    r = await out.post(f"/api/v1/requests/{light}/events", json={"status": "in_progress", "assignee": field.id})
    assert r.status_code == 201
    assert (await dispatcher.get(f"/api/v1/requests/{light}")).json()["assignee"]["id"] == field.id


async def test_bad_filters_are_explained(client, new_client, town):
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    for params, field in [({"status": "lost"}, "status"), ({"channel": "pigeon"}, "channel"),
                          ({"assignee": "someone"}, "assignee"), ({"from": "yesterday"}, "from"),
                          ({"q": "x" * 201}, "q"), ({"limit": "0"}, "limit")]:
        r = await agent.get("/api/v1/staff/requests", params=params)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (params, r.text)


async def test_staff_views_and_changes_are_in_the_audit_trail_that_nobody_edits(client, new_client, town):
    await csrf(client)
    ref = await report(client, contact_name="Julie Habitante")
    agent_user = await person(Role.AGENT, town.brenles, email="marc@brenles.example")
    agent = await sign_in(new_client(), agent_user)
    assert (await agent.get(f"/api/v1/requests/{ref}")).json()["contact"]["name"] == "Julie Habitante"
    await agent.post(f"/api/v1/requests/{ref}/events", json={"status": "acknowledged", "comment": "Vu."})
    await agent.post(f"/api/v1/requests/{ref}/events", json={"comment": "Appeler la concierge.", "public": False})
    assert (await agent.get("/api/v1/audit", params={"organisation": "brenles"})).status_code == 403
    secretary = await sign_in(new_client(), await person(Role.SECRETARY, town.brenles))
    body = (await secretary.get("/api/v1/audit", params={"organisation": "brenles", "target": ref})).json()
    assert [(e["action"], e["actor"]) for e in body["items"]] == [
        ("request.note", "marc@brenles.example"), ("request.status", "marc@brenles.example"),
        ("request.contact_viewed", "marc@brenles.example")]
    assert body["items"][0]["ip"] and body["items"][1]["detail"]["status"] == "acknowledged"
    assert (await secretary.get("/api/v1/audit", params={"organisation": "chesalles"})).status_code == 403
    entry = body["items"][0]["id"]
    for method in ("PUT", "PATCH", "DELETE"):
        assert (await secretary.request(method, "/api/v1/audit", json={"id": entry})).status_code == 405
    assert (await secretary.get("/api/v1/audit", params={"organisation": "brenles", "target": ref})).json() == body
    # Filtered by time and exported: the same entries as CSV, for the archive or the data protection officer.
    since = {"organisation": "brenles", "target": ref, "from": body["items"][1]["at"]}
    assert [e["action"] for e in (await secretary.get("/api/v1/audit", params=since)).json()["items"]] == [
        "request.note", "request.status"]
    r = await secretary.get("/api/v1/audit.csv", params={"organisation": "brenles", "target": ref})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["N°", "Quand (Europe/Zurich)", "Qui", "Quoi", "Objet", "Code de l'action", "Détails", "D'où (IP)"]
    assert [(row[5], row[2]) for row in rows[1:]] == [(e["action"], e["actor"]) for e in body["items"]]
    # Issue 21, point 23: in plain words, searchable by words, as XLSX too, with the address of every entry.
    assert [row[3] for row in rows[1:]] == ["Note interne", "Statut d'une demande changé",
                                            "Coordonnées du citoyen consultées"]
    assert body["items"][2]["action_name"] == "Coordonnées du citoyen consultées" and all(e["ip"] for e in body["items"])
    worded = (await secretary.get("/api/v1/audit", params={"organisation": "brenles", "q": "acknowledged"})).json()
    assert [e["action"] for e in worded["items"]] == ["request.status"]  # found in the details
    by_person = (await secretary.get("/api/v1/audit", params={"organisation": "brenles", "q": "MARC@"})).json()
    assert len(by_person["items"]) == 3
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO((await secretary.get("/api/v1/audit.xlsx", params={
        "organisation": "brenles", "target": ref})).content)).active
    assert book["D2"].value == "Note interne" and book.freeze_panes == "A2" and book.max_row == 4
    assert (await agent.get("/api/v1/audit.csv", params={"organisation": "brenles"})).status_code == 403
    r = await secretary.get("/api/v1/audit.csv", params={"organisation": "brenles", "from": "hier"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "from"


async def test_the_queue_exports_as_csv_and_as_a_real_xlsx_with_the_same_filters(client, new_client, town):
    import csv
    import io

    from openpyxl import load_workbook

    await csrf(client)
    refs = [await report(client, description=f"Déchets n°{i}, «rue» de l'Église") for i in range(3)]
    await report(client, where=IN_CHESALLES)
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    await agent.post(f"/api/v1/requests/{refs[1]}/events", json={"status": "resolved"})
    r = await agent.get("/api/v1/staff/requests.csv", params={"status": "open"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="demandes-')
    # Issue 21, point 20: semicolons for a French spreadsheet, times in the town's zone (said), codes in words.
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:3] == ["Référence", "Reçue le (Europe/Zurich)", "Catégorie"]
    assert [line[0] for line in table[1:]] == [refs[2], refs[0]]
    assert table[1][4] == "Déchets n°2, «rue» de l'Église" and table[1][5] == "envoyée" and table[1][6] == "application"
    made = await ServiceRequest.get(ref=refs[2])
    zurich = made.created_at.astimezone(ZoneInfo("Europe/Zurich"))
    assert table[1][1] == zurich.strftime("%Y-%m-%d %H:%M") and zurich.utcoffset() != timedelta(0)
    commas = await agent.get("/api/v1/staff/requests.csv", params={"status": "open", "sep": "comma"})
    assert list(csv.reader(io.StringIO(commas.content.decode("utf-8-sig"))))[0][1] == "Reçue le (Europe/Zurich)"
    english = await agent.get("/api/v1/staff/requests.csv", params={"status": "open", "lang": "en"})
    assert english.content.decode("utf-8-sig").splitlines()[0].startswith("Reference,Received (Europe/Zurich),")
    r = await agent.get("/api/v1/staff/requests.xlsx")
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(r.content)).active
    cells = [[c.value for c in line] for line in sheet.iter_rows()]
    assert cells[0] == ["Référence", "Reçue le (Europe/Zurich)", "Catégorie", "Adresse", "Description", "Statut", "Canal",
                        "Attribuée à", "Équipe", "Échéance (Europe/Zurich)", "En retard", "Latitude", "Longitude"]
    assert [line[0] for line in cells[1:]] == refs[::-1]
    assert cells[2][5] == "résolue" and cells[1][2] == "Propreté, poubelle pleine" and cells[1][6] == "application"
    assert cells[1][1] == zurich.replace(tzinfo=None, second=cells[1][1].second, microsecond=cells[1][1].microsecond)
    assert isinstance(cells[1][11], float)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:M4"
    assert sheet.column_dimensions["E"].width >= len("Déchets n°2, «rue» de l'Église")
    r = await agent.get("/api/v1/staff/requests.csv", params={"status": "lost"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "status"
    citizen = await sign_in(new_client(), await person())
    assert (await citizen.get("/api/v1/staff/requests.xlsx")).status_code == 403


async def test_a_field_agent_handles_their_own_work_only_and_hands_it_back_with_a_reason(client, new_client, town):
    await csrf(client)
    mine, other = await report(client, contact_name="Julie"), await report(client, contact_name="Jean")
    field_user = await person(Role.FIELD_AGENT, town.brenles, team="Voirie")
    dispatcher = await sign_in(new_client(), await person(Role.DISPATCHER, town.brenles))
    assert (await dispatcher.post(f"/api/v1/requests/{mine}/events", json={"assignee": field_user.id})).status_code == 201
    field = await sign_in(new_client(), field_user)
    assert (await field.get(f"/api/v1/requests/{mine}")).json()["contact"]["name"] == "Julie"
    assert "contact" not in (await field.get(f"/api/v1/requests/{other}")).json()  # not theirs: the public view
    r = await field.post(f"/api/v1/requests/{other}/events", json={"status": "acknowledged"})
    assert r.status_code == 403
    assert (await field.post(f"/api/v1/requests/{mine}/events", json={"status": "acknowledged"})).status_code == 201
    r = await field.post(f"/api/v1/requests/{mine}/events", json={"hand_back": True})
    assert r.status_code == 422 and r.json()["error"]["field"] == "comment"
    r = await dispatcher.post(f"/api/v1/requests/{mine}/events", json={"hand_back": True, "comment": "Pas à moi."})
    assert r.status_code == 403 and r.json()["error"]["field"] == "hand_back"
    r = await field.post(f"/api/v1/requests/{mine}/events", json={"hand_back": True, "comment": "Il faut une nacelle."})
    assert r.status_code == 201 and r.json()["kind"] == "handed_back" and r.json()["public"] is False
    staff_view = (await dispatcher.get(f"/api/v1/requests/{mine}")).json()
    assert staff_view["assignee"] is None and staff_view["events"][-1]["comment"] == "Il faut une nacelle."
    public_view = (await new_client().get(f"/api/v1/requests/{mine}")).json()
    assert "nacelle" not in str(public_view)
    assert (await field.get(f"/api/v1/requests/{mine}")).json().get("contact") is None  # no longer theirs


async def test_those_who_assign_see_whom_they_can_assign_to(client, new_client, town):
    field = await person(Role.FIELD_AGENT, town.brenles, name="Nadia Terrain", team="Éclairage")
    await person(Role.AGENT, town.chesalles, name="Ailleurs")
    dispatcher = await sign_in(new_client(), await person(Role.DISPATCHER, town.brenles, name="Paul Dispatch"))
    body = (await dispatcher.get("/api/v1/staff/people", params={"organisation": "brenles"})).json()
    assert {"id": field.id, "name": "Nadia Terrain", "role": "field_agent", "team": "Éclairage"} in body["items"]
    assert "Ailleurs" not in str(body)
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    assert (await agent.get("/api/v1/staff/people", params={"organisation": "brenles"})).status_code == 403
    assert (await dispatcher.get("/api/v1/staff/people", params={"organisation": "chesalles"})).status_code == 403


async def test_a_reference_is_found_by_its_number_alone(client, new_client, town):
    """Issue 21, point 24: searching "000114" did not find BRN-2026-000114."""
    await csrf(client)
    refs = [await report(client, description=f"Sac {colour}") for colour in ("rouge", "bleu", "vert")]
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    number = refs[1].rsplit("-", 1)[1]  # 000002
    year = refs[1].split("-")[1]
    for q in (number, str(int(number)), f"{year}-{number}", refs[1].lower()):
        found = (await agent.get("/api/v1/staff/requests", params={"q": q})).json()["items"]
        assert [i["ref"] for i in found] == [refs[1]], q
    assert (await agent.get("/api/v1/staff/requests", params={"q": "1999-000002"})).json()["items"] == []
