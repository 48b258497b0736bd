"""schema.org descriptions (JSON-LD) of programs and organizations, for search engines and aggregators."""

from __future__ import annotations

from typing import Any

from navigator.catalogue.models import Organization, Program, Venue
from navigator.catalogue.vocab import ENROLLMENT_KINDS

#: schema.org's courseMode for our formats.
COURSE_MODES = {"in_person": "onsite", "online": "online", "blended": "blended"}


def _without_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def place(venue: Venue) -> dict[str, Any]:
    geo = ({"@type": "GeoCoordinates", "latitude": venue.lat, "longitude": venue.lon}
           if venue.lat is not None else None)
    return _without_empty({"@type": "Place", "address": venue.address, "geo": geo})


def organization_json_ld(organization: Organization, url: str | None = None) -> dict[str, Any]:
    return _without_empty({
        "@context": "https://schema.org", "@type": "EducationalOrganization", "name": organization.name,
        "url": url, "sameAs": organization.website, "telephone": organization.phone, "email": organization.email,
    })


def program_json_ld(program: Program, url: str, organization_url: str) -> dict[str, Any]:
    """A schema.org Course with its provider, audience ages, offers, place and rating."""
    provider = organization_json_ld(program.organization, organization_url)
    provider.pop("@context")
    offers = [_without_empty({"@type": "Offer", "category": ENROLLMENT_KINDS.label(kind), "priceCurrency": "RUB",
                              "price": program.price_rub if kind == "paid" else 0})
              for kind in program.enrollment_kinds]
    rating = None
    if program.rating is not None and program.rating_count:
        rating = {"@type": "AggregateRating", "ratingValue": program.rating, "ratingCount": program.rating_count,
                  "bestRating": 5, "worstRating": 0}
    instance = _without_empty({
        "@type": "CourseInstance", "courseMode": COURSE_MODES.get(program.format),
        "location": place(program.venue),
        "instructor": {"@type": "Person", "name": program.teacher} if program.teacher else None,
    })
    updated = program.source_updated or program.updated_at.date()
    return _without_empty({
        "@context": "https://schema.org", "@type": "Course", "@id": url, "url": url, "name": program.title,
        "description": program.description, "inLanguage": "ru", "about": program.profile,
        "provider": provider, "offers": offers, "hasCourseInstance": instance, "aggregateRating": rating,
        "audience": {"@type": "PeopleAudience", "suggestedMinAge": program.age_min,
                     "suggestedMaxAge": program.age_max},
        "isAccessibleForFree": "free" in program.enrollment_kinds, "dateModified": updated.isoformat(),
    })
