"""One long-lived searcher per process, kept fresh, and the hook that keeps the index in step.

Opening a Whoosh searcher costs a few hundred milliseconds at 100,000 programs, so each process keeps
one and refreshes it when the index has changed: at most every FRESHNESS_S, a cheap look at the
`live` link and the index generation. Searches in one process take turns (Whoosh readers are not
safe to share between threads); several worker processes search in parallel.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.orm import Session

from navigator.search.columns import Columns
from navigator.search.index import IndexUnavailable, apply_changes, live_path, open_live, rebuild
from navigator.search.text import Synonyms

FRESHNESS_S = 0.5
#: Above this many changed programs (a large import) a full rebuild is faster than updating one by one.
REBUILD_ABOVE = 20_000


class SearchIndex:
    def __init__(self, index_dir: Path, session_factory: Callable[[], Session], synonyms: Synonyms):
        self.index_dir = Path(index_dir)
        self.session_factory = session_factory
        self.synonyms = synonyms
        self._lock = threading.RLock()
        self._target: str | None = None
        self._searcher = None
        self._columns: Columns | None = None
        self._segment_cache: dict = {}
        self._checked_at = 0.0

    @contextlib.contextmanager
    def reading(self):
        """(searcher, columns) of a fresh-enough view of the index, for one search."""
        with self._lock:
            self._refresh_if_stale()
            yield self._searcher, self._columns

    def _refresh_if_stale(self) -> None:
        now = time.monotonic()
        if self._searcher is not None and now - self._checked_at < FRESHNESS_S:
            return
        self._checked_at = now
        link = live_path(self.index_dir)
        target = os.readlink(link) if link.is_symlink() else None
        if target is None:
            self._close()
            raise IndexUnavailable(f"No search index in {self.index_dir}: run `navigator reindex`.")
        if target != self._target:
            self._close()
            self._searcher = open_live(self.index_dir).searcher()
            self._target = target
        elif not self._searcher.up_to_date():
            self._searcher = self._searcher.refresh()
        else:
            return
        self._columns = Columns(self._searcher, self._segment_cache)

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher, self._columns, self._target = None, None, None
        self._segment_cache.clear()

    def changed(self, program_ids: Iterable[int]) -> None:
        """Write committed changes to the index (called after commit); the next search sees them."""
        if not live_path(self.index_dir).exists():
            return  # nothing to update: `navigator reindex` will build from the database
        program_ids = set(program_ids)
        if len(program_ids) > REBUILD_ABOVE:
            rebuild(self.index_dir, self.session_factory)
        else:
            apply_changes(self.index_dir, self.session_factory, program_ids)
        self._checked_at = 0.0

    def close(self) -> None:
        with self._lock:
            self._close()
