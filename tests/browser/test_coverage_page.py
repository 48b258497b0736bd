"""The coverage pages in Chromium: the choropleth and its table, the filter form, a municipality's maps; axe."""

from __future__ import annotations

import re

from tests.browser.support import screenshot, serious_violations


def test_coverage_page_map_table_and_filter(watched):
    page, traffic = watched
    page.goto("/coverage")
    assert page.locator("h1").inner_text() == "Охват дополнительным образованием"
    page.wait_for_selector(".coverage-map path.leaflet-interactive")
    rows = page.locator(".coverage-table tbody tr")
    assert rows.count() >= 34
    assert page.locator(".coverage-map path.leaflet-interactive").count() == 34
    assert traffic.tiles, "the map asked the tile server for tiles"
    screenshot(page, "coverage")
    assert serious_violations(page) == []

    page.get_by_label("Направленность").select_option("technical")
    page.get_by_label("Показатель на карте").select_option("programs")
    page.get_by_role("button", name="Показать").click()
    page.wait_for_url(re.compile(r"direction=technical"))
    assert page.locator("#map-heading").inner_text() == "Карта: программ"
    page.get_by_role("link", name=re.compile("^Программ")).first.click()
    page.wait_for_url(re.compile(r"sort=programs"))
    first = page.locator(".coverage-table tbody tr").first.locator("th a")
    first.click()
    page.wait_for_url(re.compile(r"/coverage/.+direction=technical"))
    page.wait_for_function("() => document.querySelectorAll('.leaflet-container canvas').length >= 1")
    assert page.locator(".gaps-table tbody tr").count() >= 1
    screenshot(page, "coverage-municipality")
    assert serious_violations(page) == []
