"""One long-lived searcher per process, kept fresh; web processes only read the index.

Each process keeps one searcher and looks, at most every FRESHNESS_S, whether the index changed: a
cheap look at the `live` link and the index generation. When it has, the process opens a new searcher
on the latest generation and closes the old one. It does not use Whoosh's `Searcher.refresh()`: that
reuses the reader of every segment whose id it already knows, with the deletion list it read back
then, so a program updated or archived by another process (its old document deleted from an existing
segment) stayed findable here. Searches in one process take turns under one lock (Whoosh readers are
not safe to share between threads), which also means no search still holds the old searcher when it
is closed; several worker processes search in parallel. Writing is the follower's
(navigator.search.follower): a searcher never writes, never waits for the writer lock, never forks.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from navigator.search.columns import Columns
from navigator.search.index import FORMAT_VERSION, NO_INDEX, IndexUnavailable, live_path, open_live, read_state
from navigator.search.text import Synonyms, hand_over_corrections

FRESHNESS_S = 0.5


class SearchIndex:
    def __init__(self, index_dir: Path, session_factory: Callable[[], Session], synonyms: Synonyms):
        self.index_dir = Path(index_dir)
        self.session_factory = session_factory
        self.synonyms = synonyms
        self._lock = threading.RLock()
        self._target: str | None = None
        # Whoosh's index and searcher (Whoosh has no type information), None until the first search.
        self._index: Any = None
        self._searcher: Any = None
        self._columns: Columns | None = None
        self._segment_cache: dict = {}
        self._checked_at = 0.0
        # The open searcher holds open files (segments are read unmapped, see open_live): closed when this
        # object goes away without close() — an app a test or a script drops — before the files complain.
        self._open: list = []
        weakref.finalize(self, _close_searchers, self._open)

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
            raise IndexUnavailable(NO_INDEX)
        if target != self._target:
            self._close()
            if (found := read_state(self.index_dir).get("format")) != FORMAT_VERSION:
                raise IndexUnavailable(f"The search index in {self.index_dir} is of format {found}, not "
                                       f"{FORMAT_VERSION}: it is being rebuilt (`navigator index-follow`).")
            self._index = open_live(self.index_dir, mapped=False)  # reopened at every generation: see open_live
            self._target = target
        elif self._searcher.up_to_date():
            return
        searcher = self._index.searcher()  # the latest generation, deletion lists included
        try:
            columns = Columns(searcher, self._segment_cache, self.index_dir / self._target)
        except BaseException:
            searcher.close()
            raise
        old, self._searcher, self._columns = self._searcher, searcher, columns
        self._open[:] = [searcher]
        if old is not None:
            hand_over_corrections(old, searcher)
            old.close()  # safe: every search runs under self._lock, so none is using it

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._open.clear()
        self._index, self._searcher, self._columns, self._target = None, None, None, None
        self._segment_cache.clear()

    def warm(self) -> None:
        """Open the searcher and load the columns now, so that no request pays for it."""
        with self.reading():
            pass

    def look_again(self) -> None:
        """This process's follower wrote the index: the next search opens the new generation at once."""
        self._checked_at = 0.0

    def applied_sequence(self) -> int:
        """The last outbox entry the serving index has taken in."""
        return read_state(self.index_dir)["sequence"]

    def close(self) -> None:
        with self._lock:
            self._close()


def _close_searchers(searchers: list) -> None:
    for searcher in searchers:
        searcher.close()
    searchers.clear()
