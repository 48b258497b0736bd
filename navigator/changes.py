"""Programs changed in a session's transaction, collected before commit for those who follow it.

Domain functions mark the programs they change; after the transaction commits, listeners (the
search index) receive the ids. A rollback discards them, so a failed change leaves no trace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

_KEY = "navigator.changed_program_ids"


def mark_programs_changed(session: Session, program_ids: Iterable[int]) -> None:
    """Remember that these programs changed in the session's current transaction."""
    session.info.setdefault(_KEY, set()).update(program_ids)


def follow_commits(session_factory: sessionmaker, listener: Callable[[set[int]], None]) -> None:
    """Call listener with the changed program ids after each commit of the factory's sessions."""

    @event.listens_for(session_factory, "after_commit")
    def _committed(session: Session) -> None:
        changed = session.info.pop(_KEY, None)
        if changed:
            listener(changed)

    @event.listens_for(session_factory, "after_rollback")
    def _rolled_back(session: Session) -> None:
        session.info.pop(_KEY, None)
