"""Issue 18, points 4 to 6 in the browser: the legal pages from every page's footer and before a report is sent,
written by an administrator with a preview; the secretary's data-protection desk (retention rules, a person's
data exported and anonymised)."""
from __future__ import annotations

import io
import json
import zipfile

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_agent import at_desk
from tests.browser.test_report_flow import start_report
from tests.browser.test_staff_access_browser import SECRETARY

ADMIN = ("admin@lemanie.example", "Lemanie-admin-2026")


def test_the_legal_pages_are_a_tap_away_on_every_page_and_before_sending(phone):
    phone.goto("/map")
    phone.locator("footer").get_by_role("link", name="Protection des données").click()
    phone.get_by_role("heading", name="Protection des données", level=1).wait_for()
    text = phone.locator(".page-text")
    expect(text).to_contain_text("Commune de Brenles est responsable du traitement")
    expect(text.get_by_role("heading", name="Vos droits")).to_be_visible()
    assert "greffe@brenles.example" in text.inner_text()  # whom to ask, from the town's own details
    assert axe_violations(phone) == []
    screenshot(phone, "51-privacy-notice")
    for name in ("Aide", "Conditions d'utilisation", "Accessibilité", "Mentions légales"):
        phone.locator("footer").get_by_role("link", name=name, exact=True).click()
        expect(phone.locator("h1")).not_to_have_text("Protection des données")
        expect(phone.locator(".page-text")).to_contain_text("Brenles")

    start_report(phone)
    phone.get_by_role("button", name="Suivant").click()
    consent = phone.locator("[data-js=consent]")
    expect(consent.get_by_role("link", name="conditions d'utilisation")).to_have_attribute("href", "/pages/terms")
    expect(consent.get_by_role("link", name="la notice de protection des données")).to_have_attribute("href", "/pages/privacy")


def test_an_administrator_writes_the_towns_privacy_notice_with_a_preview(browser, live_server):
    desk, page = at_desk(browser, live_server, "/agent/pages?kind=privacy", who=ADMIN)
    page.get_by_role("heading", name="Pages d'information").wait_for()
    page.get_by_label("Organisation").select_option("brenles")
    expect(page.get_by_label("Titre")).to_have_value("Protection des données")
    expect(page.locator("[data-js=state]")).to_have_text("Texte d'origine (pas encore modifié).")
    page.get_by_label("Titre").fill("Vos données à Brenles")
    page.get_by_label("Texte").fill("## Responsable\nLe greffe municipal.\n\n- Droit d'accès\n- Droit à l'effacement")
    preview = page.locator(".preview")
    expect(preview.get_by_role("heading", name="Responsable")).to_be_visible()
    expect(preview.get_by_role("listitem")).to_have_count(2)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Page enregistrée.").wait_for()
    desk.close()

    with live_server.api() as api:
        body = api.get("/api/v1/pages/privacy?organisation=brenles&lang=fr").json()
    assert body["title"] == "Vos données à Brenles" and body["edited"] is True
    assert body["body"].startswith("## Responsable")
    admin = live_server.signed_in(*ADMIN)  # the built-in text again, for the tests after this one
    assert admin.delete("/api/v1/organisations/brenles/pages/privacy?lang=fr").json()["edited"] is False
    admin.close()


def test_the_secretary_sees_the_retention_and_answers_a_rights_request_by_post(browser, live_server, tmp_path):
    email = "courrier.papier@example.org"
    report = live_server.report("proprete", contact_email=email, description="Sac abandonné")
    desk, page = at_desk(browser, live_server, "/agent/privacy", who=SECRETARY)
    page.get_by_role("heading", name="Protection des données").wait_for()
    table = page.get_by_role("table", name="Durées de conservation")
    expect(table.get_by_role("row", name="Journal des actions du personnel 1825 RETENTION_AUDIT_DAYS")).to_be_visible()

    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Motif et vérification d'identité").fill("Courrier du 3 décembre, carte d'identité jointe")
    page.get_by_role("button", name="Chercher ses données").click()
    page.get_by_text("1 demande(s) dans votre commune ; pas de compte à cette adresse.").wait_for()
    assert report["ref"] in page.locator("[data-js=person]").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "52-secretary-privacy")

    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger ses données (ZIP)").click()
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    data = json.loads(zipfile.ZipFile(io.BytesIO(path.read_bytes())).read("data.json"))
    assert [r["ref"] for r in data["requests"]] == [report["ref"]]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Anonymiser ses données").click()
    page.get_by_text("1 demande(s) anonymisée(s).").wait_for()
    desk.close()
    staff = live_server.signed_in(*SECRETARY)
    found = staff.get(f"/api/v1/privacy/people?organisation=brenles&email={email}").json()
    staff.close()
    assert found["requests"] == []  # nothing names that address any more
