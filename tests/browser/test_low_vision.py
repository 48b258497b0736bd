"""The low-vision panel in Chromium: three font sizes, three colour schemes, images, letter spacing —
remembered from page to page, and axe finds nothing (of any impact) on every page in every scheme."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from navigator.catalogue.models import Organization, Program
from navigator.extensions import database
from tests.browser.support import screenshot

SCHEMES = {"Чёрным по белому": "rgb(0, 0, 0)", "Белым по чёрному": "rgb(255, 255, 255)",
           "Тёмно-синим по голубому": "rgb(6, 52, 98)"}


def all_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


def test_the_settings_are_remembered_and_every_scheme_is_accessible(page, live_app):
    with database(live_app).session_factory() as session:
        program = session.scalar(select(Program.public_id).where(Program.status == "active").order_by(Program.id))
        organization = session.scalar(select(Organization.public_id).order_by(Organization.id))
    page.goto("/search")
    page.get_by_role("link", name="Версия для слабовидящих").click()
    page.wait_for_load_state()
    normal = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_role("link", name="Наибольший").click()
    page.wait_for_load_state()
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") > normal * 1.5
    page.get_by_role("link", name="Большой").click()
    page.wait_for_load_state()
    assert page.evaluate("parseFloat(getComputedStyle(document.body).letterSpacing)") > 0
    problems = []
    for scheme, colour in SCHEMES.items():
        page.get_by_role("link", name=scheme).click()
        page.wait_for_load_state()
        for url in ("/", "/search?q=шахматы&age=9", f"/programs/{program}", f"/organizations/{organization}",
                    "/coverage"):
            page.goto(url)
            assert page.evaluate("getComputedStyle(document.body).color") == colour, (scheme, url)
            assert "lv-size-3" in page.locator("html").get_attribute("class")  # remembered on every page
            problems += [f"{scheme} {url}: {found}" for found in all_violations(page)]
        screenshot(page, f"low-vision-{scheme}", full_page=False)
    assert problems == [], "\n".join(problems)
    page.get_by_role("link", name="Показать").click()
    page.wait_for_load_state()
    assert "lv-images-on" in page.locator("html").get_attribute("class")
