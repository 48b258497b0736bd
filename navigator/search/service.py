"""One long-lived searcher per process, kept fresh, and the hook that keeps the index in step.

Each process keeps one searcher and looks, at most every FRESHNESS_S, whether the index changed: a
cheap look at the `live` link and the index generation. When it has, the process opens a new searcher
on the latest generation and closes the old one. It does not use Whoosh's `Searcher.refresh()`: that
reuses the reader of every segment whose id it already knows, with the deletion list it read back
then, so a program updated or archived by another process (its old document deleted from an existing
segment) stayed findable here. Searches in one process take turns under one lock (Whoosh readers are
not safe to share between threads), which also means no search still holds the old searcher when it
is closed; several worker processes search in parallel.
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
#: A change of more programs than this (a large import) is written by a full rebuild when it touches
#: about half the index or more: a rebuild indexes every program but in two processes, an update only the
#: changed ones but one by one, each with a deletion — about 2 ms of CPU per program either way
#: (docs/performance.md). Below it, updating is always quick enough.
REBUILD_ABOVE = 5_000


class SearchIndex:
    def __init__(self, index_dir: Path, session_factory: Callable[[], Session], synonyms: Synonyms):
        self.index_dir = Path(index_dir)
        self.session_factory = session_factory
        self.synonyms = synonyms
        self._lock = threading.RLock()
        self._target: str | None = None
        self._index = None
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
            self._index = open_live(self.index_dir)
            self._target = target
        elif self._searcher.up_to_date():
            return
        searcher = self._index.searcher()  # the latest generation, deletion lists included
        try:
            columns = Columns(searcher, self._segment_cache)
        except BaseException:
            searcher.close()
            raise
        old, self._searcher, self._columns = self._searcher, searcher, columns
        if old is not None:
            old.close()  # safe: every search runs under self._lock, so none is using it

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._index, self._searcher, self._columns, self._target = None, None, None, None
        self._segment_cache.clear()

    def changed(self, program_ids: Iterable[int]) -> None:
        """Write committed changes to the index (called after commit); the next search sees them."""
        if not live_path(self.index_dir).exists():
            return  # nothing to update: `navigator reindex` will build from the database
        program_ids = set(program_ids)
        if self._worth_rebuilding(len(program_ids)):
            rebuild(self.index_dir, self.session_factory)
        else:
            apply_changes(self.index_dir, self.session_factory, program_ids)
        self._checked_at = 0.0

    def _worth_rebuilding(self, changed: int) -> bool:
        if changed <= REBUILD_ABOVE:
            return False
        try:
            return 2 * changed > open_live(self.index_dir).doc_count()
        except IndexUnavailable:
            return True  # a damaged index cannot take updates; a rebuild replaces it

    def close(self) -> None:
        with self._lock:
            self._close()
