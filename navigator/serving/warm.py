"""Load what a worker's first requests would otherwise pay for, before it takes traffic."""

from __future__ import annotations

import logging
import time

from flask import Flask

from navigator.extensions import database, search_index
from navigator.search import IndexUnavailable

log = logging.getLogger(__name__)

#: Pages asked once in-process at start: they compile the templates and the map code each kind of page uses.
WARM_PAGES = ("/", "/search", "/search?q=%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82%D1%8B", "/coverage",
              "/api/v1/programs?per_page=1")


def warm_up(app: Flask) -> float:
    """Open the searcher (search columns), load the coverage snapshot and render each kind of page once.

    A missing index or database is not fatal here: /readyz reports it, and the worker still answers.
    """
    from navigator.extensions import coverage

    started = time.perf_counter()
    with app.app_context():
        try:
            search_index(app).warm()
        except IndexUnavailable as problem:
            log.warning("Search index not ready at worker start: %s", problem)
        try:
            with database(app).session_factory() as session:
                coverage(app).service.snapshot(session)
        except Exception:  # the database may still be starting; the first coverage page loads it then
            log.warning("Coverage snapshot not loaded at worker start", exc_info=True)
    client = app.test_client()
    for path in WARM_PAGES:  # asked for the site's own address: in production other hosts are refused
        client.get(path, base_url=app.config["BASE_URL"] or "http://localhost")
    return time.perf_counter() - started
