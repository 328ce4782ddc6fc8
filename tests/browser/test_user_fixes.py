"""What a new citizen and a new municipal employee tripped on (issue 21), each replayed in Chromium."""
from __future__ import annotations

import re

import pytest


def test_asking_for_a_reset_link_says_it_is_sent(phone):
    """Issue 21, point 1: the server answers 202 with no body and the page showed a raw JavaScript error."""
    phone.goto("/account/forgot")
    phone.get_by_label("Adresse e-mail").fill("citoyenne@brenles.example")
    phone.get_by_role("button", name="Envoyer le lien").click()
    phone.get_by_role("status").get_by_text("Si un compte existe").wait_for()
    assert "Failed to execute" not in phone.locator("main").inner_text()


def test_reopening_is_offered_only_within_its_period(phone, live_server):
    """Issue 21, point 6: "Rouvrir" was offered after the reopen window, and the server then refused."""
    from tests.browser.test_agent import AGENT

    created = live_server.report("proprete")
    agent = live_server.signed_in(*AGENT)
    assert agent.post(f"/api/v1/requests/{created['ref']}/events", json={"status": "resolved"}).status_code == 201
    agent.close()
    live_server.sql(f"UPDATE service_request SET resolved_at = resolved_at - INTERVAL '40 days' WHERE ref = '{created['ref']}'"
                    if "postgres" in live_server.env["DATABASE_URL"] else
                    f"UPDATE service_request SET resolved_at = datetime(resolved_at, '-40 days') WHERE ref = '{created['ref']}'")
    phone.goto(f"/track/{created['tracking_token']}")
    phone.get_by_text("Le délai pour rouvrir cette demande (30 jours après sa résolution) est passé").wait_for()
    assert phone.get_by_role("button", name="Rouvrir : ce n'est pas réglé").count() == 0
    live_server.sql(f"UPDATE service_request SET resolved_at = {'now()' if 'postgres' in live_server.env['DATABASE_URL'] else 'CURRENT_TIMESTAMP'}"
                    f" WHERE ref = '{created['ref']}'")
    phone.reload()
    phone.get_by_role("button", name="Rouvrir : ce n'est pas réglé").wait_for()


def test_every_missing_field_is_flagged_at_once_beside_it_never_inside_an_option(phone):
    """Issue 21, point 9: the "required" error went inside the first radio's label (part of its accessible name),
    and the missing fields were flagged one at a time."""
    from tests.browser.test_report_flow import start_report

    start_report(phone)
    phone.get_by_role("button", name="Suivant").click()
    phone.get_by_role("button", name="Envoyer").click()
    phone.get_by_role("alert").get_by_text("2 champ(s) à compléter").wait_for()
    size = phone.locator("fieldset[data-attr=taille]")
    assert size.locator(".field-error").inner_text() == "Ce champ est obligatoire."
    assert phone.get_by_role("radio", name="Grand (plus d'un mètre)", exact=True).count() == 1  # its own name again
    assert size.locator("label .field-error").count() == 0
    assert phone.get_by_role("radio", name=re.compile("obligatoire")).count() == 0
    email = phone.get_by_label("Votre adresse e-mail")
    assert email.get_attribute("aria-invalid") == "true" and phone.locator("#" + email.get_attribute("aria-describedby")
                                                                         .split()[-1]).is_visible()
    phone.get_by_role("radio", name="Grand (plus d'un mètre)", exact=True).check()
    phone.get_by_role("button", name="Envoyer").click()
    phone.get_by_role("alert").get_by_text("1 champ(s) à compléter").wait_for()


def test_keyboard_focus_never_hides_under_the_tab_bar(phone):
    """Issue 21, point 11: on the details step, the focused field went under the bottom tab bar."""
    from tests.browser.test_report_flow import start_report

    start_report(phone)
    phone.get_by_role("button", name="Suivant").click()
    phone.get_by_label("Description").wait_for()
    bar_top = phone.locator("nav.tabs").bounding_box()["y"]
    for _ in range(12):  # through the fields and buttons of the step, as a keyboard user goes
        phone.keyboard.press("Tab")
        box = phone.evaluate("() => { const r = document.activeElement.getBoundingClientRect(); return [r.top, r.bottom]; }")
        if phone.evaluate("() => document.activeElement.closest('nav.tabs') !== null"):
            break
        assert box[1] <= bar_top + 1, f"focus at {box} under the tab bar at {bar_top}"


@pytest.mark.parametrize("width", [390, 320])
def test_my_account_keeps_the_address_whole_and_signing_out_comes_last(browser, live_server, width):
    """Issue 21, point 10: the details were squeezed into a narrow column (the e-mail broken in chunks) and
    "Se déconnecter" was the most prominent button."""
    from tests.browser.conftest import PHONE
    from tests.browser.test_agent import at_desk

    window, page = at_desk(browser, live_server, "/account", ("citoyenne@brenles.example", "Brenles-citoyenne-26"),
                           **(PHONE | {"viewport": {"width": width, "height": 800}}))
    address = page.locator("dl.facts dd", has_text="citoyenne@brenles.example")
    address.wait_for()
    line = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('dl.facts dd')).lineHeight)")
    assert address.bounding_box()["height"] < 1.5 * line, "the address wraps"
    out = page.get_by_role("button", name="Se déconnecter")
    assert "secondary" in out.get_attribute("class")
    mine = page.get_by_role("link", name="Mes demandes").last
    assert out.bounding_box()["y"] > page.get_by_role("heading", name="Notifications").bounding_box()["y"] > mine.bounding_box()["y"]
    if width == 320:
        from tests.browser.conftest import screenshot

        screenshot(page, "12-account-320")
    window.close()


def test_a_withdrawn_or_rejected_request_never_shows_the_resolved_pin(phone, live_server):
    """Issue 21, point 14: withdrawn and rejected requests showed the green "resolved" pin."""
    from tests.browser.test_agent import AGENT

    with live_server.api() as api:
        token = api.get("/api/v1/session").json()["csrf_token"]
        made = [api.post("/api/v1/requests", headers={"X-CSRF-Token": token}, json={
            "service": "proprete", "lat": 46.6731, "lon": 6.8542, "contact_email": "h@example.org"}).json() for _ in range(2)]
        assert api.post(f"/api/v1/requests/{made[0]['ref']}/withdraw", json={}, headers={
            "X-CSRF-Token": token, "X-Tracking-Token": made[0]["tracking_token"]}).status_code == 201
    agent = live_server.signed_in(*AGENT)
    assert agent.post(f"/api/v1/requests/{made[1]['ref']}/events", json={"status": "rejected"}).status_code == 201
    agent.close()
    for created, symbol in zip(made, ("↩", "✖")):
        phone.goto(f"/track/{created['tracking_token']}")
        pin = phone.locator(".leaflet-marker-icon .pin")
        pin.wait_for()
        assert "done" not in pin.get_attribute("class") and "closed" in pin.get_attribute("class")
        assert pin.inner_text() == symbol


def test_answers_read_as_words_and_paragraphs_stay_paragraphs(phone, live_server):
    """Issue 21, point 14: answers were never shown back to the citizen and appeared as raw codes ("taille :
    medium") on request pages; line breaks were collapsed; the description had no counter of its limit."""
    from tests.browser.test_report_flow import start_report

    created = live_server.report("voirie", attributes={"taille": "large"},
                                 description="Premier trou devant le 4.\nDeuxième trou au coin.")
    assert created["answers"][0]["answer"] == "Grand (plus d'un mètre)"
    phone.goto(f"/track/{created['tracking_token']}")
    phone.get_by_text("Grand (plus d'un mètre)").wait_for()
    assert "large" not in phone.locator("dl.answers").inner_text()
    assert phone.locator("p.text").first.inner_text() == "Premier trou devant le 4.\nDeuxième trou au coin."
    start_report(phone)
    phone.get_by_role("button", name="Suivant").click()
    phone.get_by_label("Description").fill("Un trou")
    phone.get_by_text("7 / 4000 caractères").wait_for()


def test_the_status_list_offers_allowed_moves_and_the_message_follows_it(browser, live_server):
    """Issue 21, point 17: the template did not follow a change of status (a refusal would go out with the
    thank-you text), and the list offered the current status and forbidden moves."""
    from tests.browser.test_agent import at_desk, new_request

    created = new_request(live_server)
    desk, page = at_desk(browser, live_server, f"/agent/requests/{created['ref']}")
    status = page.get_by_label("Nouveau statut")
    status.wait_for()
    offered = status.locator("option").all_inner_texts()
    assert offered == ["Inchangé", "Prise en compte", "En cours", "Résolue", "Refusée"], offered
    message = page.locator("form", has=status).get_by_label("Message public")
    status.select_option("resolved")
    assert message.input_value() == "C'est réglé. Merci de nous l'avoir signalé."
    status.select_option("rejected")
    assert message.input_value().startswith("Nous ne pouvons pas donner suite")
    message.fill("Ce terrain est privé : nous avons prévenu son propriétaire.")
    status.select_option("resolved")
    assert message.input_value() == "Ce terrain est privé : nous avons prévenu son propriétaire."  # their words stay
    desk.close()


def test_assigning_starts_on_the_current_assignee_and_says_who_in_the_timeline(browser, live_server):
    """Issue 21, point 18: "Attribuer à" started on the first agent even when the request was someone else's (one
    click reassigned it); no "take it myself"; the timeline did not say to whom."""
    from tests.browser.test_agent import DISPATCH, at_desk, new_request

    created = new_request(live_server)
    dispatch = live_server.signed_in(*DISPATCH)
    people = dispatch.get("/api/v1/staff/people", params={"organisation": "brenles"}).json()["items"]
    nadia = next(p for p in people if p["name"] == "Nadia Terrain")
    assert dispatch.post(f"/api/v1/requests/{created['ref']}/events", json={"assignee": nadia["id"]}).status_code == 201
    dispatch.close()
    desk, page = at_desk(browser, live_server, f"/agent/requests/{created['ref']}", DISPATCH)
    chosen = page.get_by_label("Attribuer à")
    chosen.wait_for()
    assert chosen.locator("option:checked").inner_text().startswith("Nadia Terrain")
    page.get_by_role("button", name="Attribuer", exact=True).click()
    page.get_by_text("Cette demande lui est déjà attribuée.").wait_for()  # nothing changed by a stray click
    page.get_by_text("Attribuée à Nadia Terrain").wait_for()
    page.get_by_role("button", name="Me la confier").click()
    page.get_by_text("Attribuée à Paul Dispatch").wait_for()
    assert page.get_by_label("Attribuer à").locator("option:checked").inner_text().startswith("Paul Dispatch")
    desk.close()


def test_staff_land_in_their_own_area_with_a_tab_of_their_own(browser, live_server, phone):
    """Issue 21, point 26: after signing in, staff landed on the citizen's "Mes demandes", with no entry of theirs
    in the bottom menu."""
    from tests.browser.test_agent import AGENT, at_desk

    desk, page = at_desk(browser, live_server, "", AGENT)  # no ?next: the app chooses where to go
    page.wait_for_url("**/agent")
    page.get_by_role("heading", name="Espace agents").wait_for()
    tab = page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Agents")
    assert tab.get_attribute("aria-current") == "page"
    desk.close()
    phone.goto("/")  # a citizen's phone: no staff tab
    phone.get_by_role("link", name="Compte").wait_for()
    assert phone.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Agents").count() == 0


def test_a_field_agent_is_not_offered_the_live_map_nor_left_in_a_reconnection_loop(browser, live_server):
    """Issue 21, point 21: a field agent's "Carte en direct" looped on "Connexion perdue" (403)."""
    from tests.browser.test_agent import FIELD, at_desk

    desk, page = at_desk(browser, live_server, "/agent", FIELD)
    page.get_by_role("heading", name="Espace agents").wait_for()
    assert page.get_by_role("link", name="Carte en direct").count() == 0
    page.goto("/agent/map")
    page.get_by_text("La carte en direct sert au dispatch et aux agents du bureau.").wait_for()
    page.wait_for_timeout(1500)
    assert "Connexion perdue" not in page.locator("main").inner_text()
    desk.close()
