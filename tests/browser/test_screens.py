"""Every screen in real Chromium on a phone: accessible (axe-core), light, in two languages, for a signed-in citizen."""
from __future__ import annotations

import re
import uuid

from tests.browser.conftest import PHONE, axe_violations, screenshot
from tests.browser.test_report_flow import choose_category, to_categories

CITIZEN = ("citoyenne@brenles.example", "Brenles-citoyenne-26")
FIRST_SCREEN_BUDGET = 100 * 1024  # bytes on the wire (gzip) of HTML, CSS and JS before home is usable


def sign_in(page) -> None:
    page.goto("/account/login")
    page.get_by_label("Adresse e-mail").fill(CITIZEN[0])
    page.get_by_label("Mot de passe").fill(CITIZEN[1])
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Mes demandes").wait_for()


def assert_accessible(page, screen: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{screen}: {violations}"


def test_the_first_screen_weighs_under_100_kb_and_leaflet_waits_for_a_map(browser, live_server):
    context = browser.new_context(**PHONE, base_url=live_server.url, locale="fr-CH", service_workers="block")
    page = context.new_page()
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto("/")
    page.get_by_role("heading", name="Votre commune, à portée de main").wait_for()
    page.wait_for_load_state("networkidle")
    text = [r for r in responses if r.request.resource_type in ("document", "script", "stylesheet")]
    sizes = {r.url: r.request.sizes()["responseBodySize"] for r in text}
    assert all(r.headers.get("content-encoding") == "gzip" for r in text if r.request.sizes()["responseBodySize"] > 1000)
    assert sum(sizes.values()) <= FIRST_SCREEN_BUDGET, sizes
    assert not [u for u in sizes if "leaflet" in u]
    page.get_by_role("link", name="Carte des signalements").click()
    page.locator(".leaflet-container").wait_for()
    assert any("vendor/leaflet/leaflet.js" in r.url for r in responses)
    context.close()


def test_every_screen_passes_axe(phone, live_server):
    page = phone
    screens = [
        ("/", "Votre commune, à portée de main"),
        ("/report", "Signaler un problème"),
        ("/report?kind=lost", "J'ai perdu un objet"),
        ("/requests", "Mes demandes"),
        ("/map", "Carte des signalements"),
        ("/account/login", "Se connecter"),
        ("/account/register", "Créer un compte"),
        ("/account/forgot", "Mot de passe oublié ?"),
        ("/nowhere", "Cette page n'existe pas"),
    ]
    for path, title in screens:
        page.goto(path)
        page.get_by_role("heading", name=title, exact=True).wait_for()
        page.wait_for_load_state("networkidle")
        assert_accessible(page, path)
    # The steps of a report, and a request's page.
    page.goto("/report")
    to_categories(page)
    choose_category(page, "Éclairage public en panne", on_nearby=lambda: assert_accessible(page, "nearby"))
    assert_accessible(page, "photos")
    page.get_by_role("button", name="Suivant").click()
    page.get_by_role("radio", name="Clignote").wait_for()
    assert_accessible(page, "details")
    page.get_by_role("button", name="Envoyer").click()  # empty required fields: errors next to the fields
    page.get_by_role("alert").wait_for()
    assert_accessible(page, "details with errors")
    with live_server.api() as api:
        ref = api.get("/api/v1/requests", params={"limit": 1}).json()["items"][0]["ref"]
    page.goto(f"/requests/{ref}")
    page.get_by_role("heading", name="Historique").wait_for()
    assert_accessible(page, "request")


def test_english_everywhere_and_the_choice_is_kept(phone):
    page = phone
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Your town, at hand").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_role("link", name="My requests").first.is_visible()
    page.get_by_role("link", name="Report a problem").click()
    page.get_by_text("Step 1 of 5: where?").wait_for()
    assert page.get_by_role("button", name="Use my location").is_visible()
    page.reload()
    page.get_by_text("Step 1 of 5: where?").wait_for()
    screenshot(page, "10-english")
    page.get_by_role("button", name="Français").click()
    page.get_by_text("Étape 1 sur 5 : où ?").wait_for()


def test_a_signed_in_citizen_follows_and_comments_on_a_request(phone):
    page = phone
    sign_in(page)
    cards = page.locator(".card a.title")
    cards.first.wait_for()
    screenshot(page, "09-my-requests")
    assert page.locator(".card .status").first.inner_text().strip()  # a status in words, not a colour
    cards.first.click()
    page.get_by_role("heading", name="Historique").wait_for()
    ref = page.locator(".ref").first.inner_text()
    page.get_by_role("button", name=re.compile("Ajouter le commentaire|Rouvrir")).first.wait_for()
    if page.get_by_label("Un commentaire pour la commune").count():
        page.get_by_label("Un commentaire pour la commune").fill("Toujours là ce matin.")
        page.get_by_role("button", name="Ajouter le commentaire").click()
        page.get_by_text("Toujours là ce matin.").wait_for()
    else:
        page.get_by_label("Qu'est-ce qui n'est pas réglé ?").fill("Le lampadaire est de nouveau éteint.")
        page.get_by_role("button", name="Rouvrir : ce n'est pas réglé").click()
        page.get_by_text("Le lampadaire est de nouveau éteint.").wait_for()
    assert page.get_by_text(ref).first.is_visible()
    page.get_by_role("link", name="Compte").click()
    page.get_by_role("heading", name="Mon compte").wait_for()
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("heading", name="Votre commune, à portée de main").wait_for()


def test_is_it_one_of_these_me_too_then_the_page_says_she_follows_it(phone, live_server):
    """A park bench already reported where she stands: she joins it instead of reporting it again."""
    word = uuid.uuid4().hex[:6]
    with live_server.api() as api:
        r = api.post("/api/v1/requests", headers={"X-CSRF-Token": api.get("/api/v1/session").json()["csrf_token"]},
                     json={"service": "espaces-verts", "lat": 46.6731, "lon": 6.8542, "contact_email": "a@example.org",
                           "description": f"Haie qui déborde sur le banc {word}"})
        ref = r.json()["ref"]
    page = phone
    sign_in(page)
    page.goto("/report")
    to_categories(page)
    page.get_by_role("button", name="Espaces verts, parcs").click()
    card = page.locator(".card").filter(has_text=word)
    card.get_by_role("button", name="C'est celui-ci : moi aussi").click()
    page.get_by_role("heading", name="Espaces verts, parcs").wait_for()
    page.get_by_text("Vous suivez cette demande : vous êtes averti à chaque étape.").wait_for()
    assert page.get_by_text(ref).first.is_visible()
    assert page.get_by_role("button", name="C'est celui-ci : moi aussi").count() == 0  # once, and she is told so
    screenshot(page, "08b-me-too")
    with live_server.api() as api:
        assert api.get(f"/api/v1/requests/{ref}").json()["supporters"] == 1


def test_the_public_map_tells_open_from_resolved_and_opens_a_request(phone, tile_server):
    page = phone
    page.goto("/map")
    page.locator(".leaflet-marker-icon").first.wait_for()
    page.get_by_text(re.compile(r"\d+ demande\(s\) dans cette zone")).wait_for()
    assert page.locator(".leaflet-tile-loaded").count() > 0 and tile_server[1]  # tiles came from loopback
    screenshot(page, "11-map")
    assert page.locator(".legend").get_by_text("ouvert").is_visible() and page.locator(".legend").get_by_text("résolu").is_visible()
    single = page.locator(".leaflet-marker-icon .pin")
    if single.count() == 0:  # all clustered: zoom into the first cluster
        page.locator(".marker-cluster").first.click()
    page.locator(".leaflet-marker-icon .pin").first.click()
    page.get_by_role("link", name="Voir la demande").click()
    page.get_by_role("heading", name="Historique").wait_for()


def test_lost_and_found_start_from_home(phone):
    page = phone
    page.goto("/")
    page.get_by_role("link", name="J'ai trouvé un objet").click()
    page.get_by_role("heading", name="J'ai trouvé un objet").wait_for()
    page.get_by_role("button", name="Utiliser ma position").click()
    page.get_by_text("Ce lieu dépend de : Commune de Brenles.").wait_for()
    page.get_by_role("button", name="Suivant").click()
    page.get_by_text("Étape 2 sur 3 : photos").wait_for()  # one "found" service: nothing to choose
    page.get_by_role("button", name="Suivant").click()
    page.get_by_role("radio", name="Clés").wait_for()  # the category question of the "found" service


def test_screens_reflow_at_320_css_pixels_as_at_400_percent_zoom(browser, live_server):
    """WCAG 1.4.10: at 320 CSS px wide (a 1280 px window at 400%, a phone at 200%) nothing scrolls sideways."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, base_url=live_server.url, locale="fr-CH")
    page = context.new_page()
    for path, title in [("/", "Votre commune, à portée de main"), ("/report", "Signaler un problème"),
                        ("/requests", "Mes demandes"), ("/map", "Carte des signalements"), ("/account/register", "Créer un compte")]:
        page.goto(path)
        page.get_by_role("heading", name=title, exact=True).wait_for()
        page.wait_for_load_state("networkidle")
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} scrolls sideways: {width}"
    context.close()
