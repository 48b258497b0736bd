"""Program, organization and error pages in Chromium; the low-vision switch."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from navigator.catalogue.models import Organization, Program, Venue
from navigator.extensions import database
from tests.browser.support import screenshot, serious_violations


def busiest_organization(live_app) -> str:
    """The organization with the most programs (several directions and venues to show)."""
    with database(live_app).session_factory() as session:
        return session.scalar(select(Organization.public_id).join(Program).group_by(Organization.public_id)
                              .order_by(func.count(Program.id).desc()).limit(1))


def mapped_program(live_app) -> str:
    with database(live_app).session_factory() as session:
        return session.scalar(select(Program.public_id).join(Venue).where(Venue.lat.is_not(None))
                              .order_by(Program.id).limit(1))


def test_program_page(page, live_app):
    public_id = mapped_program(live_app)
    page.goto(f"/programs/{public_id}")
    assert page.locator("h1").count() == 1
    assert page.get_by_role("heading", name="Как записаться").is_visible()
    assert page.locator(".program-page__side .leaflet-marker-icon").count() == 1
    assert page.locator(".similar .card").count() <= 6
    screenshot(page, "program")
    assert serious_violations(page) == []


def test_organization_page(page, live_app):
    page.goto(f"/organizations/{busiest_organization(live_app)}")
    groups = page.locator(".direction-group h3").all_inner_texts()
    assert groups
    screenshot(page, "organization")
    assert page.locator(".program-page__side .leaflet-marker-icon").count() >= 1
    everything = page.locator(".direction-group .card").count()
    page.get_by_label("Возраст ребёнка").select_option("7")
    page.get_by_role("button", name="Показать").click()
    page.wait_for_url(re.compile(r"age=7"))
    assert page.locator(".direction-group .card").count() <= everything
    assert serious_violations(page) == []


def test_not_found_page(watched):
    page, traffic = watched
    traffic.expect_console_error("the server responded with a status of 404")
    response = page.goto("/programs/does-not-exist-42")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Страница не найдена"
    screenshot(page, "not-found")
    assert serious_violations(page) == []


def test_low_vision_switch_is_remembered_across_pages(page, live_app):
    page.goto("/search")
    page.get_by_role("link", name="Версия для слабовидящих").click()
    page.wait_for_load_state()
    assert "low-vision" in page.locator("html").get_attribute("class")
    assert page.locator(".folium-map").count() == 0
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.card__title')).fontSize)") >= 24
    screenshot(page, "search-low-vision")
    page.goto(f"/programs/{mapped_program(live_app)}")
    assert "low-vision" in page.locator("html").get_attribute("class")
    assert page.locator("img:visible").count() == 0
    page.get_by_role("link", name="Обычная версия сайта").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("class") is None
    assert page.locator(".folium-map").count() == 1
