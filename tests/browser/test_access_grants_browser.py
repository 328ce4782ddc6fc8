"""Issue 19, point 4 (a part) at the desk: the lighting manager gives a newly attached colleague a right on street
lighting without waiting for a request, then sets when it ends."""
from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.browser.test_agent import at_desk
from tests.browser.test_staff_access_browser import LIGHTING_MANAGER, SECRETARY, verification_link

PASSWORD = "Des-lampadaires-tout-neufs-4"


def attached_colleague(live_server, name: str) -> str:
    """A new account holder of Brenles: registered, address confirmed, attached by the secretary."""
    email = f"collegue.{uuid.uuid4().hex[:6]}@example.org"
    with live_server.api() as api:
        token = api.get("/api/v1/session").json()["csrf_token"]
        assert api.post("/api/v1/auth/register", headers={"X-CSRF-Token": token},
                        json={"name": name, "email": email, "password": PASSWORD}).status_code == 202
        link = verification_link(live_server, email)
        assert api.post("/api/v1/auth/verify-email", headers={"X-CSRF-Token": token},
                        json={"token": link.split("token=")[1]}).status_code == 200
        token = api.post("/api/v1/auth/login", headers={"X-CSRF-Token": token},
                         json={"email": email, "password": PASSWORD}).json()["csrf_token"]
        asked = api.post("/api/v1/access/requests", headers={"X-CSRF-Token": token},
                         json={"kind": "account", "organisation": "brenles", "identity": {"surname": "Électricien", "first_names": "Hugo", "function": "Électricien"}})
        request_id = asked.json()["items"][0]["id"]
    secretary = live_server.signed_in(*SECRETARY)
    r = secretary.post(f"/api/v1/access/requests/{request_id}/decision",
                       json={"accept": True, "identity_method": "in_person"})
    secretary.close()
    assert r.status_code == 200, r.text
    return email


def test_a_manager_gives_a_right_directly_and_sets_its_end(browser, live_server):
    name = f"Hugo Électricien {uuid.uuid4().hex[:4]}"
    email = attached_colleague(live_server, name)
    desk, page = at_desk(browser, live_server, "/agent/people", LIGHTING_MANAGER)
    row = page.locator(f'tr[data-person="{email}"]')
    row.get_by_text("Donner un droit").click()
    row.get_by_label("Service").select_option(label="Éclairage public en panne")
    row.get_by_label("Rôle").select_option("agent")
    assert axe_violations(page) == []
    row.get_by_role("button", name="Donner ce droit").click()
    page.get_by_text(f"Droit donné à {name}.").wait_for()
    row = page.locator(f'tr[data-person="{email}"]')
    expect(row).to_contain_text("Éclairage public en panne")
    row.get_by_title("Échéance : agent · Éclairage public en panne").click()
    row.locator("details.remove-right[open]").get_by_label("Jusqu'au").fill("2027-06-30")
    row.get_by_role("button", name="Enregistrer l'échéance").click()
    page.get_by_text("Échéance enregistrée.").wait_for()
    expect(page.locator(f'tr[data-person="{email}"]')).to_contain_text("→ 30")
    desk.close()
