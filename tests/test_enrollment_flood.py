"""Floods of the application form (security finding 4): one fetched form replayed from many addresses, or
many fetched forms sent at once, must neither lock a real parent out nor fill the public queue.

The flood is sent as the security test sent it: 40 client addresses, 8 requests at a time, through the Flask
test client in threads (each request with its own REMOTE_ADDR, which the limits read), with the limits'
counters in memory and in a real Redis. The figures measured before and after the fix are in
docs/enrollment.md («Floods»).
"""

from __future__ import annotations

import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from navigator import create_app
from navigator.accounts.auth import limiter
from navigator.enrollment.models import Application
from navigator.extensions import database
from tests.cabinet import add_account, csrf_token, log_in, seed_catalogue
from tests.enrollment_helpers import apply, parent_form, status_path

SENDERS, AT_ONCE = 40, 8
PARENT_ADDRESS = "203.0.113.77"
BOTH_STORAGES = pytest.mark.parametrize("limits_storage", ["memory", "redis"], indirect=True)


@pytest.fixture
def limits_storage(request):
    """Where the limits count: memory (one process), or a real Redis as `make serve` runs it."""
    if getattr(request, "param", "memory") == "memory":
        return "memory://"
    server = request.getfixturevalue("redis_server")
    subprocess.run(["redis-cli", "-p", str(server.port), "flushall"], check=True, capture_output=True)
    return server.url


@pytest.fixture
def app(database_url, tmp_path, limits_storage):
    """The application, its limits counted in limits_storage."""
    application = create_app({"TESTING": True, "DATABASE_URL": database_url, "INDEX_DIR": str(tmp_path / "index"),
                              "SECRET_KEY": "test-secret", "RATELIMIT_STORAGE_URI": limits_storage},
                             instance_path=str(tmp_path / "instance"))
    assert type(limiter.storage).__name__ == ("MemoryStorage" if limits_storage == "memory://" else "RedisStorage")
    yield application
    database(application).engine.dispose()


@pytest.fixture
def world(app, tmp_path):
    """Programs a1, a2, b1 (a1 has 4 free places) and the provider of a1; the form's checks as in production
    (not TESTING), with no minimum fill time so that the flood needs no waiting."""
    seed_catalogue(app, tmp_path)
    add_account(app, "a@school.example.org", "provider", organizations=["oA"])
    app.testing = False
    app.config["ENROLLMENT_MIN_SECONDS"] = 0
    return app


def _stamp(client, program: str = "a1") -> str:
    shown = client.get(f"/programs/{program}/apply").get_data(as_text=True)
    return re.search(r'name="started" value="([^"]*)"', shown).group(1)


def _bot_form(n: int) -> dict:
    """A different child and phone each time: a duplicate is refused anyway, so a flood varies them."""
    return parent_form(child_name=f"Робот{n}", phone=f"+7 900 100-{n // 100:02d}-{n % 100:02d}",
                       email=f"bot{n}@example.net")


def _send_all(app, forms: list[tuple[str, dict]]) -> list[int]:
    """Post each (session cookie, form) from an address of its own, AT_ONCE at a time; the status codes."""

    def send(numbered):
        n, (cookie, form) = numbered
        client = app.test_client()
        client.set_cookie("session", cookie)
        return client.post("/programs/a1/apply", data=form, environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"}
                           ).status_code

    with ThreadPoolExecutor(AT_ONCE) as pool:
        return list(pool.map(send, enumerate(forms)))


def replay_one_form(app) -> list[int]:
    """One fetched form (its session cookie, CSRF token and stamp) replayed from SENDERS addresses."""
    attacker = app.test_client()
    fetched = {"started": _stamp(attacker), "csrf_token": csrf_token(attacker)}
    cookie = attacker.get_cookie("session").value
    return _send_all(app, [(cookie, {**_bot_form(n), **fetched}) for n in range(SENDERS)])


def send_many_forms(app) -> list[int]:
    """SENDERS forms, each fetched on a session of its own, then all sent at once."""
    forms = []
    for n in range(SENDERS):
        bot = app.test_client()
        form = {**_bot_form(n), "started": _stamp(bot), "csrf_token": csrf_token(bot)}
        forms.append((bot.get_cookie("session").value, form))
    return _send_all(app, forms)


def real_parent(app):
    """A parent from a fresh address opens the form and sends it: (their client, the answer)."""
    parent = app.test_client()
    parent.environ_base["REMOTE_ADDR"] = PARENT_ADDRESS
    return parent, apply(parent, child_name="Настоящая", phone="+7 900 555-55-55", email="mama@example.org")


def waiting(app) -> int:
    return app.test_client().get("/api/v1/programs/a1").get_json()["queue"]["waiting"]


def stored(app) -> list[Application]:
    with database(app).session_factory() as session:
        return session.scalars(select(Application).order_by(Application.id)).all()


@BOTH_STORAGES
def test_one_form_replayed_from_forty_addresses_stores_one_application(world):
    codes = replay_one_form(world)
    assert codes.count(303) == 1 and codes.count(409) == SENDERS - 1, codes  # before the fix: 37 × 303, 3 × 429
    assert len(stored(world)) == 1
    _, answer = real_parent(world)
    assert answer.status_code == 303  # before: 429
    assert waiting(world) == 2  # before: 37


@BOTH_STORAGES
def test_forty_forms_sent_at_once_leave_a_real_parent_able_to_apply_and_the_count_honest(world):
    world.config["ENROLLMENT_LIMIT_PROGRAM"] = "5 per hour"
    codes = send_many_forms(world)
    assert codes == [303] * SENDERS  # nobody is refused for what others sent
    assert waiting(world) == 5  # the pace, counted atomically: not one more under concurrency
    parent, answer = real_parent(world)
    path = status_path(answer)
    assert "подана" in parent.get(path).get_data(as_text=True)
    assert waiting(world) == 5  # beyond the pace: counted once the provider has opened it
    provider = world.test_client()
    assert log_in(provider, "a@school.example.org").status_code == 302
    assert provider.get(f"/provider/applications/{stored(world)[-1].id}").status_code == 200
    assert waiting(world) == 6
    program_page = world.test_client().get("/programs/a1").get_data(as_text=True)
    assert "в очереди 6\u00a0заявок" in program_page and "когда организация их откроет" in program_page


def test_a_form_sent_twice_stores_once_and_the_second_send_gets_the_form_back_filled(world):
    parent = world.test_client()
    form = {**parent_form(), "started": _stamp(parent), "csrf_token": csrf_token(parent)}
    status_path(parent.post("/programs/a1/apply", data=form))
    again = parent.post("/programs/a1/apply", data={**form, "child_name": "Второй"})
    page = again.get_data(as_text=True)
    assert again.status_code == 409 and "эта форма уже была отправлена" in page and 'value="Второй"' in page
    fresh = re.search(r'name="started" value="([^"]*)"', page).group(1)
    assert fresh != form["started"]
    status_path(parent.post("/programs/a1/apply", data={**form, "child_name": "Второй", "started": fresh}))
    assert len(stored(world)) == 2


@pytest.mark.parametrize(("hours_later", "status"), [(0.75, 409), (3, 400)], ids=["stale stamp", "stale CSRF token"])
def test_a_stale_form_gets_a_message_and_a_fresh_stamp_with_the_parents_data_kept(world, monkeypatch, hours_later,
                                                                                   status):
    world.config["ENROLLMENT_FORM_HOURS"] = 0.5  # the CSRF token lasts an hour: three hours later both are stale
    parent = world.test_client()
    form = {**parent_form(), "started": _stamp(parent), "csrf_token": csrf_token(parent)}
    clock = time.time
    monkeypatch.setattr(time, "time", lambda: clock() + hours_later * 3600)
    stale = parent.post("/programs/a1/apply", data=form)
    page = stale.get_data(as_text=True)
    assert stale.status_code == status and "форма была открыта слишком давно" in page
    assert 'value="Проверкина Ольга"' in page and 'value="olga@example.org"' in page
    fresh = {name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1) for name in ("started", "csrf_token")}
    assert fresh["started"] != form["started"] and not stored(world)
    status_path(parent.post("/programs/a1/apply", data={**form, **fresh}))
