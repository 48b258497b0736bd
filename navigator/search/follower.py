"""The index follower: the one writer of an index folder, applying the commit outbox in order.

Every node (machine) keeps its own index replica and runs one follower for it: `navigator
index-follow` beside the web workers, a thread in the one-process `navigator run`, or inline after
each commit in tests. The follower reads outbox entries after the sequence recorded in the index,
writes the current database state of the programs they name, and records the new sequence in the
same build. A follower that starts after downtime simply catches up. It rebuilds from the database
instead (atomically: the old build serves meanwhile) when there is no usable index, when the
index's format version is not this code's, when it is further behind than the outbox keeps, or when
a change touches about half the index. Applying an entry twice is harmless (documents are written
from the database as it is now), so a crash between writing and recording loses nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from navigator.catalogue.changes import (
    entries_after,
    holds_everything_after,
    latest_sequence,
    oldest_sequence,
    prune,
)
from navigator.catalogue.models import utcnow
from navigator.search.index import (
    FORMAT_VERSION,
    IndexUnavailable,
    follower_lock,
    open_live,
    read_state,
    rebuild,
    remove_unfinished_builds,
    running_lock,
    write_changes,
)

log = logging.getLogger(__name__)

#: Entries read per step: bounded memory however far behind the follower is.
ENTRIES_PER_STEP = 500
#: A step that changes more programs than this is written by a full rebuild when it also touches
#: about half the index or more (docs/performance.md): below it, updating is always quick enough.
REBUILD_ABOVE = 5_000
#: Outbox entries older than this are deleted by the follower; a replica further behind rebuilds.
KEEP_OUTBOX = dt.timedelta(days=7)
PRUNE_EVERY_S = 3600.0


@dataclass
class FollowResult:
    """What one pass did, in words for the command line."""

    sequence: int
    applied: int = 0
    programs: int = 0
    rebuilt: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.rebuilt is not None:
            return f"Rebuilt the index ({self.reason}): {self.rebuilt} programs, up to change {self.sequence}."
        if self.applied:
            return f"Applied {self.applied} change(s) of {self.programs} program(s), up to change {self.sequence}."
        return f"The index is up to date (change {self.sequence})."


class IndexFollower:
    def __init__(self, index_dir: Path, session_factory: Callable[[], Session]):
        self.index_dir = Path(index_dir)
        self.session_factory = session_factory
        self._pruned_at = 0.0

    def running_elsewhere(self) -> bool:
        """Whether a long-running follower (`navigator index-follow`, a site's thread) serves this folder."""
        try:
            with running_lock(self.index_dir) as alone:
                return not alone
        except OSError:
            return False

    def follow_once(self, progress: Callable[[Iterable], Iterable] | None = None,
                    wait: bool = True) -> FollowResult | None:
        """Apply everything pending (or rebuild); None when another follower holds the folder and wait is off."""
        with follower_lock(self.index_dir, wait=wait) as held:
            if not held:
                return None
            # A writer killed mid-rebuild (kill -9, a crash) leaves its half-written build: no build runs now.
            remove_unfinished_builds(self.index_dir)
            return self._catch_up(progress)

    def rebuild(self, progress: Callable[[Iterable], Iterable] | None = None, reason: str = "asked") -> FollowResult:
        """A full rebuild under the follower lock (waits for a running follower's step to end)."""
        with follower_lock(self.index_dir, wait=True):
            return self._rebuild(progress, reason)

    def _catch_up(self, progress) -> FollowResult:
        reason = self._rebuild_reason()
        if reason:
            return self._rebuild(progress, reason)
        return self._apply_after(read_state(self.index_dir)["sequence"], progress, may_rebuild=True)

    def _apply_after(self, sequence: int, progress, may_rebuild: bool) -> FollowResult:
        result = FollowResult(sequence=sequence)
        while True:
            with self.session_factory() as session:
                entries = entries_after(session, result.sequence, ENTRIES_PER_STEP)
            if not entries:
                break
            ids = set().union(*(programs for _sequence, programs, _created in entries))
            if may_rebuild and self._worth_rebuilding(len(ids)):
                return self._rebuild(progress, f"{len(ids)} programs changed at once")
            write_changes(self.index_dir, self.session_factory, ids, entries[-1][0])
            result.sequence, result.applied, result.programs = (entries[-1][0], result.applied + len(entries),
                                                                result.programs + len(ids))
        self._prune_now_and_then()
        return result

    def _rebuild_reason(self) -> str:
        try:
            state = read_state(self.index_dir)
            open_live(self.index_dir)
        except IndexUnavailable as unavailable:
            return unavailable.problem
        if state.get("format") != FORMAT_VERSION:
            return f"index format {state.get('format')}, this code's is {FORMAT_VERSION}"
        with self.session_factory() as session:
            oldest, latest = oldest_sequence(session), latest_sequence(session)
        if latest < state["sequence"]:
            return f"it is at change {state['sequence']} but the database only at {latest}: made from another database"
        if not holds_everything_after(oldest, state["sequence"]):
            return f"it is at change {state['sequence']}, older than the outbox keeps ({oldest})"
        return ""

    def _rebuild(self, progress, reason: str) -> FollowResult:
        with self.session_factory() as session:
            sequence = latest_sequence(session)  # read before the build reads: later entries are applied after
        log.info("Rebuilding the search index in %s: %s", self.index_dir, reason)
        count = rebuild(self.index_dir, self.session_factory, sequence, progress=progress or (lambda items, **_: items))
        result = self._apply_after(sequence, progress, may_rebuild=False)
        result.rebuilt, result.reason = count, reason
        return result

    def _worth_rebuilding(self, changed: int) -> bool:
        if changed <= REBUILD_ABOVE:
            return False
        return 2 * changed > open_live(self.index_dir).doc_count()

    def _prune_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._pruned_at < PRUNE_EVERY_S:
            return
        self._pruned_at = now
        with self.session_factory() as session:
            removed = prune(session, utcnow() - KEEP_OUTBOX)
            session.commit()
        if removed:
            log.info("Removed %d outbox entries older than %s", removed, KEEP_OUTBOX)

    def run(self, stop: threading.Event, wake: threading.Event | None = None, interval: float = 0.2,
            on_pass: Callable[[FollowResult], None] | None = None) -> bool:
        """Follow until `stop` is set: a pass every `interval` seconds, or at once when `wake` is set.

        Returns False at once when another follower already runs for this folder. Each pass holds the
        writer's lock only while it writes, so `navigator reindex` or `index-follow --once` can take a
        turn. A failed pass (the database restarting, an unusable folder) is logged and retried with a
        growing pause; nothing is lost, the outbox keeps it.
        """
        with running_lock(self.index_dir) as alone:
            if not alone:
                return False
            delay = interval
            while not stop.is_set():
                try:
                    result = self.follow_once()
                    delay = interval
                    if on_pass and result and (result.applied or result.rebuilt is not None):
                        on_pass(result)
                except Exception:
                    log.exception("Index follower pass on %s failed; retrying", self.index_dir)
                    delay = min(max(delay * 2, 1.0), 10.0)
                (wake or stop).wait(delay)
                if wake is not None:
                    wake.clear()
        return True
