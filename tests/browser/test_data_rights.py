"""Issue 18, points 1 to 3 on a phone: a citizen corrects their contact details, downloads all their data and deletes
their account from the account screen."""
from __future__ import annotations

import io
import json
import zipfile

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot

PASSWORD = "des vélos sur la place du marché"


def _register(live_server, email: str, name: str) -> None:
    with live_server.api() as api:
        token = api.get("/api/v1/session").json()["csrf_token"]
        r = api.post("/api/v1/auth/register", headers={"X-CSRF-Token": token},
                     json={"name": name, "email": email, "password": PASSWORD})
        assert r.status_code == 202, r.text


def _sign_in(page, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Mes demandes").wait_for()


def test_a_citizen_corrects_downloads_and_deletes_their_data(phone, live_server, allowed_console, tmp_path):
    email = "zoe.rochat@example.org"
    _register(live_server, email, "Zoé Rochat")
    _sign_in(phone, email)
    phone.goto("/account")
    phone.get_by_role("heading", name="Mes données").wait_for()

    contact = phone.locator("details", has_text="Mes coordonnées")
    contact.locator("summary").click()
    contact.get_by_label("Téléphone").fill("021 555 12 34")
    contact.get_by_label("Adresse postale").fill("Chemin des Vergers 3\n1683 Brenles")
    contact.get_by_role("button", name="Enregistrer mes coordonnées").click()
    phone.get_by_text("Coordonnées enregistrées.").wait_for()
    phone.locator("summary", has_text="Télécharger mes données").click()
    phone.locator("summary", has_text="Supprimer mon compte").click()
    assert axe_violations(phone) == []
    screenshot(phone, "50-account-data")

    phone.get_by_role("button", name="Préparer mes données").click()
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Télécharger (ZIP,").click()
    archive = tmp_path / "mes-donnees.zip"
    download.value.save_as(archive)
    assert download.value.suggested_filename.startswith("guichet-mes-donnees-")
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as z:
        data = json.loads(z.read("data.json"))
    assert data["account"]["email"] == email
    assert data["account"]["phone"] == "021 555 12 34"
    assert data["account"]["postal_address"] == "Chemin des Vergers 3\n1683 Brenles"

    allowed_console.append("422")  # the wrong password, on purpose
    erase = phone.locator("details", has_text="Supprimer mon compte")
    erase.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    erase.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(erase.locator(".field-error")).to_have_count(1)
    phone.get_by_role("heading", name="Mes données").wait_for()  # still there: nothing was deleted

    erase.get_by_label("Mot de passe").fill(PASSWORD)
    erase.get_by_role("button", name="Supprimer définitivement mon compte").click()
    phone.get_by_role("heading", name="Compte supprimé").wait_for()
    assert phone.evaluate("document.activeElement.tagName") == "H1"

    with live_server.api() as api:
        token = api.get("/api/v1/session").json()["csrf_token"]
        r = api.post("/api/v1/auth/login", headers={"X-CSRF-Token": token}, json={"email": email, "password": PASSWORD})
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_credentials", r.text
    phone.goto("/account")
    phone.get_by_role("heading", name="Se connecter").wait_for()  # signed out, on this phone too
