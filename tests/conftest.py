"""Fixtures: a fresh app per test on a temporary SQLite file or a database of a throw-away PostgreSQL."""

from __future__ import annotations

import itertools
import os

import pytest
from sqlalchemy import create_engine, text

from navigator import create_app, migrations
from navigator.catalogue import changes
from navigator.db import make_engine
from navigator.extensions import database
from tests.postgres import Cluster, ClusterUnavailable

_database_numbers = itertools.count()


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch):
    """Settings from the developer's shell must not reach the tests."""
    for name in list(os.environ):
        if name.startswith("NAVIGATOR_"):
            monkeypatch.delenv(name)
    # The index follows each commit at once, in the committing process: tests read their writes.
    monkeypatch.setenv("NAVIGATOR_INDEX_FOLLOWER", "inline")


@pytest.fixture(scope="session")
def postgres_cluster():
    """A migrated template database in a cluster that lives for the whole test session."""
    try:
        cluster = Cluster().start()
    except ClusterUnavailable as problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {problem}")
        pytest.skip(f"PostgreSQL unavailable: {problem}")
    try:
        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE navigator_template"))
        template_engine = make_engine(cluster.url("navigator_template"))
        migrations.upgrade(template_engine)
        template_engine.dispose()
        yield cluster, admin
        admin.dispose()
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request, tmp_path):
    """The URL of an empty, migrated database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'navigator.db'}"
        return
    cluster, admin = request.getfixturevalue("postgres_cluster")
    name = f"navigator_test_{next(_database_numbers)}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE navigator_template"))
    yield cluster.url(name)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))


@pytest.fixture
def app(database_url, tmp_path):
    """A fresh application on its own database and index folder, schema at the latest revision."""
    application = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "INDEX_DIR": str(tmp_path / "index"),
        "SECRET_KEY": "test-secret",
    }, instance_path=str(tmp_path / "instance"))
    migrations.upgrade(database(application).engine)
    yield application
    database(application).engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def provider(app, client, tmp_path):
    """A client signed in as the provider of organization A, in the seeded catalogue (tests/cabinet.py)."""
    from tests.cabinet import add_account, log_in, seed_catalogue

    seed_catalogue(app, tmp_path)
    add_account(app, "school@example.org", "provider", organizations=["oA"])
    log_in(client, "school@example.org")
    return client


@pytest.fixture
def session(app):
    """A session on the app's database, closed after the test."""
    db = database(app).session_factory()
    yield db
    db.close()


class _Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sequence_clock(monkeypatch):
    """The clock by which a process decides to read the outbox sequence again: tests move it on by hand."""
    ticking = _Clock()
    monkeypatch.setattr(changes, "_clock", ticking)
    return ticking


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
