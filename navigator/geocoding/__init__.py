"""Geocoding: addresses as providers write them → points that say how exact they are.

The chain (chain.py): the database cache of the online geocoder's answers and failures → the online
geocoder (online.py: Nominatim through geopy, rate limited, retried, restricted to the region's
boundaries and the row's municipality) → the offline gazetteer (region.py: the settlement the
address names, else the municipality's centroid) → no point. Addresses are normalized for the
cache by address.py. The «near me» box first asks the offline address index (places.py), made from
the catalogue's own venues: every house the catalogue knows, and its streets.
The chain runs only when data enters — `navigator import` (when the geocoder is on)
and `navigator geocode` (venues.py) — and for the «near me» box (Geocoding.find_place); never while
a page with stored venues is rendered.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from navigator.geocoding.chain import Geocoding, GeocodingSettings, Resolution, cache_key
from navigator.geocoding.venues import GeocodeSummary, geocode_venues

__all__ = ["GeocodeSummary", "Geocoding", "GeocodingSettings", "Resolution", "cache_key", "geocode_venues",
           "geocoding_for"]


def geocoding_for(config: Mapping[str, Any]) -> Geocoding:
    """The chain for these settings, one per process, so that the rate limit holds across requests and runs."""
    return _shared(GeocodingSettings.from_config(config))


@functools.lru_cache(maxsize=4)
def _shared(settings: GeocodingSettings) -> Geocoding:
    return Geocoding.from_settings(settings)
