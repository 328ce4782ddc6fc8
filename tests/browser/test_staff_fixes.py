"""Issue 21, staff side, second part: each point replayed at a desk's size in Chromium."""
from __future__ import annotations

from tests.browser.test_agent import at_desk
from tests.factories import IN_CHESALLES


def test_a_request_of_another_town_opens_as_a_plain_not_yours_page(browser, live_server):
    """Point 21: it opened as a full staff page with "agent.channel.undefined" and every form (refused)."""
    with live_server.api() as api:
        token = api.get("/api/v1/session").json()["csrf_token"]
        r = api.post("/api/v1/requests", headers={"X-CSRF-Token": token}, json={
            "service": "proprete", "lat": IN_CHESALLES[0], "lon": IN_CHESALLES[1], "contact_email": "c@example.org"})
        assert r.status_code == 201, r.text
        ref = r.json()["ref"]
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

    with live_server.api() as api:
        token = api.get("/api/v1/session").json()["csrf_token"]
        r = api.post("/api/v1/requests", headers={"X-CSRF-Token": token}, json={
            "service": "eclairage", "lat": 46.6739, "lon": 6.8551, "attributes": {"etat": "off"},
            "address": "Chemin des Lilas 4", "contact_email": "l@example.org"})
        assert r.status_code == 201, r.text
        ref = r.json()["ref"]
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
