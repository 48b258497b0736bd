"""The chain an address goes through: cache → online geocoder → offline gazetteer → no point.

Only the online geocoder's answers are cached (the gazetteer is local and cheap to ask again, and
its files may improve). A cached failure is not asked again for GEOCODER_FAILURE_DAYS unless the
caller retries failures; an answer is kept until the cache row is deleted. Cache writes join the
caller's transaction when data enters (import, save, `navigator geocode`); for the «near me» box they
go through a short transaction of their own, so that a GET's session commits nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from navigator.catalogue.models import utcnow
from navigator.catalogue.vocab import fold
from navigator.db import separate_session
from navigator.geocoding.address import address_key, geocoder_query
from navigator.geocoding.budget import RequestBudget
from navigator.geocoding.models import GeocodeCache
from navigator.geocoding.online import BudgetSpent, Candidate, GeocoderFailed, OnlineGeocoder
from navigator.geocoding.places import address_index
from navigator.geocoding.region import Place, Region, load_region

#: Precisions from the finest; the online geocoder's answers coarser than a settlement are not used.
PRECISION_ORDER = ("building", "street", "settlement", "municipality", "none")
_ONLINE_PRECISIONS = frozenset(PRECISION_ORDER[:3])
PUBLIC_NOMINATIM_HOST = "nominatim.openstreetmap.org"


@dataclass(frozen=True)
class GeocodingSettings:
    """The geocoding settings of navigator.config, as one hashable value."""

    geocoder: str = "off"
    nominatim_url: str = "https://nominatim.openstreetmap.org"
    user_agent: str = "Navigator"
    email: str = ""
    min_delay: float = 1.0
    timeout: float = 10.0
    retries: int = 2
    backoff: float = 2.0
    failure_days: float = 7.0
    boundaries_file: str = ""
    gazetteer_file: str = ""
    city_districts_file: str = ""
    budget_storage: str = "memory://"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> GeocodingSettings:
        return cls(config["GEOCODER"], config["NOMINATIM_URL"], config["GEOCODER_USER_AGENT"],
                   config["GEOCODER_EMAIL"], config["GEOCODER_MIN_DELAY"], config["GEOCODER_TIMEOUT"],
                   config["GEOCODER_RETRIES"], config["GEOCODER_BACKOFF"], config["GEOCODER_FAILURE_DAYS"],
                   config["BOUNDARIES_FILE"], config["GAZETTEER_FILE"], config["CITY_DISTRICTS_FILE"],
                   config["RATELIMIT_STORAGE_URI"])

    @property
    def online(self) -> bool:
        return self.geocoder == "nominatim"


@dataclass(frozen=True)
class Resolution:
    """Where the chain placed an address, and what the online step did (for the run's summary).

    `online` is one of: cached (answer from the cache), found, not_found (no candidate in the region
    and municipality), failed (no answer), known_failure (a cached failure, not asked again), off,
    not_asked (a settlement named outright needs no geocoder).
    """

    lat: float | None
    lon: float | None
    precision: str
    source: str | None
    label: str
    online: str

    @property
    def has_point(self) -> bool:
        return self.lat is not None


def cache_key(address: str, municipality: str | None) -> str:
    """The cache row of an address: its normalized form and the municipality its point must lie in."""
    return f"{address_key(address)} @ {fold(municipality or '')}"[:800]


class Geocoding:
    """The chain over one region's data and, when enabled, one online geocoder."""

    def __init__(self, settings: GeocodingSettings, region: Region, online: OnlineGeocoder | None):
        self.settings, self.region, self.online = settings, region, online

    @classmethod
    def from_settings(cls, settings: GeocodingSettings) -> Geocoding:
        region = load_region(settings.boundaries_file, settings.gazetteer_file, settings.city_districts_file)
        online = None
        if settings.online:
            online = OnlineGeocoder(
                settings.nominatim_url, user_agent=settings.user_agent, email=settings.email,
                min_delay=settings.min_delay, timeout=settings.timeout, retries=settings.retries,
                backoff=settings.backoff, budget=RequestBudget(settings.budget_storage, settings.min_delay),
                viewbox=region.boundaries.bounding_box() if region.boundaries is not None else None)
        return cls(settings, region, online)

    @property
    def requests(self) -> int:
        """Requests sent to the online geocoder so far by this chain."""
        return self.online.requests if self.online else 0

    def warnings(self) -> list[str]:
        """What the operator should fix before bulk use (the public service's usage policy)."""
        if self.online and PUBLIC_NOMINATIM_HOST in self.settings.nominatim_url and not self.settings.email:
            return ["The public Nominatim asks bulk users for a contact: set NAVIGATOR_GEOCODER_EMAIL "
                    "(and a NAVIGATOR_GEOCODER_USER_AGENT naming your site)."]
        return []

    def resolve(self, session: Session, address: str, municipality: str | None = None,
                district: str | None = None, *, retry_failed: bool = False) -> Resolution:
        """Place an address of a municipality; cache writes join the session's transaction (the caller commits)."""
        found, write = self._resolve(session, address, municipality, district, retry_failed, quick=False)
        if write is not None:
            _remember(session, write)
        return found

    def find_place(self, session: Session, text: str) -> Resolution | None:
        """A place typed in the «near me» box: a street or house of the catalogue's venues, a settlement or
        municipality by name, else an address for the online geocoder or the gazetteer, else None."""
        text = " ".join(text.split())[:200]
        if not text:
            return None
        if known := address_index(session).find(text):  # a street or house the catalogue's venues know
            return Resolution(known.lat, known.lon, known.precision, "catalogue", known.label, "not_asked")
        if place := self.region.named_place(text):
            return _gazetteer(place, "not_asked")
        found, write = self._resolve(session, text, None, None, retry_failed=False, quick=True)
        if write is not None:
            _remember_apart(session, write)
        return found if found.has_point else None

    def _resolve(self, session: Session, address: str, municipality: str | None, district: str | None,
                 retry_failed: bool, quick: bool) -> tuple[Resolution, _CacheWrite | None]:
        """Where the chain places an address, and the cache write it asks for (not yet made).

        `quick` asks the online geocoder once, without retries: a person is waiting for the page.
        """
        candidate, outcome, write = self._online_answer(session, address, municipality, retry_failed, quick)
        if candidate is not None:
            found = Resolution(candidate.lat, candidate.lon, candidate.precision, "nominatim", candidate.label, outcome)
        elif place := self.region.offline_place(address, municipality, district):
            found = _gazetteer(place, outcome)
        else:
            found = Resolution(None, None, "none", None, "", outcome)
        return found, write

    def _online_answer(self, session: Session, address: str, municipality: str | None, retry_failed: bool,
                       quick: bool) -> tuple[Candidate | None, str, _CacheWrite | None]:
        key = cache_key(address, municipality)
        entry = session.scalar(select(GeocodeCache).where(GeocodeCache.key == key))
        if entry is not None and entry.status == "found":
            return Candidate(entry.lat, entry.lon, entry.precision, entry.label or ""), "cached", None
        if entry is not None and not retry_failed and not self._expired(entry):
            return None, "known_failure", None
        if self.online is None:
            return None, "off", None
        query = geocoder_query(address) or address
        try:
            candidates = self.online.search(query, retries=0 if quick else None, wait=not quick)
        except BudgetSpent:
            return None, "busy", None  # the site's budget is spent this second: the offline answer serves
        except GeocoderFailed:
            return None, "failed", (None if quick else _CacheWrite(entry, key, query, None, "error"))
        chosen = next((c for c in candidates if c.precision in _ONLINE_PRECISIONS
                       and self.region.accepts(c.lat, c.lon, municipality)), None)
        status = "found" if chosen else "not_found"
        # What visitors type and nobody finds is not kept.
        write = _CacheWrite(entry, key, query, chosen, status) if chosen is not None or not quick else None
        return chosen, status, write

    def _expired(self, entry: GeocodeCache) -> bool:
        return entry.updated_at < utcnow() - dt.timedelta(days=self.settings.failure_days)


def _gazetteer(place: Place, outcome: str) -> Resolution:
    return Resolution(place.lat, place.lon, place.precision, "gazetteer", place.label, outcome)


@dataclass(frozen=True)
class _CacheWrite:
    """What the cache is to remember of one question to the online geocoder (entry: its row, if it has one)."""

    entry: GeocodeCache | None
    key: str
    query: str
    chosen: Candidate | None
    status: str


def _remember(session: Session, write: _CacheWrite) -> None:
    entry = write.entry
    if entry is None:
        entry = GeocodeCache(key=write.key, attempts=0)
        session.add(entry)
    chosen = write.chosen
    entry.query, entry.status, entry.updated_at = write.query[:500], write.status, utcnow()
    entry.attempts += 1
    entry.lat, entry.lon = (chosen.lat, chosen.lon) if chosen else (None, None)
    entry.precision, entry.source = (chosen.precision, "nominatim") if chosen else ("none", None)
    entry.label = chosen.label[:500] if chosen else None


def _remember_apart(session: Session, write: _CacheWrite) -> None:
    """Make the cache write in a short transaction of its own, so that the caller's session (a GET's)
    commits nothing; a row another request wrote meanwhile wins."""
    with separate_session(session) as apart:
        entry = apart.get(GeocodeCache, write.entry.id) if write.entry is not None else None
        _remember(apart, replace(write, entry=entry))
        try:
            apart.commit()
        except IntegrityError:  # another request cached the same text meanwhile
            apart.rollback()
