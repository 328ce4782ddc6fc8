"""Issue 10 in the browser: a new staff member of Brenles asks for an account, the secretary validates it, a service
manager grants street lighting, the newcomer sets up the second factor and handles a lighting report; the prefect
validates a new secretary."""
from __future__ import annotations

import re
import time
import uuid
from email import message_from_bytes
from email.policy import default

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, axe_violations, screenshot
from tests.browser.test_agent import DESK, at_desk
from tests.factories import totp_code

SECRETARY = ("secretaire@brenles.example", "Brenles-secretaire-26")
LIGHTING_MANAGER = ("services@brenles.example", "Brenles-services-26")
PREFECT = ("prefet@broye-jorat.example", "Broye-prefete-2026")
PASSWORD = "Lampadaires-du-bourg-7"


def report(live_server, service: str, attributes: dict) -> str:
    return live_server.report(service, attributes=attributes)["ref"]


def verification_link(live_server, email: str) -> str:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for path in (live_server.data_dir / "outbox-mail").glob("*.eml"):
            mail = message_from_bytes(path.read_bytes(), policy=default)
            text = mail.get_body(("plain",)).get_content()
            if mail["To"] == email and "/account/verify?token=" in text:
                return re.search(r"(/account/verify\?token=[\w-]+)", text).group(1)
        time.sleep(0.2)
    raise AssertionError(f"no verification e-mail for {email}")


def decide_first(page, who: str, method: str | None) -> None:
    row = page.locator("tr", has_text=who)
    row.wait_for()
    if method:
        row.get_by_label("Identité vérifiée").select_option(method)
    row.get_by_role("button", name="Accepter").click()
    page.get_by_text(re.compile(r"Demande n° \d+ : Acceptée")).wait_for()


def test_a_newcomer_is_validated_granted_lighting_and_handles_a_lighting_report(browser, live_server):
    light = report(live_server, "eclairage", {"etat": "off"})
    road = report(live_server, "voirie", {"taille": "small"})
    email = f"leo.{uuid.uuid4().hex[:6]}@example.org"
    newcomer = browser.new_context(**PHONE, base_url=live_server.url, locale="fr-CH")
    page = newcomer.new_page()
    page.goto("/account/register")
    page.get_by_label("Nom").fill("Léon Lumière")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer un compte").click()
    page.get_by_role("heading", name="Vérifiez vos e-mails").wait_for()
    page.goto(verification_link(live_server, email))
    page.get_by_text("Votre adresse e-mail est confirmée").wait_for()
    page.goto("/account/login?next=/staff/join")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Demander un compte du personnel").wait_for()
    page.get_by_label("Commune", exact=True).select_option("brenles")
    page.get_by_label("Civilité").select_option("monsieur")
    page.get_by_label("Nom de famille").fill("Lumière")
    page.get_by_label("Prénoms").fill("Léon")
    page.get_by_label("Date de naissance (facultatif)").fill("1988-04-02")
    page.get_by_label("Copie d'une pièce d'identité (facultatif)").set_input_files(
        files=[{"name": "carte.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\ntrailer <<>>\n%%EOF\n"}])
    page.get_by_label("Fonction").fill("Électricien, service des travaux")
    page.get_by_label("Téléphone professionnel").fill("021 555 01 44")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.get_by_text("En attente de validation par : Jean Secrétaire, Irène Adjointe.").wait_for()
    expect(page.locator('[aria-current="step"]')).to_contain_text("Identité validée par le secrétariat")
    screenshot(page, "40-staff-join-waiting")
    assert axe_violations(page) == []

    desk, office = at_desk(browser, live_server, "/agent/access?box=identity", SECRETARY)
    office.get_by_role("heading", name="Accès du personnel").wait_for()
    expect(office.locator("tr", has_text="Léon Lumière").get_by_role("link", name="📎 Pièce d'identité (PDF)")).to_be_visible()
    decide_first(office, "Léon Lumière", "in_person")
    office.goto("/agent/access?box=identity&status=all&q=L%C3%A9on")
    expect(office.locator("tr", has_text="Léon Lumière")).to_contain_text("Acceptée")
    expect(office.locator("tr", has_text="Léon Lumière")).to_contain_text("Monsieur Léon Lumière · né·e le 2 avr. 1988")
    expect(office.locator("tr", has_text="Léon Lumière").get_by_role("link", name="📎 Pièce d'identité (PDF)")).to_have_count(0)
    screenshot(office, "41-access-dashboard")
    assert axe_violations(office) == []
    office.goto("/agent/audit?action=access.accepted")
    office.locator("table.queue tbody tr").first.wait_for()
    desk.close()

    page.goto("/staff/join")
    page.get_by_role("heading", name=re.compile("Demander des droits sur des services")).wait_for()
    page.get_by_label("Rôle").select_option("agent")
    page.get_by_label("Éclairage public en panne").check()
    page.get_by_role("button", name="Demander ces droits").click()
    page.get_by_text("En attente de validation par : Sofia Services.").wait_for()

    desk, manager = at_desk(browser, live_server, "/agent/access?box=rights", LIGHTING_MANAGER)
    decide_first(manager, "Léon Lumière", None)
    desk.close()

    page.goto("/agent")
    page.get_by_text("Vos droits du personnel attendent la double authentification.").wait_for()
    page.get_by_role("link", name="L'activer maintenant").click()
    page.get_by_role("img", name="Code QR de la clé de votre application d'authentification").wait_for()
    secret = page.locator("[data-js=totp-secret]").inner_text().replace(" ", "")
    screenshot(page, "42-second-factor")
    assert axe_violations(page) == []
    page.get_by_label("Code affiché par l'application").fill(totp_code(secret, email))
    page.get_by_role("button", name="Activer").click()
    expect(page.locator("[data-js=recovery-codes] li")).to_have_count(10)
    page.get_by_role("link", name="J'ai noté mes codes").click()
    page.get_by_role("link", name=light).wait_for()
    assert page.get_by_role("link", name=road).count() == 0  # street lighting only
    page.get_by_role("link", name=light).click()
    page.get_by_label("Nouveau statut").select_option("in_progress")
    page.get_by_label("Message public").fill("L'électricien passe ce soir.")
    page.get_by_role("button", name="Enregistrer et prévenir").click()
    page.get_by_text("L'électricien passe ce soir.").wait_for()
    newcomer.close()

    # The next sign-in asks for the code of the app.
    again = browser.new_context(**DESK, base_url=live_server.url, locale="fr-CH")
    page = again.new_page()
    page.goto("/account/login?next=/agent")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code de l'application d'authentification").fill(totp_code(secret, email))
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name=light).wait_for()
    again.close()


def test_the_prefect_validates_a_new_secretary(browser, live_server):
    desk, page = at_desk(browser, live_server, "/agent/access?box=identity", PREFECT)
    page.get_by_role("heading", name="Accès du personnel").wait_for()
    decide_first(page, "Claire Greffe", "phone")
    desk.close()
    with live_server.api() as api:
        token = api.get("/api/v1/session").json()["csrf_token"]
        r = api.post("/api/v1/auth/login", headers={"X-CSRF-Token": token},
                     json={"email": "greffe@chesalles.example", "password": "Chesalles-greffe-26"})
        assert r.status_code == 200
        held = api.get("/api/v1/access/summary").json()["held"]
        assert {"organisation": "chesalles", "role": "secretary"} in held


def test_the_secretary_names_a_deputy_and_removes_a_right_on_the_accounts_screen(browser, live_server):
    desk, page = at_desk(browser, live_server, "/agent/people", SECRETARY)
    page.get_by_role("heading", name="Comptes et droits").wait_for()
    nadia = page.locator('tr[data-person="terrain@brenles.example"]')
    expect(nadia).to_contain_text("titulaire")
    page.get_by_label("Adresse e-mail de la personne").fill("terrain@brenles.example")
    page.get_by_label("Comme").select_option("deputy")
    page.get_by_role("button", name="Nommer").click()
    page.get_by_text("terrain@brenles.example : nommé·e.").wait_for()
    expect(page.locator('tr[data-person="terrain@brenles.example"]')).to_contain_text("suppléant")
    luc = page.locator('tr[data-person="proprete@brenles.example"]')
    expect(luc).to_contain_text("J'ai trouvé un objet")
    luc.get_by_title("Retirer le droit responsable · J'ai trouvé un objet").click()  # issue 21, point 19: asks first
    asking = luc.locator("details.remove-right[open]")
    asking.get_by_role("button", name="Retirer ce droit").click()
    asking.get_by_text("Ce champ est obligatoire.").wait_for()  # and asks why
    asking.get_by_label("Motif (gardé dans le journal)").fill("Luc change de service")
    asking.get_by_role("button", name="Retirer ce droit").click()
    page.get_by_text("Droit retiré.").first.wait_for()
    rights = page.locator('tr[data-person="proprete@brenles.example"] ul.plain')  # the rights held, not the form's list
    expect(rights).not_to_contain_text("J'ai trouvé un objet")
    screenshot(page, "43-accounts-and-rights")
    assert axe_violations(page) == []
    desk.close()
