"""Fixtures: a fresh app per test on a temporary SQLite file or a database of a throw-away PostgreSQL."""

from __future__ import annotations

import itertools
import os
import shutil

import pytest
from argon2 import PasswordHasher
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text

from navigator import create_app, migrations
from navigator.accounts import registry as accounts
from navigator.catalogue import changes
from navigator.db import make_engine
from navigator.extensions import database
from tests.cabinet import add_account, log_in, seed_catalogue
from tests.postgres import Cluster, ClusterUnavailable
from tests.processes import Redis
from tests.public_catalogue import catalog_rows, load

_database_numbers = itertools.count()

#: Tests that start processes or servers, wait for real time or measure it: marked `slow`, so that `make check`
#: can leave them out (-m "not slow"); `make test` runs them. A file name alone marks the whole file.
SLOW_TESTS: dict[str, set[str] | None] = {
    "test_fuzzing.py": None,  # schemathesis over every API operation: about two minutes
    "test_bench_scripts.py": None,  # each benchmark script started in a process of its own
    "test_dependencies.py": None,  # pip-audit asks PyPI's advisory data
    "test_live_server.py": None,  # a served socket hung up on, five times
    "test_serving.py": {  # gunicorn workers and a redis-server of their own
        "test_api_limit_counts_across_worker_processes", "test_failed_log_ins_count_across_worker_processes",
        "test_pages_are_served_while_redis_is_down",
        "test_the_geocoder_budget_is_one_request_a_second_for_every_process",
    },
    "test_search_index.py": {  # followers and web workers in processes of their own
        "test_two_nodes_follow_one_database_and_a_stopped_node_catches_up",
        "test_web_workers_of_an_external_follower_only_read",
        "test_another_process_sees_a_committed_change_within_a_second",
    },
    "test_security.py": {  # compares two timings: unreliable beside a parallel worker
        "test_an_xlsx_list_takes_time_in_proportion_to_its_rows",
    },
    "test_geocoding.py": {  # the geocoder's real pauses: rate limit, retries, backoff
        "test_a_bad_answer_falls_back_to_the_gazetteer", "test_retries_recover_and_wait_as_the_server_asks",
        "test_the_default_rate_limit_keeps_requests_a_second_apart",
        "test_a_failure_is_remembered_and_retried_only_with_retry_failed",
    },
}


def pytest_collection_modifyitems(items):
    """Mark SLOW_TESTS `slow` (one list, so that marking a test needs no change to its file)."""
    for item in items:
        names = SLOW_TESTS.get(item.path.name, set())
        if names is None or getattr(item, "originalname", item.name) in names:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch):
    """argon2id with small costs, so that tests can make many accounts (a hash takes 0.5 s at the real costs here).

    Verifying reads the costs from the stored hash, so accounts made with either hasher sign in; the
    production costs are checked by test_auth.py's test_passwords_are_argon2id_with_current_parameters.
    """
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file migrated once for the session: each test copies it (migrating took 0.3 s a test)."""
    path = tmp_path_factory.mktemp("template") / "navigator.db"
    engine = make_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    engine.dispose()  # the last connection closed: the write-ahead log is folded into the file
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request, tmp_path):
    """The URL of an empty, migrated database on each backend (`-m "not postgresql"`: SQLite only)."""
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "navigator.db")
        yield f"sqlite:///{tmp_path / 'navigator.db'}"
        return
    cluster, admin = request.getfixturevalue("postgres_cluster")
    name = f"navigator_test_{next(_database_numbers)}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE navigator_template"))
    yield cluster.url(name)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once for the session and shared by every test's app (each app compiled them anew:
    a fifth of a page test's time). A template's key includes its source's checksum: an edit is compiled."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_compiled_templates = _CompiledTemplates()


@pytest.fixture
def app(database_url, tmp_path):
    """A fresh application on its own database (migrated: see database_url) and index folder."""
    application = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "INDEX_DIR": str(tmp_path / "index"),
        "SECRET_KEY": "test-secret",
    }, instance_path=str(tmp_path / "instance"))
    application.jinja_env.bytecode_cache = _compiled_templates
    yield application
    database(application).engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def catalog(app, tmp_path):
    """The app with the public pages' small catalogue (tests/public_catalogue.py) imported and indexed."""
    load(app, tmp_path, catalog_rows())
    return app


@pytest.fixture
def provider(app, client, tmp_path):
    """A client signed in as the provider of organization A, in the seeded catalogue (tests/cabinet.py)."""
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


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real redis-server for the session (the limits shared by several processes, as `make serve` runs them)."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is required in CI (scripts/install-test-dependencies.sh installs it)")
        pytest.skip("redis-server is not installed")
    server = Redis(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


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
