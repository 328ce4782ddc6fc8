"""Issue 19, point 4 (a part) at the desk: the secretary puts an access request on hold, saying what is missing;
the request stays in the box to handle, with the reason shown."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.test_agent import at_desk
from tests.browser.test_staff_access_browser import SECRETARY, verification_link

PASSWORD = "Des-lampions-sur-la-place-9"


def test_the_secretary_puts_a_request_on_hold_with_what_is_missing(browser, live_server):
    name = f"Aline Attente {uuid.uuid4().hex[:4]}"
    with live_server.api() as api:
        token = api.get("/api/v1/session").json()["csrf_token"]
        email = f"aline.{uuid.uuid4().hex[:6]}@example.org"
        assert api.post("/api/v1/auth/register", headers={"X-CSRF-Token": token},
                        json={"name": name, "email": email, "password": PASSWORD}).status_code == 202
        link = verification_link(live_server, email)
        assert api.post("/api/v1/auth/verify-email", headers={"X-CSRF-Token": token},
                        json={"token": link.split("token=")[1]}).status_code == 200
        r = api.post("/api/v1/auth/login", headers={"X-CSRF-Token": token}, json={"email": email, "password": PASSWORD})
        token = r.json()["csrf_token"]
        r = api.post("/api/v1/access/requests", headers={"X-CSRF-Token": token},
                     json={"kind": "account", "organisation": "brenles", "identity": {"surname": "Attente", "first_names": "Léa", "function": "Jardinière"}})
        assert r.status_code == 201, r.text
    desk, office = at_desk(browser, live_server, "/agent/access?box=identity", SECRETARY)
    row = office.locator("tr", has_text=name)
    row.get_by_role("button", name="Mettre en attente").click()
    expect(row.locator(".field-error")).to_have_text(re.compile("obligatoire"))  # what is missing must be said
    row.get_by_label("Motif").fill("Copie du contrat de travail")
    row.get_by_role("button", name="Mettre en attente").click()
    office.get_by_text(re.compile(r"Demande n° \d+ : Suspendue")).wait_for()
    row = office.locator("tr", has_text=name)
    expect(row).to_contain_text("Il manque : Copie du contrat de travail")
    expect(row.get_by_role("button", name="Accepter")).to_be_visible()  # still to decide

    office.goto(f"/agent/access?box=identity&q={name.split()[-1]}")
    expect(office.locator("[data-js=page-info]")).to_have_text("Page 1 sur 1 · 1 demande(s)")
    office.goto("/agent/audit")
    office.goto("/agent/access")  # opened again: the last search comes back
    expect(office.get_by_label("Recherche")).to_have_value(name.split()[-1])
    assert f"q={name.split()[-1]}" in office.url
    desk.close()
