"""Helpers of the browser tests: watching a page's traffic, screenshots, axe-core."""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler, make_server

from navigator.config import PROJECT_ROOT

SCREENSHOTS = PROJECT_ROOT / "test-output" / "screenshots"
SERIOUS = {"serious", "critical"}


def _plain_png(red: int, green: int, blue: int) -> bytes:
    """A 1×1 PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes([0, red, green, blue])))
            + chunk(b"IEND", b""))


#: A plain light tile answered for every tile request, so maps draw without the internet.
EMPTY_TILE = _plain_png(0xE9, 0xEC, 0xE6)


_RESPONSE = "tests.response"


class _ClosingOnce:
    """A response that its close() closes once, whoever calls it first."""

    def __init__(self, response):
        self._response = response
        self._closed = False

    def __iter__(self):
        return iter(self._response)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if hasattr(self._response, "close"):
                self._response.close()


def _remembering_responses(app):
    """The app, leaving each response in its environ for the hang-up handler below."""
    def application(environ, start_response):
        response = environ[_RESPONSE] = _ClosingOnce(app(environ, start_response))
        return response
    return application


class _ClosingOnHangUp(WSGIRequestHandler):
    """Closes the response of a request whose browser hung up.

    Werkzeug's development server skips the response's close() when reading the rest of a dropped
    connection fails (run_wsgi's finally), which leaves a static file to the garbage collector: a
    ResourceWarning, and so a failure, in whichever test happens to be running.
    """

    def connection_dropped(self, error, environ=None) -> None:
        response = (environ or {}).get(_RESPONSE)
        if response is not None:
            response.close()


@contextmanager
def served(app) -> Iterator[str]:
    """The base URL of the app served by a thread on a free port of 127.0.0.1, for as long as the block runs."""
    server = make_server("127.0.0.1", 0, _remembering_responses(app), threaded=True,
                         request_handler=_ClosingOnHangUp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


class Traffic:
    """Every request a page made, sorted into ours, tiles and refused; and the console's errors."""

    def __init__(self, own_host: str, tile_host: str):
        self.own_host = own_host
        self.tile_host = tile_host
        self.tiles: list[str] = []
        self.refused: list[str] = []
        self.console_errors: list[str] = []
        self.expected_errors: list[str] = []

    def expect_console_error(self, text: str) -> None:
        """Allow console errors that contain text (the browser logs a page's own 404, for one)."""
        self.expected_errors.append(text)

    def route(self, route) -> None:
        host = urlsplit(route.request.url).netloc
        if host == self.own_host:
            route.continue_()
        elif self.tile_host.startswith("*.") and host.endswith(self.tile_host[1:]) or host == self.tile_host:
            self.tiles.append(route.request.url)
            route.fulfill(status=200, content_type="image/png", body=EMPTY_TILE)
        else:
            self.refused.append(route.request.url)
            route.abort()

    def console(self, message) -> None:
        if message.type == "error" and not any(text in message.text for text in self.expected_errors):
            self.console_errors.append(f"{message.text} at {message.location.get('url')}")


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot under test-output/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            f"{[node['target'] for node in violation['nodes']][:5]}"
            for violation in results.response["violations"] if violation["impact"] in SERIOUS]


def seeded_app(folder: Path, **settings):
    """An app of its own with the small test catalogue and a provider of organization oA, for browser tests
    that change data (so that other browser tests do not see their changes)."""
    from navigator import create_app, migrations
    from navigator.extensions import database
    from tests.cabinet import add_account, seed_catalogue

    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'navigator.db'}", "INDEX_DIR": str(folder / "index"),
                      "SECRET_KEY": "browser-tests", "INDEX_FOLLOWER": "inline", **settings},
                     instance_path=str(folder / "instance"))
    migrations.upgrade(database(app).engine)
    seed_catalogue(app, folder)
    add_account(app, "school@example.org", "provider", organizations=["oA"])
    return app
