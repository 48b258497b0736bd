"""Programs and organizations as plain dicts: the JSON API's items (and anything else that needs them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from navigator.catalogue.models import Organization, Program, Venue
from navigator.search.answer import SearchAnswer


def venue_summary(venue: Venue) -> dict[str, Any]:
    return {
        "address": venue.address,
        "municipality": venue.municipality.name,
        "district": venue.district.name if venue.district else None,
        "lat": venue.lat,
        "lon": venue.lon,
        "precision": venue.precision,
    }


def program_summary(program: Program, url: str, distance_km: float | None = None,
                    with_distance: bool = False) -> dict[str, Any]:
    """The fields of a listing card."""
    item = {
        "id": program.public_id,
        "title": program.title,
        "direction": program.direction,
        "profile": program.profile,
        "age_min": program.age_min,
        "age_max": program.age_max,
        "enrollment": program.enrollment_kinds,
        "price_rub": program.price_rub,
        "seats_free": program.seats_free,
        "rating": program.rating,
        "organization": {"id": program.organization.public_id, "name": program.organization.name},
        "venue": venue_summary(program.venue),
        "url": url,
    }
    if with_distance:
        item["distance_km"] = None if distance_km is None else round(distance_km, 3)
    return item


def program_detail(program: Program, url: str) -> dict[str, Any]:
    """Everything the program page shows."""
    item = program_summary(program, url)
    item.update({
        "description": program.description,
        "status": program.status,
        "format": program.format,
        "ovz": program.ovz_categories,
        "seats_total": program.seats_total,
        "schedule": program.schedule,
        "duration": program.duration,
        "teacher": program.teacher,
        "rating_count": program.rating_count,
        "program_url": program.program_url,
        "updated": (program.source_updated or program.updated_at.date()).isoformat(),
    })
    item["contact"] = program.contact
    item["organization"] = organization_summary(program.organization)
    return item


def organization_summary(organization: Organization) -> dict[str, Any]:
    return {
        "id": organization.public_id,
        "name": organization.name,
        "type": organization.type,
        "phone": organization.phone,
        "email": organization.email,
        "website": organization.website,
    }


def vocabulary_items(vocabulary) -> list[dict[str, str]]:
    return [{"code": term.code, "label": term.label} for term in vocabulary]


def search_document(found: SearchAnswer, program_url: Callable[[str], str]) -> dict[str, Any]:
    """A search answer as `/api/v1/programs` gives it: the page of programs, facets, and what was searched."""
    result, search = found.result, found.search
    near = search.near is not None
    place = found.place.found if found.place else None
    return {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "items": [program_summary(hit.program, program_url(hit.program.public_id), hit.distance_km, near)
                  for hit in result.hits],
        "facets": {name: [facet.__dict__ for facet in values] for name, values in result.facets.items()},
        "query": {
            "searched_for": result.searched_for, "corrected_from": result.corrected_from,
            "suggestion": result.suggestion, "ignored_words": result.ignored_words,
            "place": {"label": place.label, "lat": place.lat, "lon": place.lon, "precision": place.precision}
            if place else None,
            "advice": {"parameter": found.advice.parameter, "label": found.advice.label, "total": found.advice.total}
            if found.advice else None,
        },
    }
