"""Advice for an empty result: which one filter, taken away, brings back the most programs; or the suggested
spelling of the words, searched instead."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from navigator.search.engine import SearchResult, count_results, run_search
from navigator.search.parameters import PARAMETERS
from navigator.search.request import SearchRequest

#: Each filter as the SearchRequest field(s) it sets, with the parameter whose label names it.
_FILTERS = (("age", ("age",)), ("direction", ("directions",)), ("profile", ("profile",)),
            ("enrollment", ("enrollments",)), ("price_max", ("price_max",)),
            ("municipality", ("municipality", "district")), ("district", ("district",)),
            ("organization", ("organization",)), ("ovz", ("ovz",)),
            ("format", ("formats",)), ("free_seats", ("free_seats",)), ("radius_km", ("radius_km",)))
_UNSET = {"directions": (), "enrollments": (), "formats": (), "free_seats": False}


@dataclass(frozen=True)
class Advice:
    parameter: str  # the parameter to take away (municipality takes its district with it)
    label: str
    total: int


def loosest_filter(session: Session, index, search: SearchRequest) -> Advice | None:
    """The filter whose removal finds the most programs (None when no filter is set or none helps)."""
    set_filters = [(name, fields) for name, fields in _FILTERS
                   if any(getattr(search, field) not in (None, (), False) for field in fields)]
    looser = [replace(search, page=1, **{field: _UNSET.get(field) for field in fields})
              for _name, fields in set_filters]
    best: Advice | None = None
    for (name, _fields), total in zip(set_filters, count_results(session, index, looser), strict=True):
        if total and (best is None or total > best.total):
            best = Advice(name, PARAMETERS[name].label, total)
    return best


def suggestion_applied(session: Session, index, search: SearchRequest, result: SearchResult, *,
                       with_points: bool) -> SearchResult:
    """For a person: when the words found nothing but their suggested spelling finds programs («ахматы» →
    «шахматы»), those programs, marked as a corrected search (the page offers the words as typed).

    The API answers the words as asked, with the suggestion beside them; `exact` keeps the words here too.
    """
    if result.total or not result.suggestion or search.exact:
        return result
    corrected = run_search(session, index, replace(search, q=result.suggestion), with_points=with_points)
    if not corrected.total:
        return result
    return replace(corrected, request=search, searched_for=result.suggestion, corrected_from=search.q,
                   suggestion=result.suggestion, typo=True)
