"""How long personal data stays: erased a set number of days after the final state; keys rotated in place.

`navigator purge-applications` runs purge() (daily, from cron or a systemd timer: docs/enrollment.md).
The rows stay, without any personal field, so the counts per organization and municipality survive.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from navigator.catalogue.models import utcnow
from navigator.enrollment.models import FINAL_STATES, Application
from navigator.enrollment.queue import erase
from navigator.enrollment.sealing import Sealer


def purge(session: Session, older_than_days: int, now: dt.datetime | None = None) -> int:
    """Erase the personal fields of applications final for more than `older_than_days`; return how many."""
    before = (now or utcnow()) - dt.timedelta(days=older_than_days)
    due = session.scalars(select(Application).where(Application.state.in_(FINAL_STATES),
                                                    Application.final_at <= before,
                                                    Application.erased_at.is_(None))).all()
    for application in due:
        erase(application)
    return len(due)


def reseal_all(session: Session, sealer: Sealer) -> int:
    """Seal every stored record again with the first configured key (the last step of a key rotation)."""
    sealed = session.scalars(select(Application).where(Application.personal.is_not(None))).all()
    for application in sealed:
        if application.personal is not None:  # always, by the query; said again for the type checker
            application.personal = sealer.reseal(application.personal)
    return len(sealed)
