"""Issue 19, point 1 at the desk: the statistics screen, its table, its weekly chart (patterns and numbers, not colour
alone) beside its own table, and its regrouping."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_agent import at_desk


def test_an_agent_reads_the_figures_by_service_and_by_channel(browser, live_server):
    live_server.report("voirie", attributes={"taille": "large"})
    desk, page = at_desk(browser, live_server, "/agent/stats")
    page.get_by_role("heading", name="Statistiques").wait_for()
    figures = page.get_by_role("table", name="Chiffres par service")
    expect(figures.locator("tfoot th")).to_have_text("Total")
    received = int(figures.locator("tfoot td").first.inner_text())
    assert received >= 1
    road = figures.get_by_role("row").filter(has_text="Nid-de-poule, chaussée abîmée")
    assert int(road.locator("td").first.inner_text()) >= 1
    chart = page.get_by_role("img", name="Demandes reçues (barres pleines) et résolues (barres hachurées) par semaine")
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar.resolved").first.get_attribute("fill") == "url(#stats-stripes)"
    weeks = page.get_by_role("table", name="Par semaine")
    assert sum(int(c) for c in weeks.locator("tbody tr td:nth-child(2)").all_inner_texts()) == received
    assert axe_violations(page) == []
    screenshot(page, "53-statistics")

    page.get_by_label("Regrouper par").select_option("channel")
    page.get_by_role("button", name="Afficher").click()
    page.get_by_role("table", name="Chiffres par canal").wait_for()
    assert "group_by=channel" in page.url
    desk.close()
