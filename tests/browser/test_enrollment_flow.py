"""A mother applies from her phone without an account, sees the queue, and gets the provider's answer."""

from __future__ import annotations

import time

import pytest

from navigator.extensions import database, search_index
from tests.browser.support import screenshot, seeded_app, serious_violations, served
from tests.cabinet import PASSWORD

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture(scope="module")
def enrollment_app(tmp_path_factory):
    """Its own small catalogue, so that applications do not change what other browser tests see."""
    folder = tmp_path_factory.mktemp("enrollment")
    app = seeded_app(folder, ENROLLMENT_MIN_SECONDS=2.0)
    yield app
    search_index(app).close()
    database(app).engine.dispose()


@pytest.fixture(scope="module")
def enrollment_server(enrollment_app):
    with served(enrollment_app) as url:
        yield url


@pytest.fixture
def site(enrollment_app, enrollment_server):
    """This module's own app and its server."""
    return enrollment_app, enrollment_server


@pytest.fixture
def expected_console_error():
    """A form sent back with its errors answers 422 on purpose; Chromium reports that status in the console."""
    return lambda error: "status of 422" in error and error.endswith("/apply")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_parent_applies_on_a_phone_and_sees_the_answer(person):
    mother, school = person(**PHONE), person()
    started = time.monotonic()
    mother.goto("/programs/a1")
    mother.get_by_role("link", name="Записаться").click()
    assert mother.url.endswith("/programs/a1/apply") and fits_the_screen(mother)
    assert serious_violations(mother) == []
    mother.wait_for_timeout(2000)  # a person reads the form first (the site refuses forms sent faster)
    mother.get_by_label("Как к вам обращаться").fill("Ольга")
    mother.get_by_label("Телефон").fill("+7 900 123-45-67")
    mother.get_by_label("Имя ребёнка").fill("Маша")
    mother.get_by_label("Год рождения ребёнка").fill("2017")
    mother.get_by_role("button", name="Отправить заявку").click()
    assert "Без согласия" in mother.locator(".form-errors").inner_text()  # the form says why; nothing stored
    assert mother.get_by_label("Имя ребёнка").input_value() == "Маша"  # and keeps what was typed
    mother.locator("#consent").check()
    mother.get_by_role("button", name="Отправить заявку").click()
    assert "/applications/" in mother.url and "подана" in mother.locator(".application__state").inner_text()
    assert fits_the_screen(mother)
    screenshot(mother, "parent-application-phone")
    assert time.monotonic() - started < 60
    status_url = mother.url

    mother.goto("/applications")
    mother.get_by_role("link", name="Заявка №").click()  # this device's list, kept in the browser
    assert mother.url == status_url

    school.goto("/login")
    school.get_by_label("Электронная почта").fill("school@example.org")
    school.get_by_label("Пароль").fill(PASSWORD)
    school.get_by_role("button", name="Войти").click()
    school.get_by_role("link", name="Заявки").click()
    school.get_by_role("link", name="Открыть").click()
    assert "Ольга" in school.locator("dl").inner_text()
    school.get_by_role("button", name="Принять").click()
    assert "принята" in school.locator(".flashes").inner_text()

    mother.reload()
    assert "принята" in mother.locator(".application__state").inner_text()
    mother.goto("/programs/a1")
    assert "3\u00a0места из 15" in mother.locator(".facts").inner_text()  # 4 free before the acceptance
