"""Programs changed in a session's transaction, collected before commit for those who follow it.

Domain functions mark the programs they change; after the transaction commits, listeners (the
search index, the coverage figures) receive the ids. A rollback discards them, so a failed change
leaves no trace. The ids are taken from the session once and handed to every listener of its
factory, so that one listener cannot take them from the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

_KEY = "navigator.changed_program_ids"
#: The factory's listeners are kept on the factory itself, so they live and go with it.
_LISTENERS = "_navigator_commit_listeners"


def mark_programs_changed(session: Session, program_ids: Iterable[int]) -> None:
    """Remember that these programs changed in the session's current transaction."""
    session.info.setdefault(_KEY, set()).update(program_ids)


def follow_commits(session_factory: sessionmaker, listener: Callable[[set[int]], None]) -> None:
    """Call listener with the changed program ids after each commit of the factory's sessions."""
    listeners = getattr(session_factory, _LISTENERS, None)
    if listeners is not None:
        listeners.append(listener)
        return
    listeners = [listener]
    setattr(session_factory, _LISTENERS, listeners)

    @event.listens_for(session_factory, "after_commit")
    def _committed(session: Session) -> None:
        changed = session.info.pop(_KEY, None)
        if changed:
            for each in list(listeners):
                each(changed)

    @event.listens_for(session_factory, "after_rollback")
    def _rolled_back(session: Session) -> None:
        session.info.pop(_KEY, None)
