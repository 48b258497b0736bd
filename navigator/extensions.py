"""The database bound to a Flask app: one engine per app, one session per request or CLI context."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from navigator.catalogue.changes import follow_commits
from navigator.coverage import CoverageService, gap_points, load_population
from navigator.coverage.maps import Boundaries
from navigator.db import make_engine, make_session_factory
from navigator.geocoding.region import load_region
from navigator.search import SearchIndex, Synonyms

_EXTENSION = "navigator.database"
_SEARCH_EXTENSION = "navigator.search"
_COVERAGE_EXTENSION = "navigator.coverage"


@dataclass
class Database:
    engine: Engine
    session_factory: sessionmaker[Session]


def init_database(app: Flask) -> Database:
    database = Database(engine := make_engine(app.config["DATABASE_URL"]), make_session_factory(engine))
    app.extensions[_EXTENSION] = database
    app.teardown_appcontext(_close_session)
    return database


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[_EXTENSION]


def db_session() -> Session:
    """The session of the current app context, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = database().session_factory()
    return g.db_session


def _close_session(_error: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def init_search(app: Flask) -> SearchIndex:
    """Give the app its search index and make every commit that changes programs update it."""
    synonyms_file = app.config["SYNONYMS_FILE"]
    index = SearchIndex(Path(app.config["INDEX_DIR"]), database(app).session_factory,
                        Synonyms.load(Path(synonyms_file) if synonyms_file else None))
    app.extensions[_SEARCH_EXTENSION] = index
    follow_commits(database(app).session_factory, index.changed)
    return index


def search_index(app: Flask | None = None) -> SearchIndex:
    """The app's search index (one long-lived searcher per process)."""
    return (app or current_app).extensions[_SEARCH_EXTENSION]


@dataclass
class Coverage:
    """The app's coverage figures (a snapshot dropped after every change) and the map's municipality outlines."""

    service: CoverageService
    boundaries: Boundaries


def init_coverage(app: Flask) -> None:
    """Drop the coverage snapshot after every commit that changed programs; the service itself is made on first
    use (reading the population file and the gazetteer takes a moment a site without coverage pages can skip)."""

    def changed(program_ids: set[int]) -> None:
        made = app.extensions.get(_COVERAGE_EXTENSION)
        if made is not None:  # nothing to drop before the first coverage page
            made.service.changed(program_ids)

    follow_commits(database(app).session_factory, changed)


def coverage(app: Flask | None = None) -> Coverage:
    """The app's coverage service and boundaries, made on first use."""
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
