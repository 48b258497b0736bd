"""The provider flow in Chromium: a school logs in and adds a club, it waits for moderation, municipal
staff approve it, and a parent finds it by search — each in their own browser."""

from __future__ import annotations

import time

import pytest

from navigator.extensions import database, search_index
from tests.browser.support import screenshot, seeded_app, serious_violations, served
from tests.cabinet import MUNICIPALITY_A, PASSWORD, add_account

TITLE = "Юные корабелы"


@pytest.fixture(scope="module")
def cabinet_app(tmp_path_factory):
    """Its own small catalogue, so that the programs it adds do not change what other browser tests see."""
    folder = tmp_path_factory.mktemp("cabinet")
    with pytest.MonkeyPatch.context() as environment:
        environment.delenv("NAVIGATOR_MODERATION", raising=False)
        app = seeded_app(folder)
    add_account(app, "staff@example.org", "municipal", municipalities=[MUNICIPALITY_A])
    yield app
    search_index(app).close()
    database(app).engine.dispose()


@pytest.fixture(scope="module")
def cabinet_server(cabinet_app):
    with served(cabinet_app) as url:
        yield url


@pytest.fixture
def site(cabinet_app, cabinet_server):
    """This module's own app and its server."""
    return cabinet_app, cabinet_server


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()


def found_titles(page) -> list[str]:
    page.goto(f"/search?q={TITLE}")
    return page.locator(".results .card__title a").all_inner_texts()


def test_a_club_added_by_a_school_is_approved_and_found_by_a_parent(person):
    school, staff, parent = person(), person(), person()

    log_in(school, "school@example.org")
    assert school.url.endswith("/provider")
    school.get_by_role("link", name="Добавить программу").click()
    school.get_by_label("Код программы").fill("a-ships")
    school.get_by_label("Название").fill(TITLE)
    school.get_by_label("Описание").fill("Строим модели парусников и учимся читать чертежи.")
    school.get_by_label("Направленность").select_option("Техническая")
    school.get_by_label("Возраст от").fill("9")
    school.get_by_label("Возраст до").fill("14")
    school.get_by_label("Бесплатно").check()
    school.get_by_label("Всего мест").fill("12")
    school.get_by_label("Свободных мест").fill("6")
    school.get_by_label("Место проведения", exact=True).select_option(label="Новый адрес…")
    school.get_by_label("Адрес", exact=True).fill("г. Кемерово, ул. Весенняя, 12")
    school.get_by_label("Муниципалитет").select_option(MUNICIPALITY_A)
    school.locator("#pin-map").click()  # the provider puts the pin where the entrance is
    assert school.locator("#lat").input_value() != ""
    assert serious_violations(school) == []
    screenshot(school, "provider-program-form")
    school.get_by_role("button", name="Отправить на проверку").click()
    assert school.url.endswith("/provider")
    row = school.locator("tr", has_text=TITLE)
    assert "на проверке" in row.inner_text()

    assert found_titles(parent) == []

    log_in(staff, "staff@example.org")
    assert staff.url.endswith("/municipal")
    staff.get_by_role("link", name=TITLE).click()
    assert "Новая программа" in staff.locator("h1").inner_text()
    screenshot(staff, "municipal-review")
    staff.get_by_role("button", name="Одобрить и опубликовать").click()
    approved_at = time.monotonic()
    assert "опубликована" in staff.locator(".flashes").inner_text()

    assert found_titles(parent) == [TITLE]
    assert time.monotonic() - approved_at < 3  # the page load included; the index itself follows at once
    parent.get_by_role("link", name=TITLE).click()
    assert parent.locator("h1").inner_text() == TITLE
