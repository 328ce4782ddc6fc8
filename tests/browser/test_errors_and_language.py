"""Issue 21, point 4: the app says the server's errors in its own language, by code, once and beside the field;
the catalogue and the organisations speak the app's language too."""
from __future__ import annotations

import pytest


@pytest.fixture
def allowed_console(allowed_console):
    allowed_console.append("status of 4")  # the refusals provoked here (401, 422)
    return allowed_console


def test_a_refused_password_is_said_in_french_once_beside_its_field(phone):
    phone.goto("/account/register")
    phone.get_by_label("Nom", exact=True).fill("Léa Rochat")
    phone.get_by_label("Adresse e-mail").fill("lea.rochat@example.org")
    phone.get_by_label("Mot de passe").fill("motdepasse")
    phone.get_by_role("button", name="Créer un compte").click()
    said = "Ce mot de passe est trop courant ou trop facile à deviner. Choisissez-en un autre."
    phone.get_by_text(said).wait_for()
    main = phone.locator("main").inner_text()
    assert main.count(said) == 1, main
    assert "too common" not in main
    password = phone.get_by_label("Mot de passe")
    assert password.get_attribute("aria-invalid") == "true"
    hint = phone.locator("#" + password.get_attribute("aria-describedby").split()[-1])
    assert hint.inner_text() == said  # the message is the field's description, read with it
    assert phone.get_by_role("alert").inner_text() == "Un champ est à corriger : voir le message à côté de celui-ci."
    assert password.evaluate("e => e === document.activeElement")


def test_a_wrong_password_is_said_in_french(phone):
    phone.goto("/account/login")
    phone.get_by_label("Adresse e-mail").fill("citoyenne@brenles.example")
    phone.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    phone.get_by_role("button", name="Se connecter").last.click()
    phone.get_by_role("alert").get_by_text("L'adresse e-mail ou le mot de passe est faux.").wait_for()
    assert "wrong" not in phone.locator("main").inner_text()


def test_the_english_app_shows_the_catalogue_and_the_town_in_english(phone):
    phone.goto("/")
    phone.get_by_role("button", name="English").click()
    phone.get_by_role("link", name="Report a problem").first.click()
    phone.get_by_role("button", name="Use my location").click()
    phone.get_by_text("This place belongs to: Municipality of Brenles.").wait_for()
    phone.get_by_role("button", name="Next").click()
    phone.get_by_role("heading", name="Roads and pavements").wait_for()
    phone.get_by_role("heading", name="Cleanliness").wait_for()
    main = phone.locator("main").inner_text()
    assert "Routes et trottoirs" not in main and "Propreté" not in main
