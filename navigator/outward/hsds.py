"""The catalogue as Open Referral HSDS 3.0 records: services, organizations, locations and taxonomies.

A program (one program at one venue) is an HSDS *service* with one *service_at_location*; its venue
is a *location* with one *address*; directions, profiles, ОВЗ adaptation and the properties HSDS has
no field for are *attributes* pointing at our taxonomies (navigator.catalogue.hsds_terms); ages are
the service's eligibility ages; each way to enroll is a *cost option*; the schedule text is a
*schedule*'s description. docs/hsds.md has the whole mapping and what is not carried.

Records are plain dicts without empty fields (HSDS types them as strings, not nullable). No personal
data leaves: the teacher's name is not exported; contacts are the organization's own.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from navigator.catalogue.hsds_terms import (
    DIRECTION,
    IDENTIFIER_SCHEME,
    IDENTIFIER_TYPE,
    ORGANIZATION_TYPE,
    OVZ,
    PROFILE,
    PROPERTY,
    SERVICE_PROPERTIES,
    TAXONOMIES,
    Taxonomy,
    code_id,
    fixed_terms,
    record_id,
)
from navigator.catalogue.models import Organization, Program, Venue
from navigator.catalogue.vocab import ENROLLMENT_KINDS, ORGANIZATION_TYPES, OVZ_CATEGORIES
from navigator.geocoding.address import settlement_names

HSDS_VERSION = "3.0.0"
#: Points no coarser than a street are published; a settlement's or municipality's centre would mislead.
PUBLISHED_PRECISIONS = ("building", "street")
COST_NOTES = {"free": "Бюджетное место, бесплатно", "paid": "Платно, цена в рублях в месяц",
              "certificate": "Оплата сертификатом персонифицированного финансирования (ПФДО)"}


@dataclass(frozen=True)
class Place:
    """What the address records say about the region as a whole (settings, so another region changes no code)."""

    state_province: str
    country: str

    @classmethod
    def from_settings(cls, config) -> Place:
        return cls(config["HSDS_STATE_PROVINCE"], config["HSDS_COUNTRY"])


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if value is not None and value != [] and value != ""}


def taxonomy_record(taxonomy: Taxonomy) -> dict[str, Any]:
    return {"id": taxonomy.id, "name": taxonomy.name, "description": taxonomy.description, "version": "1"}


def term_record(taxonomy: Taxonomy, code: str, name: str, description: str) -> dict[str, Any]:
    """A taxonomy term; `taxonomy` names ours by key, so a single service record is self-explaining."""
    return {"id": taxonomy.term_id(code), "code": code, "name": name, "description": description,
            "taxonomy": taxonomy.key, "taxonomy_id": taxonomy.id, "language": "ru"}


def taxonomy_records() -> list[dict[str, Any]]:
    return [taxonomy_record(taxonomy) for taxonomy in TAXONOMIES]


def taxonomy_term_records(profiles: list[str]) -> list[dict[str, Any]]:
    """Every term: the fixed vocabularies and the properties, then the profiles the catalogue uses."""
    terms = [term_record(*term) for term in fixed_terms()]
    terms += [term_record(PROFILE, name, name, name) for name in sorted(set(profiles))]
    return terms


@functools.cache
def _fixed_terms() -> dict[tuple[str, str], dict[str, Any]]:
    return {(taxonomy.key, code): term_record(taxonomy, code, name, description)
            for taxonomy, code, name, description in fixed_terms()}


def _term(taxonomy: Taxonomy, code: str) -> dict[str, Any]:
    if taxonomy is PROFILE:
        return term_record(PROFILE, code, code, code)
    return dict(_fixed_terms()[(taxonomy.key, code)])


def _attribute(owner_id: str, entity: str, taxonomy: Taxonomy, code: str, value: Any = None) -> dict[str, Any]:
    term = _term(taxonomy, code)
    return _clean({"id": record_id("attribute", owner_id, taxonomy.key, code), "link_id": owner_id,
                   "link_entity": entity, "taxonomy_term_id": term["id"],
                   "value": None if value is None else str(value), "taxonomy_term": term})


def organization_id(organization: Organization) -> str:
    return code_id("organization", organization.public_id)


def service_id(program: Program) -> str:
    return code_id("service", program.public_id)


def location_id(venue: Venue) -> str:
    return record_id("location", organization_id(venue.organization), venue.address)


def organization_record(organization: Organization) -> dict[str, Any]:
    """The organization with its phone and type; its description is its type (we keep no other)."""
    oid = organization_id(organization)
    phones = [{"id": record_id("phone", oid), "organization_id": oid, "number": organization.phone}] \
        if organization.phone else []
    attributes = [_attribute(oid, "organization", ORGANIZATION_TYPE, organization.type)] if organization.type else []
    description = ORGANIZATION_TYPES.label(organization.type) if organization.type else organization.name
    identifiers = [{"id": record_id("organization_identifier", oid), "organization_id": oid,
                    "identifier_scheme": IDENTIFIER_SCHEME, "identifier_type": IDENTIFIER_TYPE,
                    "identifier": organization.public_id}]
    return _clean({"id": oid, "name": organization.name, "description": description, "email": organization.email,
                   "website": organization.website, "phones": phones, "organization_identifiers": identifiers,
                   "attributes": attributes})


def location_record(venue: Venue, place: Place) -> dict[str, Any]:
    """The venue: a physical location with its address and, when it is precise enough, its point."""
    lid = location_id(venue)
    published = venue.lat is not None and venue.precision in PUBLISHED_PRECISIONS
    aid = record_id("address", lid)
    settlements = settlement_names(venue.address)
    address = _clean({
        "id": aid, "location_id": lid, "address_1": venue.address,
        "city": settlements[-1] if settlements else venue.municipality.name,
        "region": venue.municipality.name, "state_province": place.state_province,
        "postal_code": _postcode(venue.address), "country": place.country, "address_type": "physical",
        "attributes": [_attribute(aid, "address", PROPERTY, "district", venue.district.name)] if venue.district else [],
    })
    address.setdefault("postal_code", "")  # required by HSDS even when unknown
    return _clean({"id": lid, "location_type": "physical", "organization_id": organization_id(venue.organization),
                   "name": venue.address, "latitude": venue.lat if published else None,
                   "longitude": venue.lon if published else None, "addresses": [address]})


def _postcode(address: str) -> str | None:
    first = address.split(",", 1)[0].strip()
    return first if len(first) == 6 and first.isdigit() else None


def service_at_location_record(program: Program, place: Place) -> dict[str, Any]:
    sid = service_id(program)
    location = location_record(program.venue, place)
    return {"id": record_id("service_at_location", sid), "service_id": sid, "location_id": location["id"],
            "location": location}


def _cost_options(program: Program, sid: str) -> list[dict[str, Any]]:
    return [_clean({"id": record_id("cost_option", sid, kind), "service_id": sid,
                    "option": ENROLLMENT_KINDS.label(kind), "currency": "RUB",
                    "amount": {"free": 0, "paid": program.price_rub}.get(kind),
                    "amount_description": COST_NOTES[kind]})
            for kind in program.enrollment_kinds]


def _fees(program: Program) -> str:
    parts = [f"Платно, {program.price_rub} ₽ в месяц" if kind == "paid" and program.price_rub is not None
             else ENROLLMENT_KINDS.label(kind) for kind in program.enrollment_kinds]
    return "; ".join(parts)


def _eligibility(program: Program) -> str:
    text = f"Дети от {program.age_min} до {program.age_max} лет."
    if program.ovz_categories:
        categories = ", ".join(OVZ_CATEGORIES.label(code).lower() for code in program.ovz_categories)
        text += f" Программа адаптирована для детей с ОВЗ: {categories}."
    return text


def _service_attributes(program: Program, sid: str) -> list[dict[str, Any]]:
    attributes = [_attribute(sid, "service", DIRECTION, program.direction)]
    if program.profile:
        attributes.append(_attribute(sid, "service", PROFILE, program.profile))
    attributes += [_attribute(sid, "service", OVZ, code) for code in program.ovz_categories]
    values = {code: getattr(program, code, None) for code in SERVICE_PROPERTIES} | {"program_id": program.public_id}
    attributes += [_attribute(sid, "service", PROPERTY, code, value) for code, value in values.items()
                   if value is not None]
    return attributes


def service_record(program: Program, place: Place) -> dict[str, Any]:
    """A program as a fully nested HSDS service (the /hsds/services/{id} answer and the JSON export)."""
    sid = service_id(program)
    schedules = [{"id": record_id("schedule", sid), "service_id": sid, "description": program.schedule}] \
        if program.schedule else []
    return _clean({
        **service_fields(program),
        "organization": organization_record(program.organization),
        "service_at_locations": [service_at_location_record(program, place)],
        "attributes": _service_attributes(program, sid),
        "cost_options": _cost_options(program, sid),
        "schedules": schedules,
    })


def service_fields(program: Program) -> dict[str, Any]:
    """The service's own (one-to-one) fields: what the /hsds/services listing shows."""
    return _clean({
        "id": service_id(program), "organization_id": organization_id(program.organization),
        "name": program.title, "description": program.description, "url": program.program_url,
        "status": "active" if program.status == "active" else "inactive",
        "fees_description": _fees(program), "eligibility_description": _eligibility(program),
        "minimum_age": program.age_min, "maximum_age": program.age_max,
        "assured_date": program.source_updated.isoformat() if program.source_updated else None,
    })
