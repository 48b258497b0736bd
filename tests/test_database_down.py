"""The database unreachable (restarting, say): a Russian 503 page or a JSON 503 for everyone, never a 500.

tests/faults/ restarts a real PostgreSQL under load; these tests make every new connection fail, the
way a stopped server refuses them, and check what each kind of visitor gets.
"""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event

from navigator.extensions import database
from tests.cabinet import (
    add_account,
    csrf_token,
    log_in,
    seed_catalogue,
)

DOWN = "База данных временно недоступна"


@contextlib.contextmanager
def database_down(app):
    """Every connection attempt is refused, as by a stopped server; the pool's connections are dropped."""
    engine = database(app).engine

    def refuse(*_args):
        raise engine.dialect.loaded_dbapi.OperationalError("connection refused: the server is restarting")

    engine.dispose()
    event.listen(engine, "do_connect", refuse)
    try:
        yield
    finally:
        event.remove(engine, "do_connect", refuse)


@pytest.fixture
def seeded(app, tmp_path):
    seed_catalogue(app, tmp_path)
    return app


def test_visitors_get_the_russian_503_page_and_api_clients_json(seeded, client):
    with database_down(seeded):
        page = client.get("/programs/a1")
        api = client.get("/api/v1/programs?q=шахматы")
    assert page.status_code == 503 and DOWN in page.get_data(as_text=True) and 'lang="ru"' in page.get_data(True)
    assert api.status_code == 503 and api.get_json()["error"]["status"] == 503
    assert client.get("/programs/a1").status_code == 200  # back by itself


def test_a_signed_in_provider_gets_the_503_page_too(seeded, client):
    """The page must not need the database to show who is signed in (that would turn the 503 into a 500)."""
    add_account(seeded, "school@example.org", "provider", organizations=["oA"])
    log_in(client, "school@example.org")
    token = csrf_token(client)
    with database_down(seeded):
        cabinet = client.get("/provider")
        saved = client.post("/provider/programs/a1/quick", data={"csrf_token": token, "seats_total": "10",
                                                                 "seats_free": "3", "schedule": "Пн 10:00"})
    assert cabinet.status_code == 503 and DOWN in cabinet.get_data(as_text=True)
    assert saved.status_code == 503 and DOWN in saved.get_data(as_text=True)
    assert client.get("/provider").status_code == 200


def test_a_connection_dropped_after_the_page_was_made_does_not_turn_it_into_a_500(seeded, client, monkeypatch):
    """PostgreSQL stopping (-m fast) between the view and the end of the request: the page stands."""
    dialect = database(seeded).engine.dialect

    def dropped(_connection):
        raise dialect.loaded_dbapi.OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(dialect, "do_rollback", dropped)
    page = client.get("/programs/a1")
    monkeypatch.undo()
    assert page.status_code == 200 and "Шахматы" in page.get_data(as_text=True)
    assert database(seeded).engine.pool.checkedout() == 0  # the connection was closed, not left to the collector
    assert client.get("/programs/a2").status_code == 200
