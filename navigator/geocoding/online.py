"""The online geocoder: Nominatim through geopy, throttled, with retries that back off.

geopy's RateLimiter keeps requests at least `min_delay` seconds apart (the public Nominatim allows
one a second). It retries nothing here: its own retries would repeat a 400 or 403 as well and wait
a fixed time, so the loop below retries only what may pass later — 5xx, 408, 429 (after the
Retry-After the server sends), timeouts and refused connections — waiting twice as long each time.
Requests go through geopy's urllib adapter: the requests adapter would repeat a timed-out request
itself (urllib3 retries), unthrottled and uncounted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from geopy.adapters import URLLibAdapter
from geopy.exc import GeocoderRateLimited, GeocoderServiceError, GeocoderTimedOut, GeocoderUnavailable
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from navigator.geocoding.budget import RequestBudget

#: Candidates asked for per address: the first may lie outside the row's municipality, a later one inside.
CANDIDATES = 5
# The limiter spaces the starts of requests; their arrival at the server jitters by some milliseconds,
# so the spacing is this much longer than asked, for the server to never see two within min_delay.
ARRIVAL_MARGIN = 0.05
# A server asking for a longer pause than this is treated as down for this address.
MAX_RETRY_AFTER = 60.0
# Nominatim's place_rank: 30 a house or POI, 26–27 a street, 13–25 a settlement or its part.
_RANK_PRECISION = ((28, "building"), (26, "street"), (13, "settlement"), (0, "municipality"))
_STREET_TYPES = frozenset({"street", "road", "residential", "primary", "secondary", "tertiary", "unclassified",
                           "living_street", "pedestrian", "service", "trunk"})


class BudgetSpent(Exception):
    """The site's geocoder budget for this moment is used up and the caller chose not to wait."""


class GeocoderFailed(Exception):
    """The online geocoder gave no answer (errors or timeouts after every retry)."""


@dataclass(frozen=True)
class Candidate:
    lat: float
    lon: float
    precision: str
    label: str


def precision_of(raw: dict) -> str:
    """How exact a Nominatim result is: a house or building, a street, a settlement, or coarser."""
    category, kind = raw.get("class") or raw.get("category"), raw.get("type")
    if category == "building" or kind in ("house", "building"):
        return "building"
    if category == "highway" or kind in _STREET_TYPES:
        return "street"
    if category == "place":
        return "settlement"
    rank = int(raw.get("place_rank") or 0)
    return next(precision for floor, precision in _RANK_PRECISION if rank >= floor)


class _Nominatim(Nominatim):
    """Nominatim that also sends the operator's e-mail, as the usage policy asks of bulk users."""

    def __init__(self, *, email: str, **options):
        super().__init__(**options)
        self._email = email

    def _construct_url(self, base_api, params):
        if self._email:
            params = {**params, "email": self._email}
        return super()._construct_url(base_api, params)


class OnlineGeocoder:
    """One Nominatim server: search an address, throttled and retried; counts the requests it sends."""

    def __init__(self, url: str, *, user_agent: str, email: str = "", min_delay: float = 1.0,
                 timeout: float = 10.0, retries: int = 2, backoff: float = 2.0,
                 viewbox: tuple[tuple[float, float], tuple[float, float]] | None = None,
                 sleep: Callable[[float], None] = time.sleep, budget: RequestBudget | None = None):
        parts = urlsplit(url)
        self.url = url
        self._nominatim = _Nominatim(domain=parts.netloc + parts.path.rstrip("/"), scheme=parts.scheme or "https",
                                     user_agent=user_agent, email=email, timeout=timeout,
                                     adapter_factory=URLLibAdapter)
        self._throttled = RateLimiter(self._nominatim.geocode, min_delay_seconds=min_delay + ARRIVAL_MARGIN
                                      if min_delay > 0 else 0, max_retries=0, swallow_exceptions=False)
        self._retries, self._backoff, self._viewbox, self._sleep = retries, backoff, viewbox, sleep
        self._budget = budget
        self._count_lock = threading.Lock()
        self.requests = 0

    def search(self, query: str, retries: int | None = None, wait: bool = True) -> list[Candidate]:
        """Candidates for the query, best first (empty when the server knows none); GeocoderFailed if no answer.

        Each request first takes one from the site-wide budget; with `wait` off (a person's page is
        waiting) BudgetSpent is raised instead of waiting for it.
        """
        retries = self._retries if retries is None else retries
        attempt = 0
        while True:
            if self._budget is not None and not self._budget.take(wait):
                raise BudgetSpent(query)
            try:
                return [_candidate(location.raw) for location in self._ask(query) or ()]
            except GeocoderServiceError as error:
                if attempt >= retries or not _retryable(error):
                    raise GeocoderFailed(f"{type(error).__name__}: {error}") from error
                self._sleep(self._wait(error, attempt))
                attempt += 1

    def _ask(self, query: str):
        with self._count_lock:
            self.requests += 1
        return self._throttled(query, exactly_one=False, limit=CANDIDATES, language="ru",
                               viewbox=self._viewbox, bounded=self._viewbox is not None)

    def _wait(self, error: GeocoderServiceError, attempt: int) -> float:
        if isinstance(error, GeocoderRateLimited) and error.retry_after is not None:
            if error.retry_after > MAX_RETRY_AFTER:
                raise GeocoderFailed(f"rate limited for {error.retry_after} s") from error
            return float(error.retry_after)
        return self._backoff * 2 ** attempt


def _retryable(error: GeocoderServiceError) -> bool:
    status = getattr(error.__cause__, "status_code", None)
    if status is not None:
        return status >= 500 or status in (408, 429)
    return isinstance(error, (GeocoderTimedOut, GeocoderUnavailable))


def _candidate(raw: dict) -> Candidate:
    return Candidate(float(raw["lat"]), float(raw["lon"]), precision_of(raw), raw.get("display_name", ""))
