"""Issue 19, point 3 at the desk: an agent passes a request to the right service; its author reads where it went."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.browser.test_agent import at_desk


def test_an_agent_passes_a_request_on_and_the_timeline_says_where(browser, live_server):
    created = live_server.report("voirie", attributes={"taille": "large"}, description="Lampadaire qui clignote")
    desk, page = at_desk(browser, live_server, f"/agent/requests/{created['ref']}")
    page.get_by_role("heading", name="Transmettre à un autre service").wait_for()
    form = page.locator("form", has=page.get_by_role("button", name="Transmettre"))
    form.get_by_label("Service").select_option(label="Éclairage public en panne")
    form.get_by_role("button", name="Transmettre").click()
    expect(form.locator(".field-error")).to_have_text("Ce champ est obligatoire.")  # the reason the citizen reads
    form.get_by_label("Motif").fill("Il s'agit d'un lampadaire : le service de l'éclairage reprend la demande.")
    assert axe_violations(page) == []
    form.get_by_role("button", name="Transmettre").click()
    page.get_by_text("Demande transmise.").wait_for()
    expect(page.locator("h1")).to_have_text(f"{created['ref']} · Éclairage public en panne")
    expect(page.locator(".timeline")).to_contain_text("Transmise à : Éclairage public en panne (Commune de Brenles)")
    desk.close()

    with live_server.api() as api:
        body = api.get(f"/api/v1/track/{created['tracking_token']}").json()
    assert body["service"]["code"] == "eclairage"
    assert [e["data"]["to"]["code"] for e in body["events"] if e["kind"] == "moved"] == ["eclairage"]
