"""A push reaching the real service worker in Chromium becomes a notification; the app offers notifications politely."""
from __future__ import annotations

import json
import time

from tests.browser.conftest import axe_violations
from tests.browser.test_screens import sign_in


def registration_id(page, origin: str) -> str:
    cdp = page.context.new_cdp_session(page)
    found: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: found.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not any(r["scopeURL"] == f"{origin}/" and not r.get("isDeleted") for r in found):
        assert time.monotonic() < deadline, f"no service worker registration for {origin}: {found}"
        page.wait_for_timeout(100)
    return cdp, next(r["registrationId"] for r in found if r["scopeURL"] == f"{origin}/")


def notifications(page) -> list[dict]:
    return page.evaluate("""async () => (await (await navigator.serviceWorker.ready).getNotifications())
        .map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url, icon: n.icon}))""")


def test_a_push_delivered_to_the_service_worker_shows_a_notification(phone, live_server):
    page = phone
    page.context.grant_permissions(["notifications"])
    page.goto("/")
    page.get_by_role("heading", name="Votre commune, à portée de main").wait_for()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp, reg = registration_id(page, live_server.url)
    with live_server.api() as api:
        ref = api.get("/api/v1/requests", params={"limit": 1}).json()["items"][0]["ref"]
    for status in ("prise en compte", "résolue"):  # two updates of one request: the second replaces the first
        payload = {"title": f"Votre demande {ref} est {status}", "body": f"Votre demande {ref} est {status}.",
                   "url": f"https://guichet.example/requests/{ref}", "tag": ref, "ref": ref, "status": "resolved"}
        cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server.url, "registrationId": reg,
                                                      "data": json.dumps(payload)})
    deadline = time.monotonic() + 10
    while not (shown := notifications(page)) or shown[0]["title"].endswith("prise en compte"):
        assert time.monotonic() < deadline, f"no notification shown: {shown}"
        page.wait_for_timeout(100)
    [note] = shown
    assert note["title"] == f"Votre demande {ref} est résolue" and note["tag"] == ref
    assert note["url"].endswith(f"/requests/{ref}") and "/icons/icon-192.png" in note["icon"]


def test_notifications_are_offered_after_a_report_and_in_the_account_never_on_load(phone, live_server):
    page = phone
    asked = []
    page.expose_function("noteAsked", lambda: asked.append(True))
    page.add_init_script("""(() => {
        const ask = Notification.requestPermission.bind(Notification);
        Notification.requestPermission = (...a) => { window.noteAsked(); return ask(...a); };
    })()""")
    page.goto("/")
    page.get_by_role("heading", name="Votre commune, à portée de main").wait_for()
    page.wait_for_load_state("networkidle")
    assert not asked, "the permission was asked on load"
    sign_in(page)
    page.get_by_role("link", name="Compte").click()
    page.get_by_role("heading", name="Notifications").wait_for()
    page.get_by_role("group", name="Changement de statut").get_by_role("checkbox", name="E-mail").uncheck()
    page.get_by_text("Préférences enregistrées.").wait_for()
    with live_server.api() as api:
        login = api.post("/api/v1/auth/login", json={"email": "citoyenne@brenles.example", "password": "Brenles-citoyenne-26"},
                         headers={"X-CSRF-Token": api.get("/api/v1/session").json()["csrf_token"]})
        assert login.status_code == 200
        assert api.get("/api/v1/me/notifications").json()["prefs"]["status"] == ["push"]
    assert axe_violations(page) == []
    assert page.get_by_role("button", name="Activer sur ce téléphone").is_visible()
    assert not asked


def test_the_inbox_lists_updates_and_clears_the_badge(phone, live_server):
    page = phone
    sign_in(page)
    page.get_by_role("link", name="Messagerie").click()
    page.get_by_role("heading", name="Messagerie").wait_for()
    page.locator("[data-js=message]").first.wait_for()
    assert axe_violations(page) == []
    page.get_by_role("navigation").get_by_role("link", name="Demandes").click()
    page.get_by_role("heading", name="Mes demandes").wait_for()
    assert page.locator(".tabs .badge").count() == 0
