"""Issue 17, point 2 on a phone: a category's typed questions (yes/no, a date, a phone number) and a question shown
only when an earlier answer asks for it (the demo's "Stationnement gênant")."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.browser.test_report_flow import choose_category, to_categories


def test_a_question_appears_when_an_earlier_answer_asks_for_it(phone, live_server):
    phone.goto("/report")
    to_categories(phone)
    choose_category(phone, "Stationnement gênant")
    phone.get_by_role("button", name="Suivant").click()

    access = phone.get_by_role("group", name="Quel accès ?")
    expect(access).to_be_hidden()  # not asked before the answer that asks for it
    blocks = phone.get_by_role("group", name="Le véhicule bloque-t-il un accès ?")
    expect(blocks).to_contain_text("Une entrée de garage, un passage pour piétons")  # its help
    blocks.get_by_label("Oui").check()
    expect(access).to_be_visible()
    phone.get_by_label("Depuis quel jour ? (facultatif)").fill("2026-12-01")
    phone.get_by_label("Un numéro pour vous joindre sur place (facultatif)").fill("021 555 01 02")
    phone.get_by_label("Votre adresse e-mail").fill("voisin@example.org")
    phone.get_by_role("button", name="Envoyer").click()
    expect(phone.locator(".field-error")).to_have_count(1)  # which access, now asked, is missing
    assert axe_violations(phone) == []
    blocks.get_by_label("Non").check()
    expect(access).to_be_hidden()
    phone.get_by_role("button", name="Envoyer").click()
    phone.get_by_role("heading", name="Merci, c'est envoyé !").wait_for()
    ref = phone.locator(".ref").first.inner_text()
    with live_server.api() as api:
        body = api.get(f"/api/v1/requests/{ref}").json()
    answers = {a["code"]: a["answer"] for a in body["answers"]}
    assert answers == {"bloque": "Non", "depuis": "2026-12-01"}  # the phone is private: the public page lacks it
