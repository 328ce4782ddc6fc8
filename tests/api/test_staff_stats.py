"""Issue 19, point 1: the statistics of the requests a staff member may see: counts, overdue share, median and 90th
percentile of the time to a first answer and to resolution, by group and per week, as JSON, CSV and XLSX."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from backend.accounts.models import Membership, Role, ServiceGrant
from backend.requests.models import ServiceRequest
from backend.requests.service import utcnow
from tests.factories import IN_BRENLES, csrf, person, sign_in


async def _requests(client, service: str, n: int, attributes: dict) -> list[str]:
    await csrf(client)
    refs = []
    for i in range(n):
        r = await client.post("/api/v1/requests", json={"service": service, "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                        "contact_email": f"s{i}@example.org", "attributes": attributes})
        assert r.status_code == 201, r.text
        refs.append(r.json()["ref"])
    return refs


async def _town_with_history(client):
    """Ten pothole reports answered after 1 to 10 hours, four of them resolved after 10, 20, 30 and 40 hours; three
    street lights still open, one of them past its due date."""
    roads = await _requests(client, "voirie", 10, {"taille": "large"})
    lights = await _requests(client, "eclairage", 3, {"etat": "off"})
    start = utcnow() - timedelta(days=20)
    for i, ref in enumerate(roads):
        resolved = {"resolved_at": start + timedelta(hours=10 * (i + 1)), "status": "resolved"} if i < 4 else {}
        await ServiceRequest.filter(ref=ref).update(created_at=start, first_answer_at=start + timedelta(hours=i + 1),
                                                    due_at=start + timedelta(hours=25), **resolved)
    await ServiceRequest.filter(ref=lights[0]).update(due_at=utcnow() - timedelta(hours=1))
    await ServiceRequest.filter(ref=lights[1]).update(due_at=utcnow() + timedelta(days=3))
    return roads, lights


async def test_the_figures_by_service_with_percentiles_overdue_share_and_weeks(client, new_client, town):
    roads, lights = await _town_with_history(client)
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    r = await agent.get("/api/v1/staff/stats?lang=fr")
    assert r.status_code == 200, r.text
    body = r.json()
    by_label = {g["label"]: g for g in body["groups"]}
    road = by_label["Nid-de-poule, chaussée abîmée"]
    assert (road["received"], road["resolved"], road["open"]) == (10, 4, 6)
    assert road["first_answer_hours"] == {"median": 5.0, "p90": 9.0}
    assert road["resolution_hours"] == {"median": 20.0, "p90": 40.0}
    # Due 25 h after creation: the two resolved after 30 and 40 h were late, and so are the six still open.
    assert road["overdue"] == 8 and road["overdue_share"] == 0.8
    light = by_label["Éclairage public en panne"]
    assert (light["received"], light["open"], light["overdue"], light["overdue_share"]) == (3, 3, 1, 0.333)  # 72 h to answer
    assert light["first_answer_hours"] is None
    assert body["totals"]["received"] == 13 and body["totals"]["first_answer_hours"]["median"] == 5.0
    assert sum(w["received"] for w in body["weeks"]) == 13 and sum(w["resolved"] for w in body["weeks"]) == 4
    assert all(w["week"] <= x["week"] for w, x in zip(body["weeks"], body["weeks"][1:]))

    by_channel = (await agent.get("/api/v1/staff/stats?group_by=channel&lang=fr")).json()["groups"]
    assert [(g["key"], g["received"]) for g in by_channel] == [("app", 13)]
    recent = (await agent.get("/api/v1/staff/stats", params={"from": (utcnow() - timedelta(days=2)).isoformat()})).json()
    assert recent["totals"]["received"] == 3  # the potholes were created three weeks ago


async def test_statistics_are_scoped_like_the_queue_and_refuse_bad_input(client, new_client, town):
    await _town_with_history(client)
    elsewhere = await sign_in(new_client(), await person(Role.AGENT, town.chesalles))
    assert (await elsewhere.get("/api/v1/staff/stats")).json()["totals"]["received"] == 0
    r = await elsewhere.get("/api/v1/staff/stats?organisation=brenles")
    assert r.status_code == 404 and r.json()["error"]["field"] == "organisation"
    lights_only = await person(Role.MEMBER, town.brenles)
    member = await Membership.get(user=lights_only, role=Role.MEMBER)
    await ServiceGrant.create(membership=member, service=town.services["eclairage"], role=Role.AGENT)
    lighting = await sign_in(new_client(), lights_only)
    groups = (await lighting.get("/api/v1/staff/stats")).json()["groups"]
    assert [g["received"] for g in groups] == [3]
    citizen = await sign_in(new_client(), await person())
    assert (await citizen.get("/api/v1/staff/stats")).status_code == 403
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    for query, field in (("group_by=colour", "group_by"), ("from=hier", "from")):
        r = await agent.get(f"/api/v1/staff/stats?{query}")
        assert r.status_code == 422 and r.json()["error"]["field"] == field, query


async def test_the_statistics_table_exports_as_csv_and_xlsx(client, new_client, town):
    await _town_with_history(client)
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    r = await agent.get("/api/v1/staff/stats.csv?lang=fr")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith('attachment; filename="statistiques-service-')
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:3] == ["Groupe", "Reçues", "Résolues"]
    assert table[-1][:2] == ["Total", "13"] and ["Nid-de-poule, chaussée abîmée", "10", "4", "6", "8", "0.8", "5.0",
                                                   "9.0", "20.0", "40.0"] in table
    sheet = load_workbook(io.BytesIO((await agent.get("/api/v1/staff/stats.xlsx?lang=en")).content)).active
    assert sheet["A1"].value == "Group" and sheet.cell(row=sheet.max_row, column=1).value == "Total"
    assert sheet.cell(row=sheet.max_row, column=2).value == 13
