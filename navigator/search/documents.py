"""What the index holds for each program: searchable text and one compact row of filter values.

The row is read back into numpy columns (navigator.search.columns), so filters, facets, sorting and
distances are computed over arrays rather than by extra Whoosh queries.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from navigator.catalogue.models import District, Organization, Program, ProgramEnrollment, ProgramOvz, Venue
from navigator.catalogue.vocab import DIRECTIONS, ENROLLMENT_KINDS, FORMATS, OVZ_CATEGORIES, fold

BATCH = 5000


def bitmask(codes: Iterable[str], order: tuple[str, ...]) -> int:
    return sum(1 << order.index(code) for code in codes)


@dataclass(frozen=True)
class FilterRow:
    """Filter and sort values of one program, stored in the index next to its text."""

    program_id: int
    public_id: str
    title: str
    organization_name: str
    organization_id: int
    direction: int          # index in DIRECTIONS
    format: int             # index in FORMATS
    enrollment: int         # bit mask over ENROLLMENT_KINDS
    ovz: int                # bit mask over OVZ_CATEGORIES
    municipality_id: int
    district_id: int        # 0 when the venue has no district
    profile: str            # folded, '' when none
    age_min: int
    age_max: int
    price: float            # NaN when not paid
    seats_free: int         # -1 when unknown
    rating: float           # NaN when not rated
    updated: float          # POSIX time of the last change
    lat: float              # NaN when the venue has no point
    lon: float


def documents(session: Session, program_ids: Iterable[int] | None = None) -> Iterator[tuple[int, dict | None]]:
    """(program id, Whoosh document) for active programs; (id, None) for ids that must leave the index."""
    ids = None if program_ids is None else sorted(set(program_ids))
    batches = [None] if ids is None else [ids[i:i + BATCH] for i in range(0, len(ids), BATCH)]
    for batch in batches:
        found = set()
        for program_id, document in _active_documents(session, batch):
            found.add(program_id)
            yield program_id, document
        for program_id in set(batch or ()) - found:
            yield program_id, None


def active_count(session: Session) -> int:
    """How many programs a full build indexes."""
    return session.execute(select(func.count()).select_from(Program).where(Program.status == "active")).scalar_one()


def _active_documents(session: Session, ids: list[int] | None) -> Iterator[tuple[int, dict]]:
    statement = (
        select(Program.id, Program.public_id, Program.title, Program.profile, Program.description,
               Program.teacher, Program.direction, Program.format, Program.age_min, Program.age_max,
               Program.price_rub, Program.seats_free, Program.rating, Program.updated_at,
               Program.organization_id, Organization.name.label("organization_name"), Venue.municipality_id,
               Venue.district_id, Venue.lat, Venue.lon, Venue.address, District.name.label("district_name"))
        .join(Organization, Program.organization_id == Organization.id)
        .join(Venue, Program.venue_id == Venue.id)
        .outerjoin(District, Venue.district_id == District.id)
        .where(Program.status == "active")
        .execution_options(yield_per=BATCH)
    )
    if ids is not None:
        statement = statement.where(Program.id.in_(ids))
    enrollments = _codes(session, ProgramEnrollment.kind, ids)
    ovz = _codes(session, ProgramOvz.category, ids)
    result = session.execute(statement)
    try:
        yield from (_document(program, enrollments, ovz) for program in result)
    finally:
        result.close()  # a server-side cursor on PostgreSQL must not outlive an interrupted build


def _document(program, enrollments: dict[int, list[str]], ovz: dict[int, list[str]]) -> tuple[int, dict]:
    row = FilterRow(
        program_id=program.id, public_id=program.public_id, title=program.title,
        organization_name=program.organization_name, organization_id=program.organization_id,
        direction=DIRECTIONS.codes.index(program.direction), format=FORMATS.codes.index(program.format),
        enrollment=bitmask(enrollments.get(program.id, ()), ENROLLMENT_KINDS.codes),
        ovz=bitmask(ovz.get(program.id, ()), OVZ_CATEGORIES.codes),
        municipality_id=program.municipality_id, district_id=program.district_id or 0,
        profile=fold(program.profile or ""), age_min=program.age_min, age_max=program.age_max,
        price=_or_nan(program.price_rub),
        seats_free=program.seats_free if program.seats_free is not None else -1,
        rating=_or_nan(program.rating),
        updated=program.updated_at.timestamp(),
        lat=_or_nan(program.lat), lon=_or_nan(program.lon))
    heading = " ".join(filter(None, [program.title, program.profile]))
    body = " ".join(filter(None, [program.description, program.organization_name, program.teacher,
                                  program.address, program.district_name]))
    return program.id, {
        "id": str(program.id),
        "heading": heading,
        "body": body,
        "spelling": f"{heading} {body}",
        "row": tuple(row.__dict__.values()),
    }


def _or_nan(value) -> float:
    return math.nan if value is None else float(value)


def _codes(session: Session, column, ids: list[int] | None) -> dict[int, list[str]]:
    owner = column.class_.program_id
    statement = select(owner, column)
    if ids is not None:
        statement = statement.where(owner.in_(ids))
    found = defaultdict(list)
    for program_id, code in session.execute(statement):
        found[program_id].append(code)
    return found
