"""A person on a phone reports with a photo, online and offline, in real Chromium against the real server."""
from __future__ import annotations

import io
import re
import uuid

import pytest
from PIL import Image

from tests import photos
from tests.browser.conftest import axe_violations, screenshot
from tests.factories import IN_DISTRICT_ONLY, OUTSIDE

ELSEWHERE_IN_BRENLES = (46.6745, 6.8570)  # where the photo was taken: ~250 m from the phone


def start_report(page, *, shots: bool = False) -> None:
    """Home -> where (the phone's position) -> what (potholes) -> past 'already reported?' -> photos."""
    page.goto("/")
    page.get_by_role("heading", name="Votre commune, à portée de main").wait_for()
    if shots:
        screenshot(page, "01-home")
    page.get_by_role("link", name="Signaler un problème").first.click()
    if shots:
        page.get_by_role("button", name="Utiliser ma position").click()
        page.get_by_text("Ce lieu dépend de : Commune de Brenles.").wait_for()
        page.locator(".leaflet-tile-loaded").first.wait_for()
        screenshot(page, "02-where")
    to_categories(page)
    page.get_by_role("button", name="Nid-de-poule, chaussée abîmée").wait_for()
    if shots:
        screenshot(page, "03-what")
    choose_category(page, "Nid-de-poule, chaussée abîmée", on_nearby=lambda: shots and screenshot(page, "03b-nearby"))


def choose_category(page, name: str, on_nearby=None) -> None:
    """A category of the 'what' step, then past 'is it one of these?' (shown when earlier tests reported the same
    thing here; `on_nearby` runs while it is) to the photos step."""
    page.get_by_role("button", name=name).click()
    new_problem = page.get_by_role("button", name="Non, c'est un nouveau problème")
    new_problem.or_(page.get_by_text("Étape 4 sur 5 : photos")).wait_for()
    if new_problem.is_visible():
        if on_nearby:
            on_nearby()
        new_problem.click()
    page.get_by_text("Étape 4 sur 5 : photos").wait_for()


def to_categories(page) -> None:
    """On /report: the phone's position, checked, then on to the categories."""
    page.get_by_role("button", name="Utiliser ma position").click()
    page.get_by_text("Ce lieu dépend de : Commune de Brenles.").wait_for()
    page.get_by_role("button", name="Suivant").click()


def queue_offline(page, description: str) -> None:
    """Fills the details, loses the network and sends: the report waits on the phone."""
    fill_details(page, description)
    page.context.set_offline(True)
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("heading", name="En attente d'envoi").wait_for()


def fill_details(page, description: str, email: str = "passante@example.org") -> None:
    page.get_by_label("Description").fill(description)
    page.get_by_role("radio", name="Grand").check()
    page.get_by_label("Votre adresse e-mail").fill(email)


def test_a_report_with_a_12_mp_photo_from_the_file_input(phone, live_server, tmp_path):
    page = phone
    start_report(page, shots=True)
    picture = tmp_path / "IMG_2041.jpg"
    picture.write_bytes(photos.jpeg(gps=ELSEWHERE_IN_BRENLES))
    page.locator("[data-js=gallery]").set_input_files(str(picture))
    page.get_by_role("img", name="Photo 1").wait_for()
    # The photo carries another position than the pin: the app offers to move the pin there.
    page.get_by_role("button", name="Placer l'épingle où la photo a été prise").click()
    page.get_by_text("L'épingle est maintenant où la photo a été prise.").wait_for()
    screenshot(page, "04-photos")
    page.get_by_role("button", name="Suivant").click()
    description = f"Trou dangereux devant la poste {uuid.uuid4().hex[:6]}"
    fill_details(page, description)
    screenshot(page, "05-details")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("heading", name="Merci, c'est envoyé !").wait_for()
    ref = page.locator("[data-js=ref]").inner_text()
    assert re.fullmatch(r"BRN-\d{4}-\d{6}", ref)
    assert "null" not in page.locator("main").inner_text()  # issue 21, point 3: "null" where a part is absent
    screenshot(page, "06-sent")

    with live_server.api() as api:
        req = api.get(f"/api/v1/requests/{ref}").json()
        assert req["description"] == description and req["attributes"] == {"taille": "large"}
        assert (req["lat"], req["lon"]) == pytest.approx(ELSEWHERE_IN_BRENLES, abs=1e-5)
        [photo] = req["photos"]
        stored = Image.open(io.BytesIO(api.get(photo["url"]).content))
        assert max(stored.size) <= 2048 and stored.height > stored.width  # downscaled, upright (orientation 6)
        assert not stored.getexif() and "exif" not in stored.info

    # The author follows it from "my requests", on this phone, without an account.
    page.get_by_role("link", name="Suivre ma demande").click()
    page.get_by_role("heading", name="Nid-de-poule, chaussée abîmée").wait_for()
    assert page.get_by_text(ref).first.is_visible()
    assert page.get_by_text("Demande reçue").is_visible()
    screenshot(page, "07-request")
    page.get_by_role("navigation").get_by_role("link", name="Demandes").click()
    page.get_by_role("link", name="Nid-de-poule, chaussée abîmée").first.wait_for()
    assert page.get_by_text(ref).is_visible()


def count_with(live_server, description: str) -> int:
    with live_server.api() as api:
        return len(api.get("/api/v1/requests", params={"q": description}).json()["items"])


def test_offline_the_report_waits_then_leaves_exactly_once(phone, live_server, tmp_path):
    page = phone
    start_report(page)
    picture = tmp_path / "photo.jpg"
    picture.write_bytes(photos.jpeg(1600, 1200))
    page.locator("[data-js=camera]").set_input_files(str(picture))
    page.get_by_role("img", name="Photo 1").wait_for()
    page.get_by_role("button", name="Suivant").click()
    description = f"Banc cassé {uuid.uuid4().hex[:8]}"
    queue_offline(page, description)
    page.get_by_role("link", name="Mes demandes").first.click()
    page.locator("[data-js=waiting]").get_by_text("En attente d'envoi").wait_for()
    screenshot(page, "08-waiting")
    assert count_with(live_server, description) == 0

    page.context.set_offline(False)  # the `online` event sends it
    page.get_by_text(re.compile(r"Envoyé : BRN-")).wait_for()
    page.locator("[data-js=waiting]").wait_for(state="detached")
    page.reload()
    page.get_by_role("heading", name="Mes demandes").wait_for()
    assert count_with(live_server, description) == 1


def test_a_report_queued_in_a_closed_app_is_sent_when_it_starts_again(browser, phone, live_server, tmp_path):
    page = phone
    start_report(page)
    page.get_by_role("button", name="Suivant").click()
    description = f"Nid-de-poule {uuid.uuid4().hex[:8]}"
    queue_offline(page, description)
    context = page.context
    page.close()  # the person closes the app while offline
    context.set_offline(False)
    again = context.new_page()
    again.goto("/requests")
    again.get_by_text(re.compile(r"Envoyé : BRN-")).wait_for()
    again.get_by_role("heading", name="Mes demandes").wait_for()
    assert count_with(live_server, description) == 1


def test_the_shell_opens_offline_after_the_first_visit(phone):
    page = phone
    page.goto("/")
    page.get_by_role("heading", name="Votre commune, à portée de main").wait_for()
    assert page.evaluate("navigator.serviceWorker.ready.then(r => Boolean(r.active))")
    page.wait_for_function("Boolean(navigator.serviceWorker.controller)")
    page.context.set_offline(True)
    page.goto("/requests")  # a navigation the server cannot answer: the service worker gives the shell
    page.get_by_role("heading", name="Mes demandes").wait_for()
    page.get_by_text("Vous êtes hors ligne").wait_for()
    page.get_by_role("link", name="Accueil").click()
    page.get_by_role("heading", name="Votre commune, à portée de main").wait_for()


@pytest.mark.parametrize("where", [IN_DISTRICT_ONLY, OUTSIDE], ids=["district-only", "far-away"])
def test_a_point_outside_the_municipalities_is_explained(phone, where, allowed_console):
    allowed_console.append("status of 422")  # the server's outside_area answer, shown to the person
    page = phone
    page.context.set_geolocation({"latitude": where[0], "longitude": where[1]})
    page.goto("/report")
    page.get_by_role("button", name="Utiliser ma position").click()
    page.get_by_role("alert").get_by_text("Ce point est en dehors des communes servies par Guichet.").wait_for()
    assert page.get_by_role("button", name="Suivant").is_disabled()
    assert axe_violations(page) == []


def test_an_urgent_category_shows_its_emergency_number_first(phone):
    page = phone
    page.goto("/report")
    to_categories(page)
    page.get_by_role("button", name="Arbre dangereux").click()
    call = page.get_by_role("link", name="Appeler le 118")
    assert call.get_attribute("href") == "tel:118"
    assert page.get_by_role("alert").get_by_text("Danger immédiat").is_visible()
