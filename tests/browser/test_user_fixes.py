"""What a new citizen and a new municipal employee tripped on (issue 21), each replayed in Chromium."""
from __future__ import annotations


def test_asking_for_a_reset_link_says_it_is_sent(phone):
    """Issue 21, point 1: the server answers 202 with no body and the page showed a raw JavaScript error."""
    phone.goto("/account/forgot")
    phone.get_by_label("Adresse e-mail").fill("citoyenne@brenles.example")
    phone.get_by_role("button", name="Envoyer le lien").click()
    phone.get_by_role("status").get_by_text("Si un compte existe").wait_for()
    assert "Failed to execute" not in phone.locator("main").inner_text()
