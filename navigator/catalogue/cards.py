"""What a listing card and the API's summary show of a program, read with one plain query (built once, at import).

A search page shows twenty programs. Loading them as ORM objects with their organization, venue, places,
enrollment kinds and ОВЗ cost more CPU than the search itself. Cards are frozen records with the same
attribute names as the models, so the card template and `program_summary` read either one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from navigator.catalogue.models import (
    District,
    Municipality,
    Organization,
    Program,
    ProgramEnrollment,
    ProgramOvz,
    Venue,
)
from navigator.catalogue.vocab import ENROLLMENT_KINDS, OVZ_CATEGORIES


@dataclass(frozen=True)
class PlaceName:
    name: str


@dataclass(frozen=True)
class CardOrganization:
    public_id: str
    name: str


@dataclass(frozen=True)
class CardVenue:
    address: str
    lat: float | None
    lon: float | None
    precision: str
    municipality: PlaceName
    district: PlaceName | None


@dataclass(frozen=True)
class ProgramCard:
    id: int
    public_id: str
    title: str
    direction: str
    profile: str | None
    age_min: int
    age_max: int
    price_rub: int | None
    seats_free: int | None
    rating: float | None
    schedule: str | None
    organization: CardOrganization
    venue: CardVenue
    enrollment_kinds: tuple[str, ...]  # in the vocabulary's order, as Program.enrollment_kinds
    ovz_categories: tuple[str, ...]


def _joined_codes(column, owner):
    """A program's codes from a child table, joined into one string inside the same query."""
    return (select(func.aggregate_strings(column, " ")).where(owner == Program.id)
            .correlate(Program).scalar_subquery())


_CARD_COLUMNS = (
    select(Program.id, Program.public_id, Program.title, Program.direction, Program.profile, Program.age_min,
           Program.age_max, Program.price_rub, Program.seats_free, Program.rating, Program.schedule,
           Organization.public_id, Organization.name, Venue.address, Venue.lat, Venue.lon, Venue.precision,
           Municipality.name, District.name,
           _joined_codes(ProgramEnrollment.kind, ProgramEnrollment.program_id),
           _joined_codes(ProgramOvz.category, ProgramOvz.program_id))
    .join(Organization, Program.organization_id == Organization.id)
    .join(Venue, Program.venue_id == Venue.id)
    .join(Municipality, Venue.municipality_id == Municipality.id)
    .outerjoin(District, Venue.district_id == District.id)
)
_CARDS_BY_ID = _CARD_COLUMNS.where(Program.id.in_(bindparam("ids", expanding=True)))


def _in_order(joined: str | None, codes: tuple[str, ...]) -> tuple[str, ...]:
    present = set(joined.split()) if joined else set()
    return tuple(code for code in codes if code in present)


def load_cards(session: Session, program_ids: list[int]) -> list[ProgramCard]:
    """The cards of these programs, in the given order (ids that no longer exist are left out)."""
    if not program_ids:
        return []
    cards = {card.id: card for card in _cards(session.connection().execute(_CARDS_BY_ID, {"ids": program_ids}))}
    return [cards[i] for i in program_ids if i in cards]


def organization_cards(session: Session, organization_id: int, age: int | None = None) -> list[ProgramCard]:
    """An organization's current programs (for a child's age, if given) by title."""
    statement = _CARD_COLUMNS.where(Program.organization_id == organization_id, Program.status == "active")
    if age is not None:
        statement = statement.where(Program.age_min <= age, Program.age_max >= age)
    return _cards(session.connection().execute(statement.order_by(Program.title, Program.id)))


def _cards(rows) -> list[ProgramCard]:
    return [ProgramCard(
        program_id, public_id, title, direction, profile, age_min, age_max, price_rub, seats_free, rating,
        schedule, CardOrganization(organization_id, organization_name),
        CardVenue(address, lat, lon, precision, PlaceName(municipality),
                  PlaceName(district) if district is not None else None),
        _in_order(enrollments, ENROLLMENT_KINDS.codes), _in_order(ovz, OVZ_CATEGORIES.codes))
        for (program_id, public_id, title, direction, profile, age_min, age_max, price_rub, seats_free, rating,
             schedule, organization_id, organization_name, address, lat, lon, precision, municipality, district,
             enrollments, ovz) in rows]
