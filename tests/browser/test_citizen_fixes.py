"""Issue 21, citizen side, second part: the photo's place checked like any pin move, bad photos named on the phone,
the catalogue kept for offline reports, and /account opened before the service worker exists."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import photos
from tests.browser.conftest import IN_BRENLES, PHONE, axe_violations, screenshot
from tests.browser.test_report_flow import start_report
from tests.factories import IN_CHESALLES, OUTSIDE

NEAR_A_POTHOLE = (46.6712, 6.8515)  # in Brenles, ~350 m from the phone


def _photo(tmp_path, name: str, gps) -> str:
    path = tmp_path / name
    path.write_bytes(photos.jpeg(800, 600, gps=gps))
    return str(path)


def _details_town(phone) -> str:
    phone.get_by_role("button", name="Suivant").click()
    box = phone.locator("form .info-box").first
    box.wait_for()
    text = box.inner_text()
    phone.get_by_role("button", name="Retour").click()
    phone.get_by_text("Étape 4 sur 5 : photos").wait_for()
    return text


def test_moving_the_pin_to_the_photo_checks_the_town_and_what_is_already_reported(phone, live_server, tmp_path):
    """Point 2: the pin went to the photo's GPS position unchecked: outside the town the details still named
    Brenles, and sending failed with an English message."""
    live_server.report("voirie", *NEAR_A_POTHOLE, attributes={"taille": "small"}, description="Trou près du collège")
    start_report(phone)
    offer = phone.get_by_role("button", name="Placer l'épingle où la photo a été prise")

    phone.locator("[data-js=gallery]").set_input_files(_photo(tmp_path, "geneve.jpg", OUTSIDE))
    offer.click()
    phone.get_by_role("alert").get_by_text("Cette photo a été prise en dehors des communes servies par Guichet").wait_for()
    assert "Commune de Brenles" in _details_town(phone)

    phone.locator("[data-js=gallery]").set_input_files(_photo(tmp_path, "chesalles.jpg", IN_CHESALLES))
    offer.click()
    phone.get_by_text("Ce lieu dépend de : Commune de Chesalles.").wait_for()
    assert "Commune de Chesalles" in _details_town(phone)

    phone.locator("[data-js=gallery]").set_input_files(_photo(tmp_path, "college.jpg", NEAR_A_POTHOLE))
    offer.click()
    phone.get_by_text("Ce lieu dépend de : Commune de Brenles.").wait_for()
    phone.get_by_text("signalement(s) en cours près de ce nouvel endroit").wait_for()
    screenshot(phone, "21-photo-place-checked")
    phone.get_by_role("button", name="Voir s'il est déjà signalé").click()
    phone.get_by_text("Trou près du collège").wait_for()


@pytest.fixture
def allowed_console(allowed_console):
    allowed_console.append("status of 4")
    return allowed_console


def test_an_empty_file_or_a_text_named_jpg_is_refused_on_the_phone_by_name(phone, tmp_path):
    """Point 5: a 0-byte photo or a text file named .jpg was "Photo ajoutée" with a broken thumbnail."""
    start_report(phone)
    empty = tmp_path / "vide.jpg"
    empty.write_bytes(b"")
    text = tmp_path / "liste-courses.jpg"
    text.write_text("du pain, du lait\n")
    good = tmp_path / "trou.jpg"
    good.write_bytes(photos.jpeg(800, 600, gps=None))
    phone.locator("[data-js=gallery]").set_input_files([str(empty), str(text), str(good)])
    phone.get_by_role("img", name="Photo 1").wait_for()
    problems = phone.locator("[data-js=photo-problems]")
    problems.get_by_text("Le fichier « vide.jpg » est vide").wait_for()
    problems.get_by_text("Le fichier « liste-courses.jpg » n'est pas une photo").wait_for()
    assert phone.locator("ul.thumbs img").count() == 1
    phone.get_by_text("1 photo(s) sur 5 au plus.").wait_for()
    natural = phone.locator("ul.thumbs img").evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert natural == 600  # decoded, and upright: the test JPEG says "rotate 90°" in its EXIF


def test_offline_the_first_report_has_its_categories_and_says_the_duplicate_check_waits(phone):
    """Point 8: offline before the categories were ever loaded, step 2 dead-ended on "Pas de connexion"."""
    phone.goto("/")
    phone.get_by_role("heading", name="Votre commune, à portée de main").wait_for()
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null && localStorage.getItem('guichet.catalogues')")
    phone.context.set_offline(True)
    phone.get_by_role("link", name="Signaler un problème").first.click()
    phone.get_by_role("button", name="Utiliser ma position").click()
    phone.get_by_text("Hors ligne : l'endroit sera vérifié à l'envoi.").wait_for()
    phone.get_by_role("button", name="Suivant").click()
    phone.get_by_text("Hors ligne : voici les catégories gardées sur ce téléphone.").wait_for()
    phone.get_by_role("button", name="Nid-de-poule, chaussée abîmée").click()
    phone.get_by_text("Étape 4 sur 5 : photos").wait_for()
    phone.get_by_text("Hors ligne : nous n'avons pas pu vérifier si ce problème est déjà signalé.").wait_for()
    screenshot(phone, "22-offline-categories")
    phone.context.set_offline(False)


def test_my_account_opened_straight_away_shows_notifications_and_installs_the_worker(browser, live_server):
    """Point 12: /account opened before the service worker was installed hung its notifications section for ever
    and never registered the worker."""
    first = browser.new_context(**PHONE, base_url=live_server.url, locale="fr-CH", service_workers="block")
    page = first.new_page()
    page.goto("/account/login")
    page.get_by_label("Adresse e-mail").fill("citoyenne@brenles.example")
    page.get_by_label("Mot de passe").fill("Brenles-citoyenne-26")
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url("**/requests")
    cookies = first.cookies()
    first.close()
    fresh = browser.new_context(**PHONE, base_url=live_server.url, locale="fr-CH", geolocation=IN_BRENLES)
    fresh.add_cookies(cookies)
    page = fresh.new_page()
    page.goto("/account")
    page.get_by_text("Ce téléphone ne reçoit pas de notifications.").wait_for()
    page.get_by_role("button", name="Activer sur ce téléphone").wait_for()
    page.wait_for_function("() => navigator.serviceWorker.getRegistration('/').then((r) => Boolean(r && r.active))")
    fresh.close()


def test_the_header_names_the_town_and_the_found_list_says_what_it_hides(phone, live_server, tmp_path):
    """Point 14: the header never named the town; the found objects page said identity documents are never shown
    and then listed "Pièce d'identité"."""
    from datetime import datetime, timezone

    with live_server.api() as api:
        token = api.get("/api/v1/session").json()["csrf_token"]
        r = api.post("/api/v1/requests", headers={"X-CSRF-Token": token, "Idempotency-Key": str(tmp_path)}, data={
            "service": "objet-trouve", "lat": "46.6731", "lon": "6.8542", "contact_email": "trouveuse@example.org",
            "description": "Carte d'identité trouvée à l'arrêt de bus",
            "attributes": '{"categorie": "id", "quand": "%s", "garde": "remis"}' % datetime.now(timezone.utc).isoformat()},
            files={"photo": ("carte.jpg", photos.jpeg(800, 600, gps=None), "image/jpeg")})
        assert r.status_code == 201, r.text
        ref = r.json()["ref"]
    phone.goto("/")
    expect(phone.locator("[data-js=org]")).to_have_text("Commune de Brenles")  # once the config has arrived
    phone.get_by_role("button", name="English").click()
    phone.locator("[data-js=org]", has_text="Municipality of Brenles").wait_for()
    phone.get_by_role("button", name="Français").click()
    phone.goto("/found?category=id")
    card = phone.locator(f'[data-ref="{ref}"]')
    card.wait_for()
    assert "Pièce d'identité" in card.inner_text() and card.locator("img").count() == 0
    intro = phone.locator("main p").first.inner_text()
    assert "Les photos des pièces d'identité et des cartes bancaires ne sont jamais montrées" in intro


def test_a_place_is_found_by_its_address_and_open_reports_show_on_the_first_map(phone, live_server):
    """Point 15: without GPS there was no way but to pan the map; and the first map showed nothing reported."""
    live_server.report("proprete", *NEAR_A_POTHOLE, address="Impasse des Glycines 5, 1683 Brenles")
    phone.goto("/")
    phone.get_by_role("link", name="Signaler un problème").first.click()
    search = phone.get_by_label("Ou cherchez une adresse")
    search.fill("gl")
    search.press("Enter")
    phone.get_by_text("Tapez au moins 3 caractères.").wait_for()
    search.fill("impasse des glycines")
    search.press("Enter")
    phone.get_by_text("1 adresse(s) trouvée(s) : choisissez-en une.").wait_for()
    phone.get_by_role("button", name="Impasse des Glycines 5, 1683 Brenles").click()
    phone.get_by_text("Épingle placée : Impasse des Glycines 5, 1683 Brenles.").wait_for()
    phone.get_by_text("Ce lieu dépend de : Commune de Brenles.").wait_for()
    # The open reports around are on the map, below the pin, in words as well.
    phone.get_by_text("Les signalements en cours sont sur la carte").wait_for()
    assert phone.locator(".pin.existing").count() >= 1
    screenshot(phone, "21-address-search")
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="Suivant").click()
    phone.get_by_role("button", name="Nid-de-poule, chaussée abîmée").wait_for()
    search_none = "Rue qui n'existe pas"
    phone.go_back()
    phone.get_by_label("Ou cherchez une adresse").fill(search_none)
    phone.get_by_role("button", name="Chercher").click()
    phone.get_by_text("Aucune adresse trouvée.").wait_for()
