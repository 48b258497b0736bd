"""nginx in front of gunicorn (finding 8 of the third security test, and what the edge does).

Twenty connections sending their headers a byte a second, straight to gunicorn, held its sync workers and
made /healthz time out for 45 s. Now visitors reach nginx only: it waits for slow clients in its event loop
and closes them after client_header_timeout, and a request reaches gunicorn only once it has fully arrived.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.stack import ROOT, free_port, tcp_ports
from navigator.serving.nginx import CLIENT_TIMEOUT_S, Edge, render
from tests.faults.traffic import fetch

pytestmark = pytest.mark.faults

ATTACKERS = 30
WATCH_S = CLIENT_TIMEOUT_S + 5


def test_slow_clients_leave_healthz_answering_within_a_second(stack):
    attack = SlowHeaders(stack.port, ATTACKERS)
    attack.start()
    try:
        started = time.monotonic()
        polls = []
        while time.monotonic() - started < WATCH_S:
            polls.append(fetch(urllib.request.build_opener(), stack.base, "/healthz"))
            time.sleep(0.2)
    finally:
        attack.stop()
    slowest = max(answer.answered - answer.asked for answer in polls)
    cut = sorted(attack.closed_after)
    print(f"\n{ATTACKERS} connections sending headers a byte a second for {WATCH_S:.0f} s: {len(polls)} /healthz "
          f"polls, all {sorted({answer.status for answer in polls})}, slowest {slowest * 1000:.0f} ms; nginx "
          f"closed {len(cut)} of them after {cut[0] if cut else 0:.1f}–{cut[-1] if cut else 0:.1f} s")
    assert attack.opened == ATTACKERS, "the attack could not open its connections"
    assert all(answer.status == 200 for answer in polls), [a.describe() for a in polls if a.status != 200]
    assert slowest < 1.0
    # client_header_timeout: a header that never ends is cut off, not waited for (a second or two of slack).
    assert len(cut) == ATTACKERS and cut[-1] < CLIENT_TIMEOUT_S + 3


def test_nginx_serves_static_files_with_cache_headers_and_compression(stack):
    request = urllib.request.Request(stack.base + "/static/css/site.css", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        headers, body = response.headers, response.read()
    assert headers["Server"] == "nginx"  # not gunicorn's: the file did not go through a worker
    assert headers["Content-Encoding"] == "gzip" and len(body) < (ROOT / "static/css/site.css").stat().st_size / 2
    assert headers["Cache-Control"] == "public, max-age=600" and headers["ETag"] and headers["Last-Modified"]
    assert headers["Content-Type"] == "text/css; charset=utf-8" and headers["X-Content-Type-Options"] == "nosniff"
    with urllib.request.urlopen(stack.base + "/static/vendor/leaflet-1.9.4/leaflet.js", timeout=10) as response:
        assert "immutable" in response.headers["Cache-Control"]
        assert response.read() == (ROOT / "static/vendor/leaflet-1.9.4/leaflet.js").read_bytes()


def test_a_body_over_the_upload_limit_is_refused_by_nginx(stack):
    limit = 5 * 1024 * 1024  # NAVIGATOR_UPLOAD_MAX_MB's default, which serve.sh gives nginx
    with socket.create_connection(("127.0.0.1", stack.port), timeout=10) as connection:
        connection.sendall(f"POST /provider/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {limit + 1}\r\n"
                           "Content-Type: text/csv\r\n\r\n".encode())
        answer = connection.recv(65536).decode(errors="replace")  # before a byte of the body is sent
    assert answer.startswith("HTTP/1.1 413") and "больше 5 МБ" in answer


def test_the_site_sees_the_address_nginx_saw_not_a_forged_one(stack):
    """X-Forwarded-For from the client is replaced, X-Forwarded-Host dropped: the sign-in log names 127.0.0.1."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    form = fetch(opener, stack.base, "/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.body).group(1)
    email = f"forged-{time.monotonic_ns()}@example.org"
    request = urllib.request.Request(stack.base + "/login", data=urllib.parse.urlencode(
        {"csrf_token": token, "email": email, "password": "x"}).encode(),
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "evil.example", "Forwarded": "for=203.0.113.9"})
    try:
        opener.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        assert error.code == 401
    deadline = time.monotonic() + 10
    while email not in stack.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    logged = next(line for line in stack.log().splitlines() if email in line)
    assert logged.endswith("from 127.0.0.1"), logged


def test_requests_beyond_the_rate_for_one_address_get_429_from_nginx(stack):
    """The stack under test allows its one-address traffic almost anything; a second nginx with the same
    configuration at 2 requests a second (burst 3) in front of the same gunicorn shows the limit at work."""
    folder = stack.folder / "edge-limit"
    (folder / "temp").mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    port = free_port()
    config = folder / "nginx.conf"
    config.write_text(render(Edge(f"127.0.0.1:{port}", stack.folder / "instance/nginx/gunicorn.sock", folder,
                                  user="www-data" if os.geteuid() == 0 else None, rate=2, burst=3)))
    nginx = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(folder), "-c", str(config),
                              "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        statuses = [fetch(urllib.request.build_opener(), f"http://127.0.0.1:{port}", "/healthz") for _ in range(10)]
    finally:
        nginx.terminate()
        nginx.wait(10)
    codes = [answer.status for answer in statuses]
    assert codes[:4] == [200] * 4 and 429 in codes[4:], codes
    refused = next(answer for answer in statuses if answer.status == 429)
    assert "Слишком много запросов" in refused.body and "text/html" in refused.content_type


class SlowHeaders:
    """`count` connections that send a request line and then one header byte a second, never finishing."""

    def __init__(self, port: int, count: int):
        self.port, self.count = port, count
        self.opened = 0
        self.closed_after: list[float] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._dribble, daemon=True) for _ in range(self.count)]
        for thread in self._threads:
            thread.start()
        deadline = time.monotonic() + 5
        while self.opened < self.count and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(5)

    def _dribble(self) -> None:
        try:
            connection = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        except OSError:
            return
        self.opened += 1
        opened = time.monotonic()
        with connection:
            try:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                while not self._stop.is_set():
                    connection.sendall(b"X")  # a header name that never ends
                    connection.settimeout(1.0)
                    try:
                        if connection.recv(1024) == b"":  # nginx closed it
                            break
                    except TimeoutError:
                        continue
                    break  # nginx answered (408) and closes
            except OSError:  # reset by nginx
                pass
            if not self._stop.is_set():
                self.closed_after.append(time.monotonic() - opened)


def _wait_for_port(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nginx did not listen on {port}")


def test_gunicorn_listens_only_on_a_socket_that_nginx_can_open(stack):
    sock = Path(stack.folder / "instance" / "nginx" / "gunicorn.sock")
    assert sock.is_socket()
    assert stack.processes("gunicorn") and not tcp_ports(stack.processes("gunicorn"))
    assert tcp_ports(stack.processes("nginx")) == {stack.port}

