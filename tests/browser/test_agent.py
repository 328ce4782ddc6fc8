"""An agent of Brenles handles a request in the staff area; the citizen sees the answer, never the internal note."""
from __future__ import annotations

import uuid

from tests.browser.conftest import PHONE, axe_violations, screenshot

AGENT = ("agent@brenles.example", "Brenles-agent-2026")


def new_request(live_server) -> dict:
    with live_server.api() as api:
        token = api.get("/api/v1/session").json()["csrf_token"]
        word = f"lampadaire{uuid.uuid4().hex[:6]}"
        r = api.post("/api/v1/requests", headers={"X-CSRF-Token": token},
                     json={"service": "proprete", "lat": 46.6731, "lon": 6.8542, "description": f"Déchets près du {word}",
                           "contact_email": "habitante@example.org", "contact_name": "Julie Habitante"})
        assert r.status_code == 201, r.text
        return r.json() | {"word": word}


def test_an_agent_filters_the_queue_answers_and_the_citizen_sees_it(browser, live_server):
    created = new_request(live_server)
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="fr-CH")
    page = desk.new_page()
    page.goto("/account/login?next=/agent")
    page.get_by_label("Adresse e-mail").fill(AGENT[0])
    page.get_by_label("Mot de passe").fill(AGENT[1])
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Espace agents").wait_for()
    page.locator("table.queue tbody tr").first.wait_for()
    page.get_by_label("Recherche").fill(created["word"])
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name=created["ref"]).wait_for()
    assert page.locator("table.queue tbody tr").count() == 1
    screenshot(page, "20-agent-queue")
    assert axe_violations(page) == []
    page.get_by_role("link", name=created["ref"]).click()
    page.get_by_role("heading", name=f"{created['ref']} · Propreté, poubelle pleine").wait_for()
    assert page.get_by_text("Julie Habitante · habitante@example.org").is_visible()  # staff see the contact
    page.get_by_label("Nouveau statut").select_option("acknowledged")
    message = page.get_by_label("Message public")
    assert message.input_value().startswith("Merci pour votre signalement")  # the template, editable
    message.fill("Merci, l'équipe de voirie passe demain matin.")
    page.get_by_role("button", name="Enregistrer et prévenir").click()
    page.get_by_text("Merci, l'équipe de voirie passe demain matin.").wait_for()
    page.get_by_label("Note", exact=True).fill("Voir avec le concierge de l'école.")
    page.get_by_role("button", name="Ajouter la note").click()
    page.get_by_text("Voir avec le concierge de l'école.").wait_for()
    screenshot(page, "21-agent-request")
    assert axe_violations(page) == []
    desk.close()

    citizen = browser.new_context(**PHONE, base_url=live_server.url, locale="fr-CH")
    mine = citizen.new_page()
    mine.goto(f"/track/{created['tracking_token']}")
    mine.get_by_text("Merci, l'équipe de voirie passe demain matin.").wait_for()
    assert mine.get_by_text("Prise en compte").first.is_visible()
    assert mine.get_by_text("concierge").count() == 0
    citizen.close()


def test_a_citizen_is_kept_out_of_the_staff_area(phone):
    page = phone
    page.goto("/agent")
    page.get_by_text("Cet espace est réservé au personnel des communes.").wait_for()
