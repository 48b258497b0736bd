"""Advice for an empty result: which one filter, taken away, brings back the most programs."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from navigator.search.engine import run_search
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
    best: Advice | None = None
    for name, fields in _FILTERS:
        if not any(getattr(search, field) not in (None, (), False) for field in fields):
            continue
        looser = replace(search, page=1, **{field: _UNSET.get(field) for field in fields})
        total = run_search(session, index, looser).total
        if total and (best is None or total > best.total):
            best = Advice(name, PARAMETERS[name].label, total)
    return best
