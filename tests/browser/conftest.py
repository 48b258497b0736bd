"""Browser tests: Debian's Chromium, driven by Playwright, against a live server on the bundled data.

One server (a thread on 127.0.0.1, its own SQLite database and index built through the CLI) and one
browser serve the whole session. Each test gets a fresh browser context whose every request is
checked: the site's own origin passes, the tile server gets an empty tile, anything else is
refused and fails the test, as does any console error.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from navigator import create_app
from navigator.config import PROJECT_ROOT
from navigator.extensions import database, search_index
from tests.browser.support import Traffic, served

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
DATA_FILE = PROJECT_ROOT / "data" / "programs.csv"


def _unavailable(reason: str):
    """No browser tests without a browser — except in CI, where that is a failure, never a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"Browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The application on a temporary database made from data/programs.csv with the navigator CLI."""
    if not DATA_FILE.exists():
        _unavailable(f"{DATA_FILE} is missing")
    folder = tmp_path_factory.mktemp("live")
    with pytest.MonkeyPatch.context() as environment:  # the developer's settings must not reach the tests
        for name in [name for name in os.environ if name.startswith("NAVIGATOR_")]:
            environment.delenv(name)
        app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'navigator.db'}", "INDEX_DIR": str(folder / "index"),
                          "SECRET_KEY": "browser-tests", "INDEX_FOLLOWER": "inline"},
                         instance_path=str(folder / "instance"))
    runner = app.test_cli_runner()
    for command in (["init-db"], ["import", str(DATA_FILE)], ["reindex"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    yield app
    search_index(app).close()
    database(app).engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """The base URL of the app served by a thread on a free port of 127.0.0.1."""
    with served(live_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as problem:
        _unavailable(f"Playwright is not installed: {problem}")
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing: run scripts/install-test-dependencies.sh")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Error as problem:
            _unavailable(f"Chromium does not start: {problem}")
        yield chromium
        chromium.close()


def make_context(browser, live_server, live_app, **options):
    """A fresh browser context (own cookies) whose requests and console are watched."""
    tile_host = urlsplit(live_app.config["TILE_URL"].replace("{s}.", "*.")).netloc
    traffic = Traffic(urlsplit(live_server).netloc, tile_host)
    context = browser.new_context(base_url=live_server, locale="ru-RU", **{"viewport": {"width": 1280, "height": 900},
                                                                           **options})
    context.route("**/*", traffic.route)
    context.on("console", traffic.console)
    context.on("weberror", lambda error: traffic.console_errors.append(str(error.error)))
    return context, traffic


@pytest.fixture
def site(live_app, live_server):
    """(app, base URL) that the page fixtures open: the bundled catalogue. A module whose tests change data
    overrides it with an app of its own (support.seeded_app), so that other tests do not see the changes."""
    return live_app, live_server


@pytest.fixture
def expected_console_error():
    """Whether a console error is one the module's tests cause on purpose; by default none is."""
    return lambda error: False


@pytest.fixture
def open_context(browser, site, expected_console_error):
    """Open pages, each in a watched browser context of its own (own cookies; options: geolocation, a phone's
    viewport, no JavaScript); after the test, nothing but tiles left the site and no console error was unexpected."""
    app, url = site
    made = []

    def open_with(**options):
        context, traffic = make_context(browser, url, app, **options)
        made.append((context, traffic))
        return context.new_page(), traffic

    yield open_with
    for context, traffic in made:
        context.close()
        assert traffic.refused == [], f"requests to other servers: {traffic.refused}"
        errors = [error for error in traffic.console_errors if not expected_console_error(error)]
        assert errors == [], f"console errors: {errors}"


@pytest.fixture
def person(open_context):
    """Open a page as one more person, in a browser of their own (a parent, a school, municipal staff)."""
    return lambda **options: open_context(**options)[0]


@pytest.fixture
def watched(open_context):
    """(new page, its traffic), checked after the test as every page of open_context."""
    return open_context()


@pytest.fixture
def page(watched):
    return watched[0]
