"""Light traffic for the fault suite: visitors from a few threads, and a provider saving through the cabinet.

Every request opens a new connection, so gunicorn hands consecutive requests to different workers
(as it would for many visitors), and each answer is kept with the moment it was asked.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass

TIMEOUT_S = 15


@dataclass
class Answer:
    """One request as a visitor saw it: status None when no HTTP answer came (the connection broke)."""

    asked: float
    answered: float
    url: str
    status: int | None
    content_type: str = ""
    body: str = ""
    problem: str = ""

    @property
    def api(self) -> bool:
        return self.url.startswith("/api/")

    def describe(self) -> str:
        return f"{self.status or self.problem} {self.url}"


def fetch(opener: urllib.request.OpenerDirector, base: str, url: str, data: dict | None = None) -> Answer:
    """GET (or POST data) url; an HTTP error or a broken connection is an Answer too, never an exception."""
    asked = time.monotonic()
    encoded = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(base + url, data=encoded, timeout=TIMEOUT_S) as response:
            status, content_type, body = response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        status, content_type, body = error.code, error.headers.get("Content-Type", ""), error.read()
    except (OSError, http.client.HTTPException) as problem:
        reason = getattr(problem, "reason", None)
        return Answer(asked, time.monotonic(), url, None, problem=type(reason or problem).__name__)
    return Answer(asked, time.monotonic(), url, status, content_type, body.decode("utf-8", errors="replace"))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None  # a 302 after a save is the answer we look at


class Visitors:
    """`threads` visitors asking the urls in turn, with `pause` seconds between requests, until stopped."""

    def __init__(self, base: str, urls: list[str], threads: int = 3, pause: float = 0.05):
        self.base, self.urls, self.pause = base, urls, pause
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._visit, args=(number,), daemon=True)
                         for number in range(threads)]

    def __enter__(self) -> Visitors:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(TIMEOUT_S + 5)

    def _visit(self, number: int) -> None:
        opener = urllib.request.build_opener(_NoRedirect)
        turn = number
        while not self._stop.is_set():
            self.answers.append(fetch(opener, self.base, self.urls[turn % len(self.urls)]))
            turn += len(self._threads)
            self._stop.wait(self.pause)

    def between(self, start: float, end: float) -> list[Answer]:
        return [answer for answer in self.answers if start <= answer.asked <= end]

    @staticmethod
    def summary(answers: list[Answer]) -> str:
        counts = Counter(str(answer.status or answer.problem) for answer in answers)
        return ", ".join(f"{key} × {count}" for key, count in sorted(counts.items()))


class Provider:
    """A provider account signed in through its one-time password link, saving quick edits in the cabinet."""

    def __init__(self, base: str, link: str, password: str = "проверка-отказов-2026"):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect)
        path = link[link.index("/set-password/"):]
        form = fetch(self.opener, base, path)
        answer = fetch(self.opener, base, path, {"csrf_token": _csrf(form.body), "password": password,
                                                 "repeat": password})
        assert answer.status in (302, 303), f"could not sign the provider in: {answer.describe()}"

    def quick_edit(self, public_id: str, seats_free: int, schedule: str) -> Answer:
        """Change a program's free places and schedule; the Answer of the POST (302 when saved)."""
        page = fetch(self.opener, self.base, "/provider")
        if page.status != 200:
            return page
        return fetch(self.opener, self.base, f"/provider/programs/{public_id}/quick",
                     {"csrf_token": _csrf(page.body), "seats_total": "10", "seats_free": str(seats_free),
                      "schedule": schedule})


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def with_free_places(base: str, organization: str) -> set[str]:
    """Public ids of the organization's programs the search index says have free places (API, any worker)."""
    answer = fetch(urllib.request.build_opener(), base,
                   f"/api/v1/programs?organization={organization}&free_seats=1&per_page=100")
    assert answer.status == 200, answer.describe()
    return {item["id"] for item in json.loads(answer.body)["items"]}
