"""Issue 17, points 1 to 3 on a phone: the catalogue searched from home, a procedure's page, and its form filled,
checked in the page, sent offline and leaving once when the network returns."""
from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import httpx
from playwright.sync_api import expect

from tests import photos
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_screens import sign_in


def test_a_citizen_finds_a_procedure_and_sends_its_form_with_a_file_offline(phone, live_server, tmp_path):
    page = phone
    first, last = (date.today() + timedelta(days=20)).isoformat(), (date.today() + timedelta(days=21)).isoformat()
    plan = tmp_path / "plan.png"
    plan.write_bytes(photos.png(900, 600, mode="RGB"))
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
    page.get_by_label("Premier jour").fill((date.today() - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Envoyer").click()  # a day gone by is refused in the page already
    expect(page.locator(".field-error").first).to_contain_text("Cette date est passée")
    page.get_by_label("Premier jour").fill(first)
    page.get_by_label("Dernier jour").fill(last)
    page.get_by_label("Plan ou croquis de l'emplacement (facultatif)").set_input_files(str(plan))
    expect(page.get_by_text("Fichier joint : plan.png")).to_be_visible()
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
    expect(page.get_by_text("Fichier joint : plan.png")).to_be_visible()  # the file too, kept in IndexedDB

    page.context.set_offline(True)
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("heading", name="En attente d'envoi").wait_for()
    page.context.set_offline(False)  # the `online` event sends it
    page.get_by_text(re.compile(r"Envoyé : BRN-")).wait_for()

    agent = live_server.signed_in("agent@brenles.example", "Brenles-agent-2026")
    found = agent.get("/api/v1/staff/requests", params={"q": note}).json()["items"]
    assert len(found) == 1  # once, not once per attempt
    request = agent.get(f"/api/v1/requests/{found[0]['ref']}").json()
    kept = agent.get(f"/api/v1/requests/{found[0]['ref']}/files/plan")
    agent.close()
    assert request["lat"] is None and request["service"]["code"] == "occupation-demenagement"
    assert request["attributes"] == {"debut": first, "fin": last, "adresse": "Rue du Four 3\n1683 Brenles",
                                     "surface": 15, "vehicule": "camionnette",
                                     "plan": {"name": "plan.jpg", "type": "image/jpeg", "bytes": len(kept.content)}}
    assert kept.status_code == 200 and kept.content[:3] == b"\xff\xd8\xff"  # the PNG, re-encoded


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


def test_a_citizen_books_a_passport_appointment_then_moves_and_cancels_it(phone, live_server):
    page = phone
    page.goto("/procedures/brenles/passeport-identite/form")
    page.locator("[data-js=procedure-form]").wait_for()
    picker = page.get_by_role("group", name="Votre rendez-vous")
    expect(picker).to_contain_text("Au premier guichet libre")
    times = page.locator("[data-js=slot-times] input[type=radio]")
    expect(times.first).to_be_visible()
    page.get_by_role("button", name="Envoyer").click()  # no slot chosen yet: flagged beside the picker
    expect(picker.locator(".field-error")).to_be_visible()
    page.get_by_role("radio", name="Passeport").check()
    page.get_by_label("Pour combien de personnes ?").fill("1")
    page.get_by_label("Votre adresse e-mail").fill("passeport@example.org")
    day = page.get_by_label("Jour", exact=True).input_value()
    first = times.first.get_attribute("value")
    times.first.check()
    assert axe_violations(page) == []
    screenshot(page, "62-appointment")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("heading", name="Merci, c'est envoyé !").wait_for()
    page.get_by_role("link", name="Suivre ma demande").click()

    box = page.locator("[data-js=appointment]")
    expect(box).to_contain_text(f"à {first[-5:]}")
    assert axe_violations(page) == []
    box.get_by_role("button", name="Déplacer le rendez-vous").click()
    move = page.locator("[data-js=move-form]")
    move.get_by_label("Jour", exact=True).select_option(day)
    other = move.locator("[data-js=slot-times] input[type=radio]").nth(1)
    later = other.get_attribute("value")
    other.check()
    move.get_by_role("button", name="Choisir ce créneau").click()
    page.get_by_text("Rendez-vous déplacé.").wait_for()
    expect(page.locator("[data-js=appointment-text]")).to_contain_text(f"à {later[-5:]}")
    expect(page.locator(".timeline")).to_contain_text("Rendez-vous déplacé au")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Annuler le rendez-vous").click()
    page.get_by_text("Rendez-vous annulé.").wait_for()
    expect(page.locator("[data-js=appointment]")).to_have_count(0)
    freed = httpx.get(f"{live_server.url}/api/v1/procedures/brenles/passeport-identite/slots",
                      params={"from": day, "days": 1}).json()["slots"]
    assert later in {f"{s['agenda']}@{s['start']}" for s in freed}  # the place is free again


def test_staff_see_an_agendas_week_and_block_a_slot(browser, live_server):
    from tests.browser.test_agent import at_desk
    desk, page = at_desk(browser, live_server, "/agent/agendas")
    page.get_by_role("heading", name="Agendas des rendez-vous").wait_for()
    page.get_by_label("Vue").select_option("7")
    page.get_by_role("button", name="Afficher").click()
    days = page.locator("[data-js=agenda-day], [data-js=agenda-days] section")
    expect(days).not_to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "63-agendas")
    block = page.locator("[data-js=block]").first
    label = block.inner_text()
    assert label.startswith("Bloquer ")
    block.click()
    unblock = page.get_by_role("button", name=label.replace("Bloquer", "Débloquer"), exact=True)
    expect(unblock).to_be_visible()  # each button names its day and time: a week has many 14:00
    expect(page.get_by_text("Bloqué").first).to_be_visible()
    unblock.click()
    expect(page.get_by_role("button", name=label, exact=True)).to_be_visible()
    desk.close()


def test_a_service_manager_edits_previews_and_versions_a_procedures_questions(browser, live_server):
    from tests.browser.test_agent import at_desk
    desk, page = at_desk(browser, live_server, "/agent/questions", who=("services@brenles.example", "Brenles-services-26"))
    page.get_by_role("heading", name="Questions des démarches").wait_for()
    page.get_by_role("link", name="Être rappelé par la commune").click()
    page.get_by_role("heading", name="Questions : Être rappelé par la commune").wait_for()
    expect(page.locator("[data-js=version]")).to_have_text("Version 1 des questions")
    preview = page.locator("[data-js=preview]")
    expect(preview.get_by_label("Votre numéro")).to_be_visible()

    page.get_by_role("button", name="Ajouter une question").click()
    card = page.locator("[data-js=question]").last
    card.get_by_label("Libellé en français").fill("Langue de l'appel")
    card.get_by_label("Libellé en anglais").fill("Language of the call")
    card.get_by_label("Code").fill("langue")
    card.get_by_label("Type de réponse").select_option("singlevaluelist")
    card = page.locator("[data-js=question]").last
    card.get_by_label("Choix").fill("fr | Français | French\nde | Allemand | German")
    expect(preview.get_by_role("radio", name="Allemand")).to_be_visible()  # the preview follows each keystroke
    card.get_by_role("button", name="Monter Langue de l'appel").click()
    assert page.locator("[data-js=question] legend").nth(2).inner_text() == "Question 3 : Langue de l'appel"
    first = page.locator("[data-js=question]").first
    first.get_by_label("Retirée (plus posée)").check()
    expect(preview.get_by_label("Votre numéro")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "64-questions-editor")
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    page.get_by_text("Version 2 enregistrée.").wait_for()
    expect(page.locator("[data-js=version]")).to_have_text("Version 2 des questions")
    desk.close()

    form = httpx.get(f"{live_server.url}/api/v1/procedures/brenles/rappel").json()
    assert [a["code"] for a in form["attributes"]] == ["moment", "langue", "sujet"]
    assert form["attributes"][1]["values"] == [{"key": "fr", "name": "Français"}, {"key": "de", "name": "Allemand"}]
