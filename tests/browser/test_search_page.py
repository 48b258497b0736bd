"""The search page in Chromium: searching, filters, the map agreeing with the list, pages, near me, keyboard."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from sqlalchemy import func, select

from navigator.catalogue.models import District, Municipality, Organization, Program, Venue
from navigator.extensions import database
from tests.browser.support import screenshot, serious_violations

CARD_LINKS = ".results .card__title a"


def card_ids(page) -> list[str]:
    return [href.rsplit("/", 1)[1] for href in page.locator(CARD_LINKS).evaluate_all("els => els.map(e => e.href)")]


def total(page) -> int:
    return int(re.sub(r"\D", "", page.locator("#total").inner_text()))


def map_pins(page) -> list[list]:
    """The pins of the results map, as the browser received them."""
    return json.loads(page.locator("#map-data").text_content())["pins"]


def markers_on_map(page) -> list[tuple[float, float]]:
    """Where the markers of the results map's cluster layer stand."""
    points = page.evaluate("""() => Object.keys(window).filter(k => k.startsWith('marker_cluster_'))
                                       .flatMap(k => window[k].getLayers())
                                       .map(marker => [marker.getLatLng().lat, marker.getLatLng().lng])""")
    return [tuple(point) for point in points]


def test_search_by_text_and_age(watched):
    page, traffic = watched
    page.goto("/search")
    page.get_by_label("Что ищем", exact=True).fill("шахматы")
    page.get_by_label("Возраст ребёнка").select_option("9")
    page.get_by_role("button", name="Показать программы").click()
    page.wait_for_url(re.compile(r"q=.*age=9"))
    assert re.match(r"Найден[оаы] \d", page.locator("#total").inner_text())
    titles = page.locator(CARD_LINKS).all_inner_texts()
    assert titles and any("Шахмат" in title or "шахмат" in title for title in titles)
    assert page.locator(".chip", has_text="Возраст: 9").count() == 1
    assert traffic.tiles, "the map asked the tile server for tiles"
    screenshot(page, "search-chess-age-9")
    assert serious_violations(page) == []


def test_municipality_then_district_and_the_map_agrees_with_the_list(watched, live_app):
    page, _ = watched
    with database(live_app).session_factory() as session:
        municipality, district = session.execute(
            select(Municipality.name, District.name).join(District, District.municipality_id == Municipality.id)
            .join(Venue, Venue.district_id == District.id).join(Program, Program.venue_id == Venue.id)
            .group_by(Municipality.name, District.name).having(func.count(Program.id).between(3, 20))
            .order_by(func.count(Program.id).desc())).first()
    page.goto("/search")
    choice = page.locator("#municipality option", has_text=f"{municipality} (").get_attribute("value")
    page.locator("#municipality").select_option(choice)
    assert page.locator("#district").is_enabled()  # the district list followed the municipality
    page.locator("#district").select_option(label=district)
    page.get_by_role("button", name="Показать программы").click()
    page.wait_for_url(re.compile(r"district=\d+"))
    listed = card_ids(page)
    pins = map_pins(page)
    unmapped = int(re.search(r"Ещё (\d+)", page.locator(".map-panel").inner_text()).group(1)) \
        if "Ещё" in page.locator(".map-panel").inner_text() else 0
    assert len(listed) == total(page) == len(pins) + unmapped
    assert {pin[4] for pin in pins} <= set(listed)
    assert sorted(markers_on_map(page)) == sorted((pin[0] / 1e5, pin[1] / 1e5) for pin in pins)
    screenshot(page, "search-municipality-district")


def test_pagination(page):
    page.goto("/search?sort=title")
    first = card_ids(page)
    page.get_by_role("link", name="Вперёд →").first.click()
    page.wait_for_url(re.compile(r"page=2"))
    second = card_ids(page)
    assert len(second) == len(first) == 20 and not set(first) & set(second)
    assert page.locator(".pagination [aria-current='page']").inner_text().strip().endswith("2")
    page.go_back()
    page.wait_for_url(re.compile(r"^(?!.*page=2)"))
    assert card_ids(page) == first


def test_open_a_program_from_a_map_popup(page, live_app):
    with database(live_app).session_factory() as session:
        organization, title = session.execute(
            select(Organization.public_id, func.min(Program.title)).join(Program).join(Venue)
            .where(Venue.lat.is_not(None), Program.status == "active")
            .group_by(Organization.public_id).having(func.count(Program.id) == 1)).first()
    page.goto(f"/search?organization={organization}")
    marker = page.locator(".map-panel .leaflet-marker-icon").first
    popup_link = page.locator(".leaflet-popup .map-popup a")
    # Leaflet drops a click that lands while the map still pans or zooms to fit the results: wait for the
    # map to settle, and click again if the first click fell into an animation after all.
    expect(page.locator(".map-panel .leaflet-zoom-anim, .map-panel .leaflet-cluster-anim")).to_have_count(0)
    for _ in range(3):
        marker.click()
        try:
            popup_link.wait_for(state="visible", timeout=3000)
            break
        except PlaywrightTimeoutError:
            continue
    assert popup_link.inner_text() == title
    popup_link.click()
    page.wait_for_url(re.compile(r"/programs/"))
    assert page.locator("h1").inner_text() == title


def test_near_me_with_a_granted_location(open_context):
    page, _ = open_context(geolocation={"latitude": 55.3549, "longitude": 86.0868}, permissions=["geolocation"])
    page.goto("/search")
    page.get_by_role("button", name="Определить, где я").click()
    page.wait_for_url(re.compile(r"near="))
    query = parse_qs(urlsplit(page.url).query)
    assert query["near"] == ["55.354900,86.086800"] and query["sort"] == ["distance"]
    page.locator("#radius_km").select_option("1.5")
    page.get_by_role("button", name="Показать программы").click()
    page.wait_for_url(re.compile(r"radius_km=1.5"))
    distances = [_kilometres(text) for text in page.locator(".results .card__distance").all_inner_texts()]
    assert distances and distances == sorted(distances) and distances[-1] <= 1.5
    assert page.locator(".chip", has_text="в радиусе 1,5 км").count() == 1
    screenshot(page, "search-near-me")


def test_near_a_typed_settlement(page):
    page.goto("/search")
    page.get_by_label("Адрес или населённый пункт").fill("Кедровка")
    page.locator("#radius_km").select_option("5")  # enabled as soon as a place is typed
    page.get_by_role("button", name="Показать программы").click()
    page.wait_for_url(re.compile(r"place="))
    assert "пос. Кедровка" in page.locator("#near-status").inner_text()
    distances = [_kilometres(text) for text in page.locator(".results .card__distance").all_inner_texts()]
    assert distances and distances == sorted(distances) and all(distance <= 5 for distance in distances)


def _kilometres(text: str) -> float:
    number = float(re.search(r"[\d,]+", text).group().replace(",", "."))
    return number / 1000 if re.search(r"\d\s*м", text) else number


def test_keyboard_only_search(page):
    page.goto("/search")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Перейти к содержанию"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    for _ in range(3):  # from the top of the main content to a search box (the home page's first question)
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "q":
            break
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("танцы")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q="))
    assert total(page) > 0
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_works_without_javascript(open_context):
    page, _ = open_context(java_script_enabled=False)
    page.goto("/search")
    page.get_by_label("Что ищем", exact=True).fill("футбол")
    page.get_by_label("Что ищем", exact=True).press("Enter")
    page.wait_for_url(re.compile(r"q="))
    assert total(page) > 0 and page.locator(CARD_LINKS).count() > 0


def test_on_a_phone_the_list_comes_first_and_the_map_is_one_tap_away(open_context):
    page, _ = open_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto("/search")
    first_card = page.locator(".results .card").first.bounding_box()
    assert first_card["y"] < page.locator("#map-section").bounding_box()["y"]
    assert not page.locator("#filters").is_visible()  # the filters wait behind their button
    screenshot(page, "search-phone", full_page=False)
    page.get_by_role("link", name="Показать на карте").click()
    page.wait_for_url(re.compile("#map-section"))
    assert page.locator(".map-panel .folium-map").is_visible()
    assert page.locator(".map-panel .folium-map").bounding_box()["y"] < 844


def test_on_a_phone_the_filters_button_comes_first_and_opens_the_filters(open_context):
    page, _ = open_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto("/search?age=9&free_seats=1")
    button = page.get_by_role("link", name="Фильтры (2)")
    assert button.bounding_box()["y"] < page.locator("#total").bounding_box()["y"]
    assert page.locator("#total").bounding_box()["y"] < page.locator(".chips").bounding_box()["y"] < 844
    button.click()
    expect(page.get_by_label("Возраст ребёнка")).to_be_visible()
    assert page.get_by_label("Возраст ребёнка").bounding_box()["y"] < 844
    screenshot(page, "search-phone-filters", full_page=False)
    page.get_by_label("Возраст ребёнка").select_option("10")
    page.get_by_role("button", name="Показать программы").click()
    page.wait_for_url(re.compile(r"age=10"))
    assert not page.locator("#filters").is_visible() and page.locator(".results .card").first.is_visible()


def test_search_page_accessibility_and_look(page):
    page.goto("/search")
    screenshot(page, "search")
    assert serious_violations(page) == []
