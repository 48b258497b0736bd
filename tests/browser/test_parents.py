"""What a parent sees, in Chromium at phone and desktop sizes: a street typed in «near me», the nearest
first and the point on the map, a typo corrected, a bad link forgiven, Back and the form in step, and the
«Записаться» action at the top of a program page."""

from __future__ import annotations

import json
import math
import re
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import select

from navigator.catalogue.models import Program, Venue
from navigator.extensions import database
from tests.browser.support import screenshot, serious_violations

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
ADDRESS = re.compile(r"^г\. ([^,]+), ул\. ([^,]+), (\d+[А-Яа-я]?)$")


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _a_venue(live_app) -> tuple[str, str, str, tuple[float, float]]:
    """A catalogue venue with a street address (city, street, house) and its point."""
    with database(live_app).session_factory() as session:
        rows = session.execute(select(Venue.address, Venue.lat, Venue.lon).join(Program, Program.venue_id == Venue.id)
                               .where(Venue.lat.is_not(None)).order_by(Venue.id)).all()
    address, lat, lon = next(row for row in rows if ADDRESS.match(row[0]))
    return (*ADDRESS.match(address).groups(), (lat, lon))


def _distances(page) -> list[float]:
    found = []
    for text in page.locator(".results .card__distance").all_inner_texts():
        number, unit = re.search(r"([\d,]+)\s*(км|м)", text).groups()
        found.append(float(number.replace(",", ".")) / (1000 if unit == "м" else 1))
    return found


def test_a_typed_street_is_placed_at_the_venue_and_the_nearest_come_first(open_context, live_app):
    city, street, house, point = _a_venue(live_app)
    page, _ = open_context(**PHONE)
    page.goto("/search")
    page.get_by_role("link", name="Фильтры").click()  # on the phone the filters open from their button
    page.get_by_label("Адрес или населённый пункт").fill(f"{city} улица {street} {house}")
    page.get_by_label("Радиус поиска").select_option("3")
    page.get_by_role("button", name="Показать программы").click()
    page.wait_for_url(re.compile(r"place="))
    understood = page.locator("#place-understood").inner_text()
    assert "точно по адресу" in understood and "Ближайшие — первыми" in understood
    distances = _distances(page)
    assert distances and distances == sorted(distances) and distances[0] < 0.3
    data = json.loads(page.locator("#map-data").text_content())
    assert _km(point, tuple(data["centre"][:2])) < 0.3 and data["centre"][2] == 3000
    screenshot(page, "phone-street-search")
    assert serious_violations(page) == []


def test_a_typo_is_corrected_and_said(page):
    page.goto("/search?q=робатотехника")
    assert "Показаны результаты по запросу «робототехника»" in page.locator("#typo-notice").inner_text()
    assert page.locator(".results .card").count() > 0
    page.goto("/search?q=ахматы")  # nothing as typed: the suggested spelling's programs, and a way back
    assert "«шахматы»" in page.locator("#typo-notice").inner_text() and page.locator(".results .card").count() > 0
    page.get_by_role("link", name="Искать именно «ахматы»").click()
    page.wait_for_url(re.compile(r"exact=1"))
    assert page.locator("#typo-notice").count() == 0 and page.get_by_label("Что ищем").input_value() == "ахматы"


def test_a_bad_link_gives_a_normal_page_with_a_notice(open_context):
    page, _ = open_context(**PHONE)
    response = page.goto("/search?age=abc&page=0&sort=foo")
    assert response.status == 200
    notices = page.locator(".notice--warning").all_inner_texts()
    assert any("Возраст ребёнка" in notice for notice in notices) and any("Сначала показывать" in n for n in notices)
    assert re.match(r"Найден[оаы] \d", page.locator("#total").inner_text())
    screenshot(page, "phone-bad-link")


def test_the_form_sends_only_what_is_filled_and_back_restores_it(page):
    page.goto("/search?q=шахматы")
    page.get_by_label("Возраст ребёнка").select_option("9")
    page.get_by_role("button", name="Показать программы").click()
    page.wait_for_url(re.compile(r"age=9"))
    pairs = parse_qsl(urlsplit(page.url).query, keep_blank_values=True)
    assert pairs and all(value for _, value in pairs), f"empty parameters in {page.url}"
    page.get_by_label("Только где есть свободные места").check()
    page.get_by_label("Возраст ребёнка").select_option("12")
    page.get_by_role("button", name="Показать программы").click()
    page.wait_for_url(re.compile(r"age=12"))
    page.go_back()
    page.wait_for_url(re.compile(r"age=9"))
    assert page.get_by_label("Возраст ребёнка").input_value() == "9"
    assert not page.get_by_label("Только где есть свободные места").is_checked()


def test_the_program_page_starts_with_the_enrollment_action(open_context, live_app):
    with database(live_app).session_factory() as session:
        public_id = session.scalar(select(Program.public_id).where(Program.status == "active").order_by(Program.id))
    for options, name in ((PHONE, "phone"), ({}, "desktop")):
        page, _ = open_context(**options)
        page.goto(f"/programs/{public_id}")
        action = page.get_by_role("link", name=re.compile("^Записаться"))
        description = page.get_by_role("heading", name="О программе")
        before = action.evaluate("(a, h) => !!(a.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING)",
                                 description.element_handle())
        box = action.bounding_box()
        assert action.is_visible() and before  # read, and tabbed to, before the description
        assert box["y"] + box["height"] <= page.viewport_size["height"]  # in sight without scrolling
        if name == "phone":  # fixed at the bottom: still in sight after scrolling down
            page.mouse.wheel(0, 3000)
            page.wait_for_timeout(200)
            assert action.bounding_box()["y"] + box["height"] <= page.viewport_size["height"]
        else:
            assert box["y"] < description.bounding_box()["y"]
        screenshot(page, f"{name}-program-enrol", full_page=False)
        assert serious_violations(page) == []


def test_map_clusters_are_read_as_a_number_of_programs(page):
    page.goto("/search?direction=science")  # under a thousand results: clustered in the browser
    cluster = page.locator(".marker-cluster").first
    cluster.wait_for()
    assert re.fullmatch(r"\d+ программ[аы]? — приблизить", cluster.locator(".visually-hidden").text_content())
    assert cluster.locator("[aria-hidden='true']").text_content().isdigit()


def test_the_home_page_opens_with_questions_and_directions_not_a_list(open_context):
    for options, name in ((PHONE, "phone"), ({}, "desktop")):
        page, _ = open_context(**options)
        page.goto("/")
        tiles = page.locator(".tiles .tile")
        assert tiles.count() == 6 and page.locator(".card").count() == 0  # no list of programs
        assert page.get_by_label("Что ищем?").bounding_box()["y"] < tiles.first.bounding_box()["y"]
        assert page.get_by_role("button", name="Показать кружки").bounding_box()["y"] < 844  # asked on screen
        assert page.locator("link[rel='icon']").count() == 1 and page.locator(".site-logo").is_visible()
        screenshot(page, f"{name}-home", full_page=False)
        assert serious_violations(page) == []
    page.get_by_label("Сколько лет ребёнку?").select_option("9")
    page.get_by_label("Рядом со мной").fill("Кедровка")
    page.get_by_role("button", name="Показать кружки").click()
    page.wait_for_url(re.compile(r"/search\?age=9&place="))  # only what was filled in
    assert "Ближайшие" in page.locator("#place-understood").inner_text()
    page.goto("/")
    page.locator(".tile", has_text="Техническая").click()
    page.wait_for_url(re.compile("direction=technical"))
    assert page.locator(".results .card").count() > 0
