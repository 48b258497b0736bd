"""The database and the search index bound to a Flask app: one engine per app, one session per request or
CLI context, one searcher per process, and the follower that keeps the index in step with the outbox."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from navigator.catalogue.changes import record_changes, subscribe
from navigator.coverage import CoverageService, gap_points, load_population
from navigator.coverage.maps import Boundaries
from navigator.db import make_engine, make_session_factory, open_reading_session, reading_bind
from navigator.geocoding.region import load_region
from navigator.search import SearchIndex, Synonyms
from navigator.search.follower import IndexFollower

_EXTENSION = "navigator.database"
_SEARCH_EXTENSION = "navigator.search"
_FOLLOWER_EXTENSION = "navigator.index_follower"
_THREAD_EXTENSION = "navigator.follower_thread"
_COVERAGE_EXTENSION = "navigator.coverage"
#: The pooled connection a session's transaction holds, to close should closing the session fail.
_HELD = "navigator.held_connection"

log = logging.getLogger(__name__)


@dataclass
class Database:
    engine: Engine
    session_factory: sessionmaker[Session]
    reading_bind: Engine | None = None


def init_database(app: Flask) -> Database:
    engine = make_engine(app.config["DATABASE_URL"])
    database = Database(engine, make_session_factory(engine), reading_bind(engine))
    record_changes(database.session_factory)  # every commit that changes programs writes the outbox
    event.listen(database.session_factory, "after_begin",
                 lambda session, _transaction, connection: session.info.__setitem__(_HELD, connection.connection))
    app.extensions[_EXTENSION] = database
    app.teardown_appcontext(_close_session)
    return database


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[_EXTENSION]


def db_session() -> Session:
    """The session of the current app context, opened on first use and closed at teardown; a GET's reads go
    outside a transaction until it writes (navigator.db.open_reading_session)."""
    if "db_session" not in g:
        found = database()
        g.db_session = (open_reading_session(found.session_factory, found.reading_bind)
                        if has_request_context() and request.method in ("GET", "HEAD") else found.session_factory())
    return g.db_session


def _close_session(_error: BaseException | None) -> None:
    """Close the request's session. A connection the database dropped after the answer was made (a server
    stopping terminates its connections) is discarded, not raised: the answer stands, and is not a 500."""
    session = g.pop("db_session", None)
    if session is None:
        return
    pooled = session.info.get(_HELD)
    try:
        session.close()
    except DBAPIError as problem:
        log.warning("Database connection lost while closing a session (%s); discarded", type(problem.orig).__name__)
        if pooled is not None and pooled.dbapi_connection is not None:  # the session has let go of it, unclosed
            pooled.invalidate(problem)  # closed, and its place in the pool given back


def init_search(app: Flask) -> SearchIndex:
    """Give the app its searcher and the follower of its index folder, started as INDEX_FOLLOWER says."""
    synonyms_file = app.config["SYNONYMS_FILE"]
    session_factory = database(app).session_factory
    index = SearchIndex(Path(app.config["INDEX_DIR"]), session_factory,
                        Synonyms.load(Path(synonyms_file) if synonyms_file else None))
    follower = IndexFollower(Path(app.config["INDEX_DIR"]), session_factory)
    app.extensions[_SEARCH_EXTENSION] = index
    app.extensions[_FOLLOWER_EXTENSION] = follower
    mode = app.config["INDEX_FOLLOWER"]
    if mode == "inline":
        subscribe(session_factory, lambda _sequence: _follow_inline(follower, index))
    elif mode == "thread":
        app.extensions[_THREAD_EXTENSION] = _FollowerThread(follower, index, session_factory)
        app.extensions[_THREAD_EXTENSION].start_on_first_request(app)
    return index


def _follow_inline(follower: IndexFollower, index: SearchIndex) -> None:
    """Apply right after the commit; a busy or broken folder is left for a later pass (never raised)."""
    try:
        follower.follow_once(wait=False)
        index.look_again()
    except Exception:
        log.exception("Could not bring the index in %s up to date; it will catch up", follower.index_dir)


class _FollowerThread:
    """The one-process site's follower: a daemon thread started by the first request, woken by each commit."""

    def __init__(self, follower: IndexFollower, index: SearchIndex, session_factory):
        self.follower = follower
        self.index = index
        self.wake = threading.Event()
        self.stop = threading.Event()
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None
        subscribe(session_factory, lambda _sequence: self.wake.set())

    def close(self) -> None:
        self.stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def start_on_first_request(self, app: Flask) -> None:
        app.before_request(self._ensure_running)

    def _ensure_running(self) -> None:
        if self._thread is None:
            with self._started:
                if self._thread is None:
                    self._thread = threading.Thread(target=self.follower.run, args=(self.stop, self.wake),
                                                    kwargs={"on_pass": lambda _result: self.index.look_again()},
                                                    name="index-follower", daemon=True)
                    self._thread.start()


def stop_following(app: Flask) -> None:
    """Stop the app's follower thread, if it has one (tests and embedding code that outlive the app)."""
    thread = app.extensions.get(_THREAD_EXTENSION)
    if thread is not None:
        thread.close()


def index_follower(app: Flask | None = None) -> IndexFollower:
    """The follower of the app's index folder (the only code that writes it)."""
    return (app or current_app).extensions[_FOLLOWER_EXTENSION]


def search_index(app: Flask | None = None) -> SearchIndex:
    """The app's search index (one long-lived searcher per process)."""
    return (app or current_app).extensions[_SEARCH_EXTENSION]


@dataclass
class Coverage:
    """The app's coverage figures (a snapshot renewed when the outbox moves on) and the map's outlines."""

    service: CoverageService
    boundaries: Boundaries


def coverage(app: Flask | None = None) -> Coverage:
    """The app's coverage service and boundaries, made on first use (reading the population file and the
    gazetteer takes a moment that a process serving no coverage page can skip)."""
    app = app or current_app
    if _COVERAGE_EXTENSION not in app.extensions:
        config = app.config
        region = load_region(config["BOUNDARIES_FILE"] or None, config["GAZETTEER_FILE"] or None,
                             config["CITY_DISTRICTS_FILE"] or None)
        service = CoverageService(database(app).session_factory, load_population(config["POPULATION_FILE"]),
                                  gap_points(region.gazetteer))
        app.extensions[_COVERAGE_EXTENSION] = Coverage(service, Boundaries.load(config["MAP_BOUNDARIES_FILE"]))
    return app.extensions[_COVERAGE_EXTENSION]


def coverage_refreshing(app: Flask | None = None) -> bool:
    """Whether the coverage snapshot is being recomputed (False before the first coverage page)."""
    made = (app or current_app).extensions.get(_COVERAGE_EXTENSION)
    return made is not None and made.service.refreshing
