"""What municipal staff and the admin see of applications: counts only, and the access log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from navigator.catalogue.models import Municipality, Organization, Program, Venue
from navigator.enrollment.models import Application, ApplicationAccess
from navigator.enrollment.queue import is_overdue


@dataclass
class Counts:
    """Applications of one organization in one municipality (or a total) by what matters to staff."""

    new: int = 0
    overdue: int = 0
    waitlisted: int = 0
    accepted: int = 0
    declined: int = 0
    withdrawn: int = 0
    total: int = 0

    def add(self, state: str, overdue: bool) -> None:
        self.total += 1
        self.overdue += overdue
        if state in ("submitted", "reviewing"):
            self.new += 1
        else:
            setattr(self, state, getattr(self, state) + 1)


@dataclass
class MunicipalityCounts:
    name: str
    total: Counts = field(default_factory=Counts)
    organizations: dict[str, Counts] = field(default_factory=dict)


def municipal_counts(session: Session, municipality_ids: Iterable[int] | None, today: dt.date
                     ) -> list[MunicipalityCounts]:
    """Counts per municipality and organization (of these municipalities; None: all). No names, no contacts."""
    query = (select(Municipality.name, Organization.name, Application.state, Application.answer_by)
             .join(Program, Application.program_id == Program.id).join(Venue, Program.venue_id == Venue.id)
             .join(Municipality, Venue.municipality_id == Municipality.id)
             .join(Organization, Program.organization_id == Organization.id))
    if municipality_ids is not None:
        query = query.where(Venue.municipality_id.in_(list(municipality_ids)))
    found: dict[str, MunicipalityCounts] = {}
    for municipality, organization, state, answer_by in session.execute(query):
        overdue = is_overdue(Application(state=state, answer_by=answer_by), today)
        entry = found.setdefault(municipality, MunicipalityCounts(municipality))
        entry.total.add(state, overdue)
        entry.organizations.setdefault(organization, Counts()).add(state, overdue)
    return [found[name] for name in sorted(found)]


def access_log(session: Session, limit: int = 500) -> list[ApplicationAccess]:
    """The newest views of applications' personal data: who, which application, when."""
    return list(session.scalars(select(ApplicationAccess).order_by(ApplicationAccess.id.desc()).limit(limit)))
