"""The commit outbox: which programs each committed transaction changed, in commit order.

Domain functions mark the programs they change; when the transaction commits, one outbox row with
those ids is written in the same transaction (so a rollback leaves nothing, and a commit cannot lose
its row). Index followers (navigator.search.follower) and the coverage snapshot read the outbox by its
growing sequence number; nothing that follows the outbox runs inside the commit, so a commit never
fails because of the index.

Sequence numbers must grow in commit order, or a follower that has applied entry N could miss an
entry N-1 committed a moment later. SQLite has one writer at a time, so this holds by itself; on
PostgreSQL the writers take a transaction-level advisory lock for the short moment between writing
the row and committing (the rest of the transaction is flushed before the lock is taken).

In-process subscribers (a follower thread to wake, the inline follower of tests) are told the new
sequence after commit; their failures are logged, never raised into the committing code.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from navigator.catalogue.models import OutboxEntry
from navigator.db import changed_rows

log = logging.getLogger(__name__)

_CHANGED = "navigator.changed_program_ids"
_WRITTEN = "navigator.outbox_written"
_SUBSCRIBERS = "_navigator_outbox_subscribers"
#: Key of the PostgreSQL advisory lock that orders outbox writers (any constant unique to this use).
OUTBOX_LOCK_KEY = 7_201_114
#: How long a process trusts the newest outbox sequence it has read (recent_sequence).
RECHECK_SECONDS = 1.0


def mark_programs_changed(session: Session, program_ids: Iterable[int]) -> None:
    """Remember that these programs changed in the session's current transaction."""
    session.info.setdefault(_CHANGED, set()).update(program_ids)


def record_changes(session_factory: sessionmaker) -> None:
    """Make every commit of the factory's sessions write its changed program ids to the outbox."""
    if hasattr(session_factory, _SUBSCRIBERS):
        return
    setattr(session_factory, _SUBSCRIBERS, [])

    @event.listens_for(session_factory, "before_commit")
    def _write_entry(session: Session) -> None:
        changed = session.info.pop(_CHANGED, None)
        if not changed:
            return
        session.flush()  # everything else first: the ordering lock is then held only until the commit
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": OUTBOX_LOCK_KEY})
        sequence = session.execute(insert(OutboxEntry).values(
            program_ids=" ".join(str(i) for i in sorted(changed)), count=len(changed),
        ).returning(OutboxEntry.sequence)).scalar_one()
        session.info[_WRITTEN] = sequence

    @event.listens_for(session_factory, "after_commit")
    def _committed(session: Session) -> None:
        sequence = session.info.pop(_WRITTEN, None)
        if sequence is None:
            return
        _committed_here(session, sequence)
        for subscriber in list(getattr(session_factory, _SUBSCRIBERS)):
            try:
                subscriber(sequence)
            except Exception:  # a subscriber's failure must never look like a failed commit
                log.exception("A follower of the outbox failed after commit %s; it will catch up later", sequence)

    @event.listens_for(session_factory, "after_rollback")
    def _rolled_back(session: Session) -> None:
        session.info.pop(_CHANGED, None)
        session.info.pop(_WRITTEN, None)


def subscribe(session_factory: sessionmaker, subscriber: Callable[[int], None]) -> None:
    """Call subscriber with the outbox sequence after each commit (in this process) that wrote one."""
    record_changes(session_factory)
    getattr(session_factory, _SUBSCRIBERS).append(subscriber)


def latest_sequence(session: Session) -> int:
    """The newest outbox sequence (0 when nothing was ever recorded)."""
    return session.execute(select(func.max(OutboxEntry.sequence))).scalar() or 0


_recent: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # pool: (sequence, monotonic time read)
_recent_lock = threading.Lock()
_clock = time.monotonic


def recent_sequence(session: Session) -> int:
    """The newest outbox sequence as this process read it at most RECHECK_SECONDS ago.

    Every public page asks for it (its ETag, the place names, the coverage figures); read each time, it was
    one of a page's two round trips. This process's own commits move it at once; another process's show
    within the interval, about as soon as the search index shows them. Kept per connection pool, that is
    per database. Not for loops that wait for new entries: they need latest_sequence.
    """
    pool = _pool(session)
    now = _clock()
    seen = _recent.get(pool)
    if seen is not None and now - seen[1] < RECHECK_SECONDS:
        return seen[0]
    sequence = latest_sequence(session)
    with _recent_lock:
        _recent[pool] = (sequence, now)
    return sequence


def _pool(session: Session):
    """The connection pool behind a session, whether it is bound to an engine or to a connection."""
    bind = session.get_bind()
    return bind.pool if hasattr(bind, "pool") else bind.engine.pool


def _committed_here(session: Session, sequence: int) -> None:
    """This process's commit: recent_sequence knows it at once, and still reads again when its time is up."""
    pool = _pool(session)
    with _recent_lock:
        seen = _recent.get(pool)
        _recent[pool] = (max(sequence, seen[0]), seen[1]) if seen is not None else (sequence, float("-inf"))


def oldest_sequence(session: Session) -> int | None:
    """The oldest outbox sequence still kept (None when the outbox is empty)."""
    return session.execute(select(func.min(OutboxEntry.sequence))).scalar()


def holds_everything_after(oldest: int | None, sequence: int) -> bool:
    """Whether an outbox whose oldest kept entry is `oldest` still holds every entry after `sequence` (a reader
    further behind than the pruning must read the catalogue whole: an index rebuild, a coverage reload)."""
    return oldest is None or sequence >= oldest - 1


def entries_after(session: Session, sequence: int, limit: int) -> list[tuple[int, set[int], object]]:
    """(sequence, program ids, created_at) of up to `limit` entries after `sequence`, oldest first."""
    rows = session.execute(select(OutboxEntry.sequence, OutboxEntry.program_ids, OutboxEntry.created_at)
                           .where(OutboxEntry.sequence > sequence).order_by(OutboxEntry.sequence).limit(limit))
    return [(number, {int(i) for i in ids.split()}, created) for number, ids, created in rows]


def pending_since(session: Session, sequence: int):
    """created_at of the oldest entry after `sequence` (how long a follower has been behind), or None."""
    return session.execute(select(func.min(OutboxEntry.created_at))
                           .where(OutboxEntry.sequence > sequence)).scalar()


def prune(session: Session, before) -> int:
    """Delete entries created before `before`, always keeping the newest (followers further behind rebuild).

    The newest stays so that sequences keep growing: SQLite would otherwise hand out numbers again.
    """
    newest = latest_sequence(session)
    return changed_rows(session, OutboxEntry.__table__.delete()
                        .where(OutboxEntry.created_at < before, OutboxEntry.sequence < newest))
