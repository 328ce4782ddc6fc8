"""Issue 21, staff side, second part: each point replayed at a desk's size in Chromium."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.browser.test_agent import at_desk
from tests.factories import IN_CHESALLES


def test_a_request_of_another_town_opens_as_a_plain_not_yours_page(browser, live_server):
    """Point 21: it opened as a full staff page with "agent.channel.undefined" and every form (refused)."""
    ref = live_server.report("proprete", *IN_CHESALLES)["ref"]
    desk, page = at_desk(browser, live_server, f"/agent/requests/{ref}")
    page.get_by_role("heading", name="Cette demande ne dépend pas de vous").wait_for()
    main = page.locator("main").inner_text()
    assert f"La demande {ref} est traitée par : Commune de Chesalles." in main
    assert "undefined" not in main and page.locator("main form").count() == 0
    page.get_by_role("link", name="Voir la page publique").click()
    page.wait_for_url(f"**/requests/{ref}")
    desk.close()


def test_a_field_agent_sees_the_team_jobs_takes_one_and_gets_directions_that_open_anywhere(browser, live_server):
    """Point 22: "Mes interventions" showed only personal assignments, not the team's, and "Itinéraire" was a geo:
    link only (nothing on an iPhone or a desktop)."""
    from tests.browser.conftest import PHONE
    from tests.browser.test_agent import FIELD

    ref = live_server.report("eclairage", 46.6739, 6.8551, attributes={"etat": "off"}, address="Chemin des Lilas 4")["ref"]
    desk, page = at_desk(browser, live_server, "/agent/field", FIELD)
    card = page.locator(f'li.card[data-ref="{ref}"]')
    card.wait_for()
    assert "Équipe Éclairage, personne ne l'a encore prise" in card.inner_text()
    route = card.get_by_role("link", name="Itinéraire").get_attribute("href")
    assert route.startswith("https://www.openstreetmap.org/directions?to=46.6739%2C6.8551")
    card.get_by_role("button", name="Commencer").click()
    page.get_by_role("status").get_by_text(f"{ref} : en cours.").wait_for()
    page.locator(f'li.card[data-ref="{ref}"]', has_text="En cours").wait_for()
    assert "personne ne l'a encore prise" not in page.locator(f'li.card[data-ref="{ref}"]').inner_text()
    desk.close()
    iphone = {**PHONE, "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                                     "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"}
    phone, page = at_desk(browser, live_server, "/agent/field", FIELD, **iphone)
    link = page.locator(f'li.card[data-ref="{ref}"]').get_by_role("link", name="Itinéraire")
    assert link.get_attribute("href") == "https://maps.apple.com/?daddr=46.6739,6.8551&dirflg=d"
    phone.close()
    agent = live_server.signed_in("dispatch@brenles.example", "Brenles-dispatch-26")
    detail = agent.get(f"/api/v1/requests/{ref}").json()
    agent.close()
    assert detail["status"] == "in_progress" and detail["assignee"]["name"] == "Nadia Terrain"


def test_the_queue_fits_a_1366_by_768_screen_and_saves_the_filters_on_screen(browser, live_server):
    """Point 24: at 1366x768 the filters filled the first screen, rows wrapped to three lines, the header scrolled
    away; the team filter was free text (exact, accent-sensitive); "Enregistrer" saved the last applied filter."""
    desk, page = at_desk(browser, live_server, "/agent", viewport={"width": 1366, "height": 768})
    rows = page.locator("table.queue tbody tr")
    rows.first.wait_for()
    first = rows.first.bounding_box()
    from tests.browser.conftest import screenshot
    screenshot(page, "40-queue-1366")
    assert first["y"] + first["height"] <= 768, f"the first row starts at {first['y']}"
    line = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('table.queue td')).lineHeight)")
    heights = [rows.nth(i).bounding_box()["height"] for i in range(min(rows.count(), 10))]
    assert max(heights) < 3 * line + 20, heights  # at most two lines of text (and the cell padding)
    assert page.locator("table.queue thead th").first.evaluate("th => getComputedStyle(th).position") == "sticky"
    page.mouse.wheel(0, 900)
    page.wait_for_timeout(200)
    head = page.locator("table.queue thead th").nth(1).bounding_box()
    assert -1 <= head["y"] <= 2, head  # still in view at the top
    page.mouse.wheel(0, -5000)
    page.get_by_text("Plus de filtres").click()
    team = page.get_by_label("Équipe")
    assert team.evaluate("e => e.tagName") == "SELECT"
    assert "Éclairage" in team.locator("option").all_inner_texts()
    page.get_by_label("Catégorie", exact=True).select_option(label="Tags et graffitis")  # on screen, not applied
    page.get_by_label("Nommer le filtre actuel").fill("Tags à voir")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    saved = page.get_by_role("link", name="Tags à voir")
    saved.wait_for()
    assert "service=tags" in saved.get_attribute("href")
    desk.close()


def test_the_end_of_a_right_is_seen_set_or_shortened_before_accepting_and_kept_in_the_audit(browser, live_server):
    """Point 19: the manager did not see the end date asked, could not set or shorten it, and the audit of the
    grant lacked it."""
    from datetime import date, datetime, timedelta, timezone

    asked = datetime.now(timezone.utc) + timedelta(days=60)
    applicant = live_server.signed_in("terrain@brenles.example", "Brenles-terrain-26")
    r = applicant.post("/api/v1/access/requests", json={
        "kind": "rights", "organisation": "brenles", "role": "agent", "services": ["voirie"],
        "valid_until": asked.isoformat(), "message": "Remplacement d'été"})
    applicant.close()
    assert r.status_code == 201, r.text
    made = r.json()
    made = made["items"][0] if "items" in made else made
    manager = ("services@brenles.example", "Brenles-services-26")  # Sofia manages the roads
    desk, page = at_desk(browser, live_server, "/agent/access?box=rights", manager)
    row = page.locator(f'tr[data-access="{made["id"]}"]')
    row.wait_for()
    assert "Demandé jusqu'au" in row.inner_text()
    until = row.get_by_label("Jusqu'au (facultatif)")
    assert until.input_value() == asked.date().isoformat()
    shorter = date.today() + timedelta(days=10)
    until.fill(shorter.isoformat())
    row.get_by_role("button", name="Accepter").click()
    page.get_by_text("accepté").first.wait_for()
    desk.close()
    secretary = live_server.signed_in("secretaire@brenles.example", "Brenles-secretaire-26")  # who reads the audit
    answer = secretary.get("/api/v1/audit", params={"organisation": "brenles", "action": "access.accepted"})
    assert answer.status_code == 200, answer.text
    trail = answer.json()["items"]
    secretary.close()
    entry = next(e for e in trail if e["target"] == f"access:{made['id']}")
    assert entry["detail"]["valid_until"][:10] in {shorter.isoformat(), (shorter + timedelta(days=1)).isoformat()}


def test_printing_the_queue_prints_the_whole_filtered_list(browser, live_server):
    """Point 20: "Imprimer la liste" printed only the 50 rows loaded."""
    desk, page = at_desk(browser, live_server, "/agent")
    page.locator("table.queue tbody tr").first.wait_for()
    assert page.locator("table.queue tbody tr").count() == 50
    counts = dict(page.locator(".counts .count").evaluate_all(  # [status shown, count]
        "spans => spans.map((s) => [s.querySelector('.status').lastChild.textContent, Number(s.textContent.trim().split(' ').pop())])"))
    total = sum(counts.get(name, 0) for name in ("Envoyée", "Prise en compte", "En cours"))  # the open ones
    assert total > 50
    page.evaluate("() => { window.print = () => { window.printedRows = document.querySelectorAll('table.queue tbody tr').length; }; }")
    page.get_by_role("button", name="Imprimer la liste").click()
    page.wait_for_function("() => window.printedRows !== undefined")
    assert page.evaluate("window.printedRows") == total
    assert page.locator(".print-only").first.inner_text() == f"Liste complète : {total} demande(s)."
    desk.close()


def test_phone_intake_finds_the_address_warns_of_the_same_report_and_clears_the_place_error(browser, live_server):
    """Point 25: no address search, no warning when the caller reports what is already known, and "touchez la
    carte" stayed on screen after the pin was placed."""
    ref = live_server.report("proprete", 46.6722, 6.8529, address="Ruelle des Tanneurs 2, 1683 Brenles")["ref"]
    desk, page = at_desk(browser, live_server, "/agent/new")
    page.get_by_role("heading", name="Saisir une demande (téléphone, guichet, courrier)").wait_for()
    page.get_by_label("Catégorie").select_option("proprete")
    page.get_by_role("button", name="Enregistrer la demande").click()
    error = page.locator(".error-box", has_text="Touchez la carte à l'endroit signalé.")
    error.wait_for()
    page.get_by_label("Ou cherchez une adresse").fill("tanneurs")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("button", name="Ruelle des Tanneurs 2, 1683 Brenles").click()
    page.get_by_text("Lieu placé.").wait_for()
    assert error.count() == 0
    assert page.get_by_label("Adresse", exact=True).input_value() == "Ruelle des Tanneurs 2, 1683 Brenles"
    warning = page.locator("[data-js=duplicates]")
    warning.get_by_text("demande(s) ouverte(s) de cette catégorie à cet endroit").wait_for()
    assert warning.get_by_role("link", name=ref).is_visible()
    # Another category at the same place: no warning.
    page.get_by_label("Catégorie").select_option("eclairage")
    expect(warning).to_have_text("")
    assert axe_violations(page) == []
    desk.close()
