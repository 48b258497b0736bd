"""Reading programs and organizations for their pages: plain queries on a session, no Flask."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from navigator.catalogue.cards import ProgramCard, organization_cards
from navigator.catalogue.models import Organization, Program, Venue
from navigator.catalogue.vocab import DIRECTIONS

SIMILAR_LIMIT = 6


@dataclass(frozen=True)
class Nearby:
    """A program with its distance from the program being looked at (None when either has no point)."""

    program: ProgramCard
    distance_km: float | None


@dataclass(frozen=True)
class DirectionGroup:
    direction: str
    label: str
    programs: list[ProgramCard]


@dataclass(frozen=True)
class VenuePrograms:
    venue: Venue
    program_count: int


def with_card_fields(statement):
    """Load what a card or a page shows in one query (each a round trip to the database): the many-to-one
    parts and the two short collections joined. Results must be read with .unique() and to the end."""
    return statement.options(
        joinedload(Program.organization),
        joinedload(Program.venue).joinedload(Venue.municipality),
        joinedload(Program.venue).joinedload(Venue.district),
        joinedload(Program.enrollments), joinedload(Program.ovz_adaptations))


#: Built once, not on every program page (building the statement and its options showed in the page's profile).
_PROGRAM_BY_PUBLIC_ID = with_card_fields(select(Program).where(Program.public_id == bindparam("public_id")))


def find_program(session: Session, public_id: str) -> Program | None:
    """The program with this public id, active or archived, with its organization and venue."""
    return session.scalars(_PROGRAM_BY_PUBLIC_ID, {"public_id": public_id}).unique().one_or_none()


def find_organization(session: Session, public_id: str) -> Organization | None:
    return session.scalar(select(Organization).where(Organization.public_id == public_id))


def organization_programs(session: Session, organization: Organization, age: int | None = None) -> list[DirectionGroup]:
    """The organization's current programs (for a child's age, if given), grouped by direction."""
    programs = organization_cards(session, organization.id, age)
    groups = []
    for term in DIRECTIONS:
        members = [p for p in programs if p.direction == term.code]
        if members:
            groups.append(DirectionGroup(term.code, term.label, members))
    return groups


def organization_venues(session: Session, organization: Organization) -> list[VenuePrograms]:
    """The organization's venues that hold current programs, with how many each holds."""
    program_count = func.count(Program.id)
    rows = session.execute(
        select(Venue, program_count).join(Program, and_(Program.venue_id == Venue.id, Program.status == "active"))
        .where(Venue.organization_id == organization.id)
        .group_by(Venue.id).order_by(Venue.address)
        .options(selectinload(Venue.municipality), selectinload(Venue.district))).all()
    return [VenuePrograms(venue, count) for venue, count in rows]


def organization_name(session: Session, public_id: str | None) -> str | None:
    if not public_id:
        return None
    return session.scalar(select(Organization.name).where(Organization.public_id == public_id))

