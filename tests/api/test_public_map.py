"""The public map's default view, the open requests of a box, through the partial index of migration 0010."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from tortoise import connections

from backend import db, sql
from backend.requests import queries
from backend.requests.models import Service, ServiceRequest, Status
from tests.api.test_reports_lifecycle import report
from tests.conftest import IS_POSTGRES
from tests.factories import IN_BRENLES, csrf


async def _plan(query: str, values: list) -> str:
    conn = connections.get("default")
    if db.dialect() == "postgres":
        # A test table is too small for PostgreSQL to prefer any index: forbid the scans, keep its choice of index.
        async with conn._in_transaction() as tx:
            await tx.execute_script("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
            rows = await tx.execute_query_dict("EXPLAIN " + query, values)
        return "\n".join(r["QUERY PLAN"] for r in rows)
    return "\n".join(str(r["detail"]) for r in await conn.execute_query_dict("EXPLAIN QUERY PLAN " + query, values))


async def test_open_requests_of_a_box_come_from_the_partial_index(client, town, monkeypatch):
    await csrf(client)
    refs = [(await report(client, contact_email="p@example.org"))["ref"] for _ in range(6)]
    await ServiceRequest.filter(ref=refs[0]).update(status=Status.RESOLVED)
    await ServiceRequest.filter(ref=refs[1]).update(status=Status.IN_PROGRESS)
    await ServiceRequest.filter(ref=refs[2]).update(public=False)
    await ServiceRequest.filter(ref=refs[3]).update(status=Status.WITHDRAWN)
    lat, lon = IN_BRENLES
    box = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    seen = []
    real_rows = sql.rows

    async def spy(query: str, values: list, quick: bool = False) -> list[dict]:
        seen.append((query, list(values)))
        return await real_rows(query, values, quick=quick)

    monkeypatch.setattr(sql, "rows", spy)
    r = await client.get("/api/v1/requests", params={"bbox": box, "status": "open", "limit": 2})
    assert r.status_code == 200
    first = [i["ref"] for i in r.json()["items"]]
    rest = await client.get("/api/v1/requests", params={"bbox": box, "status": "open", "cursor": r.json()["next_cursor"]})
    assert first + [i["ref"] for i in rest.json()["items"]] == [refs[5], refs[4], refs[1]]
    # Open with another open status named apart still answers the same, by the general path.
    both = await client.get("/api/v1/requests", params={"bbox": box, "status": "submitted,acknowledged,in_progress"})
    assert [i["ref"] for i in both.json()["items"]] == [refs[5], refs[4], refs[1]]
    page_query, values = next((q, v) for q, v in seen if "WHERE r.id IN" in q)
    assert queries.OPEN_ON_MAP in page_query
    assert "service_request_open_map" in await _plan(page_query, values)
    only_some = await client.get("/api/v1/requests", params={"bbox": box, "status": "submitted"})
    assert [i["ref"] for i in only_some.json()["items"]] == [refs[5], refs[4]]


@pytest.mark.skipif(not IS_POSTGRES, reason="PostgreSQL's plan cache: SQLite prepares no plan per connection")
async def test_postgres_plans_each_query_once_per_connection(client, town, settings):
    """Planned again with every box's values, the map's query spent more on planning than on running."""
    assert await sql.rows("SHOW plan_cache_mode", []) == [{"plan_cache_mode": "force_generic_plan"}]
    other = await db.init_db(replace(settings, postgres_plan_cache_mode="auto"))  # the operator's way back
    try:
        assert await sql.rows("SHOW plan_cache_mode", []) == [{"plan_cache_mode": "auto"}]
    finally:
        await db.close_db(other)


async def test_a_renamed_service_shows_on_the_next_page_of_every_list(client, town):
    """Lists take a service's label from memory, per version of the service: a change saved by any process
    (here by hand, as another worker's `save()` writes it) shows on the next page."""
    await csrf(client)
    ref = (await report(client, contact_email="p@example.org"))["ref"]
    lat, lon = IN_BRENLES
    box = {"bbox": f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"}

    async def names(lang: str) -> tuple[str, str]:
        listed = (await client.get("/api/v1/requests", params={**box, "lang": lang})).json()["items"]
        return listed[0]["service"]["name"], (await client.get(f"/api/v1/requests/{ref}?lang={lang}")).json()["service"]["name"]

    assert await names("fr") == ("Nid-de-poule, chaussée abîmée",) * 2
    assert await names("en") == ("Pothole, damaged road",) * 2
    service = await Service.get(organisation=town.brenles, code="voirie")
    await Service.filter(id=service.id).update(name_fr="Trou dans la route", name_en="",
                                               updated_at=service.updated_at + timedelta(seconds=1))
    assert await names("fr") == ("Trou dans la route",) * 2
    assert await names("en") == ("Trou dans la route",) * 2  # no English name: the French one
