"""Give venues points from the chain, committing as it goes so that a stopped run keeps its work.

A provider's or a hand-placed point is never touched. A geocoded point is replaced only by one at
least as exact, so a run with the geocoder off never undoes what an earlier online run found.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from navigator.catalogue.changes import mark_programs_changed
from navigator.catalogue.models import District, Municipality, Program, Venue
from navigator.geocoding.chain import PRECISION_ORDER, Geocoding, Resolution

# Venues resolved offline between two commits; a venue that needed a request is committed at once.
COMMIT_EVERY = 100
GEOCODED_SOURCES = ("nominatim", "gazetteer")

Progress = Callable[..., Iterable]


def no_progress(items, **_options):
    return items


@dataclass
class GeocodeSummary:
    """What a run did: venues by precision and source, and how the online geocoder fared."""

    online_enabled: bool
    venues: int = 0
    changed: int = 0
    requests: int = 0
    by_precision: Counter = field(default_factory=Counter)
    by_source: Counter = field(default_factory=Counter)
    online: Counter = field(default_factory=Counter)

    def add(self, resolution: Resolution) -> None:
        self.venues += 1
        self.by_precision[resolution.precision] += 1
        self.by_source[resolution.source or "no point"] += 1
        self.online[resolution.online] += 1

    def __str__(self) -> str:
        precisions = ", ".join(f"{self.by_precision[p]} {p}" for p in PRECISION_ORDER)
        sources = ", ".join(f"{self.by_source[s]} {s}" for s in (*GEOCODED_SOURCES, "no point"))
        return "\n".join((f"Geocoded {self.venues} venues ({self.changed} got a new point). "
                          f"By precision: {precisions}.", f"By source: {sources}.", self._online_line()))

    def _online_line(self) -> str:
        fell_back = self.online["not_found"] + self.online["failed"] + self.online["known_failure"]
        if not self.online_enabled:
            return (f"Online geocoder off: {self.online['cached']} answered from the cache, "
                    f"the rest from the offline gazetteer.")
        return (f"Online geocoder: {self.requests} requests; {self.online['cached']} answered from the cache, "
                f"{self.online['found']} found, {self.online['not_found']} not found in the region, "
                f"{self.online['failed']} failed, {self.online['known_failure']} failed before "
                f"(--retry-failed asks again); {fell_back} fell back to the gazetteer.")


def geocode_venues(session: Session, geocoding: Geocoding, *, only_missing: bool = False,
                   retry_failed: bool = False, limit: int | None = None,
                   progress: Progress = no_progress) -> GeocodeSummary:
    """Resolve the venues not placed by hand (only those without a point, if asked), in id order."""
    summary = GeocodeSummary(online_enabled=geocoding.online is not None)
    requests_at_start, uncommitted = geocoding.requests, 0
    try:
        for venue in progress(_venues(session, only_missing, limit), desc="Geocoding", unit="venue"):
            requests_before = geocoding.requests
            resolution = geocoding.resolve(session, venue.address, venue.municipality, venue.district,
                                           retry_failed=retry_failed)
            summary.add(resolution)
            if _improves(venue, resolution):
                _place(session, venue.id, resolution)
                summary.changed += 1
            uncommitted += 1
            if uncommitted >= COMMIT_EVERY or geocoding.requests > requests_before:
                session.commit()  # a batch job: an interrupted run keeps what it paid the online geocoder for
                uncommitted = 0
        session.commit()
    except KeyboardInterrupt:
        session.commit()  # keep the venues done so far: the next run starts after them
        raise
    finally:
        summary.requests = geocoding.requests - requests_at_start
    return summary


def _venues(session: Session, only_missing: bool, limit: int | None) -> list:
    statement = (select(Venue.id, Venue.address, Municipality.name.label("municipality"),
                        District.name.label("district"), Venue.lat, Venue.lon, Venue.precision, Venue.point_source)
                 .join(Municipality, Venue.municipality_id == Municipality.id)
                 .outerjoin(District, Venue.district_id == District.id)
                 .where(Venue.point_source.is_(None) | Venue.point_source.in_(GEOCODED_SOURCES))
                 .order_by(Venue.id).limit(limit))
    if only_missing:
        statement = statement.where(Venue.lat.is_(None))
    return session.execute(statement).all()


def _improves(venue, resolution: Resolution) -> bool:
    if not resolution.has_point:
        return False
    if venue.lat is None:
        return True
    unchanged = (venue.lat, venue.lon, venue.precision, venue.point_source) == (
        resolution.lat, resolution.lon, resolution.precision, resolution.source)
    return not unchanged and PRECISION_ORDER.index(resolution.precision) <= PRECISION_ORDER.index(venue.precision)


def _place(session: Session, venue_id: int, resolution: Resolution) -> None:
    session.execute(update(Venue).where(Venue.id == venue_id).values(
        lat=resolution.lat, lon=resolution.lon, precision=resolution.precision, point_source=resolution.source))
    mark_programs_changed(session, session.scalars(select(Program.id).where(Program.venue_id == venue_id)))
