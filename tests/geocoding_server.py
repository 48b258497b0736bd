"""A stand-in for Nominatim on 127.0.0.1: the /search JSON protocol with scripted answers and faults.

The real service is on the internet, so tests script this one: per query substring, a list of
behaviours played in turn (the last one repeats). Every request is logged with its arrival time.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Behaviour:
    results: list = field(default_factory=list)
    status: int = 200
    retry_after: str | None = None
    delay: float = 0.0


def found(*points: tuple[float, float], category: str = "building", kind: str = "house", rank: int = 30) -> Behaviour:
    """An answer with one result per point, best first."""
    return Behaviour([{"lat": str(lat), "lon": str(lon), "display_name": f"Место {lat}, {lon}", "class": category,
                       "type": kind, "place_rank": rank, "importance": 0.5} for lat, lon in points])


EMPTY = Behaviour()


def failing(status: int, retry_after: str | None = None) -> Behaviour:
    return Behaviour(status=status, retry_after=retry_after)


def slow(seconds: float) -> Behaviour:
    return Behaviour(delay=seconds)


@dataclass(frozen=True)
class Request:
    at: float
    params: dict[str, str]
    headers: dict[str, str]


class NominatimStandIn:
    """The server; `script(substring, *behaviours)` decides how queries containing substring are answered."""

    def __init__(self):
        self.requests: list[Request] = []
        self._script: dict[str, list[Behaviour]] = {}
        self._release = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def script(self, substring: str, *behaviours: Behaviour) -> None:
        self._script[substring] = list(behaviours)

    def start(self) -> NominatimStandIn:
        # A short poll interval: shutdown() waits for it, once per test.
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def queries(self) -> list[str]:
        return [request.params.get("q", "") for request in self.requests]

    def gaps(self) -> list[float]:
        """Seconds between consecutive requests."""
        times = [request.at for request in self.requests]
        return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]

    def behaviour_for(self, query: str) -> Behaviour:
        for substring, behaviours in self._script.items():
            if substring in query:
                return behaviours.pop(0) if len(behaviours) > 1 else behaviours[0]
        return EMPTY

    def hold(self, seconds: float) -> None:
        """Keep a slow answer back (until the server stops)."""
        self._release.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that gave up on a slow answer closes the socket; that is the point of the test."""


def _handler(stand_in: NominatimStandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args):
            pass

        def do_GET(self):
            parts = urlsplit(self.path)
            params = {name: values[0] for name, values in parse_qs(parts.query).items()}
            stand_in.requests.append(Request(time.monotonic(), params, dict(self.headers)))
            behaviour = stand_in.behaviour_for(params.get("q", ""))
            stand_in.hold(behaviour.delay)
            body = json.dumps(behaviour.results).encode() if behaviour.status == 200 else b"error"
            try:
                self.send_response(behaviour.status)
                if behaviour.retry_after is not None:
                    self.send_header("Retry-After", behaviour.retry_after)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass

    return Handler
