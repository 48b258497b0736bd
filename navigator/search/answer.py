"""One answer to a search query string, for every format that shows a search.

The search page, `/api/v1/programs`, the program lists (`/api/v1/programs.csv`, `.xlsx`) and the home
page's counts all call `answer`, so they read the same parameters, measure from the same place and list
the same programs in the same order. The formats differ only in how they read a bad value: the API and
the lists are strict (BadRequest names the parameter: a 400; NotInCatalogue, a well-formed value naming a
municipality, district, organization or place the catalogue does not have: a 404), the pages forgiving (the
value is clamped or dropped and a notice says so, as is a filter naming a municipality, district or
organization that does not exist, or a place that is not found).

The typed place is found by a function the caller passes in (the geocoding chain in the web app), so this
module knows nothing of geocoding or of Flask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from sqlalchemy.orm import Session

from navigator.catalogue.cards import load_cards
from navigator.catalogue.errors import NotInCatalogue
from navigator.search.advice import Advice, loosest_filter, suggestion_applied
from navigator.search.engine import SearchResult, run_search
from navigator.search.parameters import PARAMETERS
from navigator.search.request import BadRequest, SearchRequest, parse_forgiving, parse_request


class FoundPlace(Protocol):
    """Where a typed place was found (navigator.geocoding.Resolution)."""

    lat: float | None
    lon: float | None
    label: str
    precision: str


PlaceFinder = Callable[[str], "FoundPlace | None"]


@dataclass(frozen=True)
class TypedPlace:
    """What was typed as the place and where it was found (None: nowhere)."""

    text: str
    found: FoundPlace | None


@dataclass(frozen=True)
class SearchAnswer:
    """Everything a format shows of one search."""

    search: SearchRequest  # as searched: a found place's point in `near`, dropped filters gone
    result: SearchResult
    place: TypedPlace | None
    notices: tuple[str, ...]
    advice: Advice | None  # for an empty result: the one filter whose removal finds the most


def answer(session: Session, index, args, *, forgiving: bool, find_place: PlaceFinder, with_points: bool = False,
           load: Callable[[Session, list[int]], list] = load_cards, rows: int | None = None) -> SearchAnswer:
    """The answer to query-string arguments (a werkzeug MultiDict).

    `rows` asks for the first that many programs whatever the page (the lists); `load` for whole programs
    instead of cards; `with_points` for every mapped result's point (the map).
    """
    if forgiving:
        parsed = parse_forgiving(args)
        search, notices = parsed.search, list(parsed.notices)
    else:
        search, notices = parse_request(args), []
    if rows is not None:
        search = replace(search, page=1, per_page=rows)
    search, place = _placed(search, find_place, forgiving)
    try:
        result = run_search(session, index, search, with_points=with_points, load=load)
    except BadRequest as problem:  # an unknown municipality, district or organization
        if not forgiving:
            raise
        notices.append(f"{PARAMETERS[problem.parameter].label}: такого в каталоге нет, фильтр не применён.")
        search = search.without(problem.parameter)
        result = run_search(session, index, search, with_points=with_points, load=load)
    result = suggestion_applied(session, index, search, result, with_points=with_points, load=load)
    advice = loosest_filter(session, index, search) if result.total == 0 else None
    return SearchAnswer(search, result, place, tuple(notices), advice)


def _placed(search: SearchRequest, find_place: PlaceFinder,
            forgiving: bool) -> tuple[SearchRequest, TypedPlace | None]:
    """The search measured from its typed place (a typed place outranks a given point).

    A place that is not found is a 404 for the API (as /places answers); a page searches without a point (no
    radius, no distance order) and says so.
    """
    if not search.place:
        return search, None
    found = find_place(search.place)
    if found is None or found.lat is None or found.lon is None:
        if not forgiving:
            raise NotInCatalogue("place", f"Место «{search.place}» не найдено")
        return replace(search, near=None, radius_km=None, place=None), TypedPlace(search.place, None)
    return replace(search, near=(found.lat, found.lon)), TypedPlace(search.place, found)
