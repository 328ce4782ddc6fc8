"""The audit's probes that only a browser shows: where `?next=` may lead after signing in."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.conftest import axe_violations, screenshot

CITIZEN = ("citoyenne@brenles.example", "Brenles-citoyenne-26")
AWAY = ["/\\evil.example/phish", "//evil.example/phish", "/\t/evil.example/phish", "https://evil.example/phish",
        "javascript:alert(1)"]


@pytest.mark.parametrize("target", ["/\\evil.example/phish", "//evil.example/phish", "https://evil.example/"])
def test_signing_in_never_leads_away_from_the_site(phone, live_server, target):
    """Audit point 16: `/account/second-factor?next=/%5Cevil.example/phish` left the site."""
    phone.goto(f"/account/login?next={quote(target, safe='')}")
    phone.get_by_label("Adresse e-mail").fill(CITIZEN[0])
    phone.get_by_label("Mot de passe").fill(CITIZEN[1])
    phone.get_by_role("button", name="Se connecter").click()
    phone.wait_for_url(f"{live_server.url}/requests")
    phone.get_by_role("heading", name="Mes demandes").wait_for()


def test_only_paths_of_the_site_are_followed(phone, live_server):
    phone.goto("/")
    script = phone.locator("script[type=module]").get_attribute("src").replace("app.js", "router.js")
    kept, refused = phone.evaluate("""async ([src, away]) => {
        const { safePath } = await import(src);
        return [[safePath("/agent/access", "/x"), safePath("/requests/BRN-2026-000001?tab=2#top", "/x")],
                away.map((next) => safePath(next, "/x"))];
    }""", [script, AWAY])
    assert kept == ["/agent/access", "/requests/BRN-2026-000001?tab=2#top"]
    assert refused == ["/x"] * len(AWAY)


def test_an_agent_hides_a_citizens_text_from_the_public(browser, live_server, phone):
    """Audit point 10: staff could hide neither a citizen's text nor a photo."""
    from tests.browser.test_agent import at_desk, new_request

    created = new_request(live_server)
    desk, page = at_desk(browser, live_server, f"/agent/requests/{created['ref']}", viewport={"width": 1366, "height": 768})
    page.get_by_role("heading", name="Modération").wait_for()
    assert page.get_by_label("Élément").input_value() == "description"
    page.get_by_role("button", name="Masquer au public").click()
    page.get_by_text("Ce champ est obligatoire").first.wait_for()  # the reason first
    page.get_by_label("Motif (note interne)").fill("Nom d'un voisin")
    page.get_by_role("button", name="Masquer au public").click()
    page.get_by_text("Masqué au public").first.wait_for()
    page.get_by_role("button", name="Rendre visible au public").wait_for()
    screenshot(page, "28-moderation")
    assert not axe_violations(page)
    desk.close()
    phone.goto(f"/requests/{created['ref']}")
    phone.get_by_text("Texte masqué par la commune.").wait_for()
    assert created["word"] not in phone.content()

