"""What the /hsds/ API asks of the database: pages of programs and organizations, lookups by HSDS id.

An HSDS id is made from our code (uuid5, navigator.catalogue.hsds_terms.code_id), which cannot be
turned back into the code; so each process keeps, per database, the map from HSDS id to code and
rebuilds it when the programs change (their number or latest change time moves). 100,000 programs
take about 0.2 s to map, once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from navigator.catalogue.changes import latest_sequence
from navigator.catalogue.hsds_terms import DIRECTION, ORGANIZATION_TYPE, OVZ, PROFILE, code_id
from navigator.catalogue.models import Organization, Program, ProgramOvz, Venue
from navigator.catalogue.vocab import DIRECTIONS, ORGANIZATION_TYPES, OVZ_CATEGORIES

_ids: dict[str, tuple[tuple, dict[str, str], dict[str, str]]] = {}


def _program_options():
    return (selectinload(Program.organization), selectinload(Program.venue).selectinload(Venue.municipality),
            selectinload(Program.venue).selectinload(Venue.district),
            selectinload(Program.venue).selectinload(Venue.organization))


def active_programs() -> Select:
    return select(Program).where(Program.status == "active").order_by(Program.public_id).options(
        *_program_options())


def active_organizations() -> Select:
    """Organizations with at least one active program (those the HSDS export describes)."""
    return (select(Organization).where(Organization.id.in_(
        select(Program.organization_id).where(Program.status == "active"))).order_by(Organization.public_id))


def profiles_in_use(session: Session) -> list[str]:
    """The profiles of active programs: the terms of the profile taxonomy."""
    return sorted(session.scalars(select(Program.profile).where(Program.status == "active",
                                                                Program.profile.is_not(None)).distinct()))


def _id_maps(session: Session) -> tuple[dict[str, str], dict[str, str]]:
    """{HSDS service id: program code}, {HSDS organization id: organization code}, rebuilt when programs change
    (the commit outbox's sequence moves with every change, whichever process made it)."""
    key = str(session.get_bind().url)
    signature = latest_sequence(session)
    cached = _ids.get(key)
    if cached is None or cached[0] != signature:
        services = {code_id("service", code): code for code in session.scalars(select(Program.public_id))}
        organizations = {code_id("organization", code): code
                         for code in session.scalars(select(Organization.public_id))}
        cached = _ids[key] = (signature, services, organizations)
    return cached[1], cached[2]


def find_program(session: Session, hsds_id: str) -> Program | None:
    """The active program whose HSDS service id is hsds_id."""
    code = _id_maps(session)[0].get(hsds_id.lower())
    return None if code is None else session.scalar(active_programs().where(Program.public_id == code))


def find_organization(session: Session, hsds_id: str) -> Organization | None:
    code = _id_maps(session)[1].get(hsds_id.lower())
    return None if code is None else session.scalar(active_organizations().where(Organization.public_id == code))


def organization_code(session: Session, hsds_id: str) -> str | None:
    return _id_maps(session)[1].get(hsds_id.lower())


def term_filter(term_id: str | None, taxonomy_id: str | None, profiles: list[str]) -> list[Any] | None:
    """Conditions on programs for a taxonomy term or a taxonomy; None when the id is none of ours."""
    conditions: list[Any] = []
    if term_id:
        condition = _term_condition(term_id, profiles)
        if condition is None:
            return None
        conditions.append(condition)
    if taxonomy_id:
        by_taxonomy = {DIRECTION.id: Program.direction.is_not(None), PROFILE.id: Program.profile.is_not(None),
                       OVZ.id: Program.ovz_adaptations.any(),
                       ORGANIZATION_TYPE.id: Program.organization.has(Organization.type.is_not(None))}
        if taxonomy_id not in by_taxonomy:
            return None
        conditions.append(by_taxonomy[taxonomy_id])
    return conditions


def _term_condition(term_id: str, profiles: list[str]):
    for code in DIRECTIONS.codes:
        if DIRECTION.term_id(code) == term_id:
            return Program.direction == code
    for code in OVZ_CATEGORIES.codes:
        if OVZ.term_id(code) == term_id:
            return Program.ovz_adaptations.any(ProgramOvz.category == code)
    for code in ORGANIZATION_TYPES.codes:
        if ORGANIZATION_TYPE.term_id(code) == term_id:
            return Program.organization.has(Organization.type == code)
    for name in profiles:
        if PROFILE.term_id(name) == term_id:
            return Program.profile == name
    return None


@dataclass(frozen=True)
class Page:
    """One page of a listing in the shape of the HSDS API profile's Page."""

    items: list[Any]
    total: int
    number: int
    per_page: int

    def document(self, contents: list[dict[str, Any]]) -> dict[str, Any]:
        pages = max(1, math.ceil(self.total / self.per_page))
        return {"total_items": self.total, "total_pages": pages, "page_number": self.number,
                "size": len(contents), "first_page": self.number == 1, "last_page": self.number >= pages,
                "empty": not contents, "contents": contents}


def page_of(session: Session, query: Select, number: int, per_page: int) -> Page:
    """The number-th page (from 1) of the query's rows, and how many rows there are in all."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(session.scalars(query.limit(per_page).offset((number - 1) * per_page)))
    return Page(items, total, number, per_page)


def page_of_list(items: list[Any], number: int, per_page: int) -> Page:
    start = (number - 1) * per_page
    return Page(items[start:start + per_page], len(items), number, per_page)
