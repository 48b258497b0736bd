"""A typed place (`place=TEXT`) turned into the point a search measures from, for the pages and the API alike."""

from __future__ import annotations

from dataclasses import replace

from flask import current_app

from navigator.geocoding import Resolution, geocoding_for
from navigator.search import SearchRequest


def find_place(session, text: str) -> Resolution | None:
    """Where the «near me» box puts a text: a catalogue address, a settlement, the online geocoder — or None."""
    return geocoding_for(current_app.config).find_place(session, text)


def with_place(session, search: SearchRequest) -> tuple[SearchRequest, Resolution | None]:
    """The search measured from its typed place (a typed place outranks a given point) and where it was found.

    A place that is not found leaves the search without a point: no radius and no distance order.
    """
    if not search.place:
        return search, None
    found = find_place(session, search.place)
    if found is None:
        return replace(search, near=None, radius_km=None), None
    return replace(search, near=(found.lat, found.lon)), found
