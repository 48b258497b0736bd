"""Serving with several processes: health and readiness, limits shared through a real Redis, the geocoder's
site-wide budget, Redis going away, the database going away."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from navigator import create_app
from navigator.catalogue.changes import mark_programs_changed
from navigator.catalogue.models import Program, utcnow
from navigator.extensions import database
from navigator.geocoding.budget import RequestBudget
from tests.factories import load_programs, make_row
from tests.processes import free_port, wait_for_port


class Site:
    """One more web process (`navigator run`) on the same database: what a second worker is."""

    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        self.process = subprocess.Popen([sys.executable, "-m", "navigator", "run", "--host", "127.0.0.1", "--port",
                                         str(self.port)], env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_for_port(self.port)
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(f"http://127.0.0.1:{self.port}{path}"))

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        body = "&".join(f"{key}={urllib.request.quote(value)}" for key, value in data.items()).encode()
        return self._open(urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body, method="POST"))

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def two_workers(app, redis_server, tmp_path):
    """Two web processes sharing one SQLite database and one Redis."""
    env = dict(os.environ, NAVIGATOR_DATABASE_URL=app.config["DATABASE_URL"], NAVIGATOR_SECRET_KEY="shared",
               NAVIGATOR_INDEX_DIR=str(tmp_path / "index"), NAVIGATOR_RATELIMIT_STORAGE_URI=redis_server.url,
               NAVIGATOR_API_RATE_LIMIT="5 per minute", NAVIGATOR_LOGIN_LIMIT_ADDRESS="3 per 15 minutes",
               NAVIGATOR_INDEX_FOLLOWER="external")
    subprocess.run(["redis-cli", "-p", str(redis_server.port), "flushall"], check=True, capture_output=True)
    sites = [Site(env), Site(env)]
    yield sites
    for site in sites:
        site.stop()


def test_healthz_and_readyz_answer_json(app, client, tmp_path):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    not_ready = client.get("/readyz")  # no index yet
    assert not_ready.status_code == 503 and not_ready.get_json()["status"] == "unavailable"
    assert "index" in not_ready.get_json()["checks"]["index"] or "No search index" in not_ready.get_json()["checks"][
        "index"]
    load_programs(app, [make_row(1)], tmp_path)
    ready = client.get("/readyz").get_json()
    assert ready == {"status": "ok", "checks": {"database": "ok", "index": "ok"}, "index_lag_s": 0}


def test_readyz_is_503_when_the_index_is_behind(app, tmp_path, monkeypatch):
    load_programs(app, [make_row(1)], tmp_path)
    worker = create_app({**app.config, "INDEX_FOLLOWER": "external", "READY_MAX_LAG": 1.0},
                        instance_path=str(tmp_path / "worker"))
    with database(worker).session_factory() as session:  # saved by a worker; no follower runs
        program = session.scalar(select(Program))
        program.seats_free = 0
        mark_programs_changed(session, [program.id])
        session.commit()
    assert worker.test_client().get("/readyz").status_code == 200  # behind, but only just
    monkeypatch.setattr("navigator.views.common.health.utcnow", lambda: utcnow().replace(year=utcnow().year + 1))
    answer = worker.test_client().get("/readyz")
    assert answer.status_code == 503 and "behind by" in answer.get_json()["checks"]["index"]


def test_readyz_and_pages_say_503_when_the_database_is_down(app, client, tmp_path, monkeypatch):
    load_programs(app, [make_row(1)], tmp_path)

    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("navigator.views.common.health.latest_sequence", unreachable)
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.get_json()["checks"]["database"].startswith("unreachable")
    monkeypatch.setattr("navigator.views.parents.pages.find_program", unreachable)
    page = client.get("/programs/p1")
    assert page.status_code == 503 and "База данных временно недоступна" in page.get_data(as_text=True)


def test_api_limit_counts_across_worker_processes(two_workers):
    first, second = two_workers
    answers = [site.get("/api/v1/openapi.json")[0] for site in (first, second, first, second, first)]
    assert answers == [200] * 5
    status, body = second.get("/api/v1/openapi.json")  # the sixth of five allowed, on the other worker
    assert status == 429 and "NAVIGATOR_API_RATE_LIMIT" in body


def test_failed_log_ins_count_across_worker_processes(two_workers):
    first, second = two_workers

    def fail(site) -> int:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', site.get("/login")[1]).group(1)
        return site.post("/login", {"email": "nobody@example.org", "password": "x", "csrf_token": token})[0]

    assert [fail(first), fail(second), fail(first)] == [401, 401, 401]
    assert fail(second) == 429  # the limit of three held although the failures were spread over two processes


def test_pages_are_served_while_redis_is_down(two_workers, redis_server):
    first, _second = two_workers
    redis_server.stop()
    try:
        assert first.get("/api/v1/openapi.json")[0] == 200  # counted in the process's memory meanwhile
        assert first.get("/login")[0] == 200
    finally:
        redis_server.start()


def test_the_geocoder_budget_is_one_request_a_second_for_every_process(redis_server):
    subprocess.run(["redis-cli", "-p", str(redis_server.port), "flushall"], check=True, capture_output=True)
    workers = [RequestBudget(redis_server.url, 1.0) for _ in range(3)]  # three processes' budgets, one Redis
    granted = sum(budget.take(wait=False) for budget in workers for _ in range(3))
    assert granted == 1
    slept = []
    waiting = RequestBudget(redis_server.url, 1.0, sleep=lambda seconds: (slept.append(seconds), time.sleep(seconds)))
    started = time.monotonic()
    assert waiting.take(wait=True)  # a bulk run waits for its turn
    assert 0.5 <= time.monotonic() - started <= 2.5 and slept


def test_the_geocoder_budget_falls_back_to_the_process_when_redis_is_unreachable():
    budget = RequestBudget(f"redis://127.0.0.1:{free_port()}/0", 1.0)
    assert budget.take(wait=False) and not budget.take(wait=False)
