"""Issue 17, points 1 to 3 on a phone: the catalogue searched from home, a procedure's page, and its form filled,
checked in the page, sent offline and leaving once when the network returns."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_screens import sign_in


def test_a_citizen_finds_a_procedure_and_sends_its_form_offline(phone, live_server):
    page = phone
    page.goto("/")
    page.get_by_role("link", name="Démarches en ligne").click()
    page.get_by_role("heading", name="Démarches en ligne").wait_for()
    expect(page.locator("[data-js=count]")).to_contain_text("démarche")
    assert axe_violations(page) == []
    page.get_by_label("Rechercher une démarche").fill("demenagement")  # without its accents
    expect(page.locator(".procedure")).to_have_count(1)
    page.get_by_label("Pour", exact=True).select_option("associations")
    expect(page.get_by_text("Aucune démarche ne correspond.")).to_be_visible()
    page.get_by_label("Pour", exact=True).select_option("")
    screenshot(page, "60-procedures")
    page.get_by_role("link", name=re.compile("Occuper le domaine public")).click()

    page.get_by_role("heading", name="Occuper le domaine public pour un déménagement").wait_for()
    facts = page.locator("dl.procedure-page")
    expect(facts).to_contain_text("Particuliers, Entreprises")
    expect(facts).to_contain_text("CHF 30.– par jour")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Commencer la démarche").click()

    form = page.locator("[data-js=procedure-form]")
    form.wait_for()
    page.get_by_role("button", name="Envoyer").click()
    # Every missing answer flagged at once, each beside its question.
    expect(page.locator(".field-error")).to_have_count(6)
    assert axe_violations(page) == []
    screenshot(page, "61-procedure-form")
    page.get_by_label("Premier jour").fill("2027-01-14")
    page.get_by_label("Dernier jour").fill("2027-01-15")
    page.get_by_label("Adresse du déménagement").fill("Rue du Four 3\n1683 Brenles")
    page.get_by_label("Surface occupée (m²)").fill("15")
    page.get_by_role("radio", name="Camionnette").check()
    note = f"Deux places devant l'immeuble {uuid.uuid4().hex[:6]}"
    page.get_by_label("Précisions (facultatif)").fill(note)
    page.get_by_label("Votre adresse e-mail").fill("demenage@example.org")
    # The draft stays on the phone: a reload keeps every answer.
    page.reload()
    expect(page.get_by_label("Surface occupée (m²)")).to_have_value("15")
    expect(page.get_by_role("radio", name="Camionnette")).to_be_checked()

    page.context.set_offline(True)
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("heading", name="En attente d'envoi").wait_for()
    page.context.set_offline(False)  # the `online` event sends it
    page.get_by_text(re.compile(r"Envoyé : BRN-")).wait_for()

    agent = live_server.signed_in("agent@brenles.example", "Brenles-agent-2026")
    found = agent.get("/api/v1/staff/requests", params={"q": note}).json()["items"]
    assert len(found) == 1  # once, not once per attempt
    request = agent.get(f"/api/v1/requests/{found[0]['ref']}").json()
    agent.close()
    assert request["lat"] is None and request["service"]["code"] == "occupation-demenagement"
    assert request["attributes"] == {"debut": "2027-01-14", "fin": "2027-01-15",
                                     "adresse": "Rue du Four 3\n1683 Brenles", "surface": 15,
                                     "vehicule": "camionnette"}


def test_a_signed_in_persons_account_pre_fills_the_form(phone, live_server):
    page = phone
    sign_in(page)
    status = page.evaluate("""async () => {
        const session = await (await fetch('/api/v1/session')).json();
        const r = await fetch('/api/v1/me', {method: 'PATCH', body: JSON.stringify({phone: '021 555 66 77'}),
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token}});
        return r.status; }""")
    assert status == 200
    page.goto("/procedures/brenles/rappel/form")
    expect(page.get_by_label("Votre numéro")).to_have_value("021 555 66 77")
    expect(page.locator("[data-js=prefilled]")).to_be_visible()
    page.get_by_role("radio", name="Le matin").check()
    page.get_by_label("À quel sujet ?").fill("Ma demande de macaron")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("heading", name="Merci, c'est envoyé !").wait_for()
    assert axe_violations(page) == []
