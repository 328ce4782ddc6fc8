"""A citizen declares a lost wallet, the office records a found one, the citizen is told, claims it, gets it back."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_agent import at_desk
from tests.browser.test_report_flow import to_categories


def test_a_lost_wallet_goes_back_to_its_owner_every_step_in_the_browser(browser, phone, live_server, tmp_path):
    from tests import photos

    page = phone
    page.goto("/")
    page.get_by_role("link", name="J'ai perdu un objet").click()
    page.get_by_text("Étape 1 sur 3 : où ?").wait_for()
    to_categories(page)  # the office's one "lost" category is chosen by itself
    page.get_by_text("Étape 2 sur 3 : photos").wait_for()  # issue 21, point 14: it said "Étape 4 sur 5"
    page.get_by_role("button", name="Suivant").click()
    page.get_by_text("Étape 3 sur 3 : détails").wait_for()
    page.get_by_label("Description").fill("Portefeuille en cuir brun, abonnement de bus dedans")
    page.get_by_role("radio", name="Portefeuille ou porte-monnaie").check()
    page.get_by_role("radio", name="Brun").check()
    page.get_by_label("Marque").fill("Fossil")
    page.get_by_label("Signes distinctifs").fill("Initiales L.C. gravées à l'intérieur")
    lost_at = (datetime.now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Au plus tard, quand l'avez-vous perdu ?").fill(lost_at)
    page.get_by_role("radio", name="À 500 m près").check()
    page.get_by_label("Votre adresse e-mail").fill("lea.owner@example.org")
    screenshot(page, "30-lost-details")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("heading", name="Merci, c'est envoyé !").wait_for()
    lost_ref = page.locator("[data-js=ref]").inner_text()

    desk, office = at_desk(browser, live_server, "/agent/new")
    office.get_by_role("heading", name="Saisir une demande (téléphone, guichet, courrier)").wait_for()
    office.get_by_label("Reçue par").select_option("counter")
    office.get_by_label("Catégorie", exact=True).select_option("objet-trouve")
    office.get_by_role("radio", name="Portefeuille ou porte-monnaie").check()
    office.get_by_role("radio", name="Brun").check()
    office.get_by_label("Signes distinctifs").fill("L.C. gravé")
    office.get_by_label("Quand l'avez-vous trouvé ?").fill(datetime.now().strftime("%Y-%m-%dT%H:%M"))
    office.get_by_role("radio", name="Je l'apporte au bureau des objets trouvés").check()
    office.get_by_label("Rangement au bureau").fill("Armoire B, casier 4")
    office.locator(".leaflet-container").click()
    office.get_by_text("Lieu placé.").wait_for()
    office.get_by_label("Description").fill("Portefeuille cuir brun avec un abonnement de bus")
    office.get_by_role("button", name="Enregistrer la demande").click()
    office.wait_for_url(re.compile(r".*/agent/requests/BRN-"))
    found_ref = office.url.rsplit("/", 1)[1]

    # The owner is told (here: the e-mail with the tracking link); the candidate is on the declaration's page.
    page.goto("/requests")
    page.get_by_role("link", name="J'ai perdu un objet").first.click()
    page.get_by_role("link", name="Voir les objets trouvés qui pourraient être le vôtre").click()
    card = page.locator(f'[data-ref="{found_ref}"]')
    card.wait_for()
    assert "L.C." not in card.inner_text()  # the found object's private marks stay private
    card.get_by_role("button", name="C'est le mien").click()
    page.get_by_label("Ce que seul le propriétaire sait").fill("Mes initiales L.C. sont gravées à l'intérieur")
    receipt = tmp_path / "ticket.jpg"
    receipt.write_bytes(photos.jpeg(900, 1200, gps=None))
    page.get_by_label("Une preuve (facultatif)").set_input_files(str(receipt))
    page.get_by_role("button", name="Réclamer cet objet").click()
    page.get_by_text("Demande envoyée : le bureau vérifie.").wait_for()
    assert "En attente d'envoi" not in page.locator("main").inner_text()  # issue 21, point 7: it was sent
    screenshot(page, "31-lost-claimed")
    assert axe_violations(page) == []

    office.goto("/agent/lostfound")
    claim = office.locator("[data-claim]").first
    expect(claim).to_contain_text("Mes initiales L.C.")
    expect(claim).to_contain_text("L.C. gravé")  # the office compares the answer with the marks
    expect(claim.get_by_role("img", name="Preuve 1 jointe par le propriétaire")).to_be_visible()
    office.get_by_label(f"Rangement de l'objet {found_ref}").fill("Coffre, étagère 2")
    office.locator("form.inline", has=office.get_by_label(f"Rangement de l'objet {found_ref}")).get_by_role("button", name="Déplacer").click()
    office.get_by_text("C'est enregistré.").first.wait_for()
    expect(office.get_by_label(f"Rangement de l'objet {found_ref}")).to_have_value("Coffre, étagère 2")
    claim = office.locator("[data-claim]").first
    screenshot(office, "32-lostfound-office")
    assert axe_violations(office) == []
    claim.get_by_role("button", name="✔ Accepter").click()
    claim = office.locator("[data-claim]").first
    claim.get_by_label("Pièce d'identité vérifiée").fill("Carte d'identité C1234567")
    claim.get_by_role("button", name="Objet remis au propriétaire").click()
    expect(office.locator("[data-claim]")).to_have_count(0)
    desk.close()

    page.reload()
    page.get_by_text("Rendu.").wait_for()
    with live_server.api() as api:
        seen = api.get(f"/api/v1/lostfound/found", params={"organisation": "brenles"}).json()["items"]
    assert found_ref not in [i["ref"] for i in seen]
    assert lost_ref.startswith("BRN-")


def test_anyone_looks_through_the_found_objects_by_category_date_and_place(phone):
    page = phone
    page.goto("/")
    page.get_by_role("link", name="Objets trouvés").click()
    page.get_by_role("heading", name="Objets trouvés").wait_for()
    page.get_by_label("Catégorie").select_option("keys")
    page.get_by_label("Commune").select_option(label="Commune de Brenles")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**category=keys**")
    cards = page.locator("ul.cards > li.card")
    expect(cards.first).to_contain_text("Clés")
    assert all("Clés" in text for text in cards.all_inner_texts())
    assert "Initiales" not in page.content()  # the marks of the demo's objects never show
    assert axe_violations(page) == []
    screenshot(page, "33-found-list")
