"""The live server of the browser tests: a browser that hangs up must not leave files open."""

from __future__ import annotations

import gc
import socket
import struct
import sys

from flask import Flask

from navigator.config import PROJECT_ROOT
from tests.browser.support import served


def test_a_client_hanging_up_while_the_server_drains_it_leaves_no_file_open(monkeypatch):
    """Werkzeug skips the response's close() when the drain after a response meets a reset connection.

    The client reads the response, sends a few more bytes (so the server starts draining them), then
    resets the connection; the static file must be closed all the same, not left to the collector.
    """
    app = Flask(__name__, static_folder=str(PROJECT_ROOT / "static"))
    left_open = []
    monkeypatch.setattr(sys, "unraisablehook", left_open.append)
    with served(app) as url:
        port = int(url.rsplit(":", 1)[1])
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.sendall(b"GET /static/favicon.svg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                assert client.recv(100_000).startswith(b"HTTP/1.1 200")
                client.sendall(b"more")
    gc.collect()
    assert [str(unraisable.exc_value) for unraisable in left_open] == []
