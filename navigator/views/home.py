"""What the home page shows instead of a list: the catalogue's own counts, as ways into the search.

A parent who opens the site has not said anything yet, so no order of programs would be truthful; the
page asks its questions and offers the directions, the municipalities and a few ready selections, each
with the number of programs it leads to (all counted by the search itself, so a link finds what it says).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from navigator.search import FacetCount, SearchRequest, run_search
from navigator.search.request import ANY_OVZ


@dataclass(frozen=True)
class Selection:
    """A ready-made search: its label, its parameters and how many programs it finds."""

    label: str
    params: dict[str, str]
    count: int


@dataclass(frozen=True)
class Home:
    total: int
    directions: list[FacetCount]
    municipalities: list[FacetCount]
    selections: list[Selection]


def home_summary(session: Session, index) -> Home:
    """The counts of the home page: two searches without a page of programs worth showing (one row each)."""
    everything = run_search(session, index, SearchRequest(per_page=1))
    with_seats = run_search(session, index, SearchRequest(free_seats=True, per_page=1)).total
    facets = everything.facets
    free = next((facet.count for facet in facets["enrollment"] if facet.value == "free"), 0)
    ovz = next((facet.count for facet in facets["ovz"] if facet.value == ANY_OVZ), 0)
    selections = [Selection("Есть свободные места", {"free_seats": "1"}, with_seats),
                  Selection("Бесплатно", {"enrollment": "free"}, free),
                  Selection("Для детей с ОВЗ", {"ovz": ANY_OVZ}, ovz)]
    return Home(total=everything.total, directions=[facet for facet in facets["direction"] if facet.count],
                municipalities=[facet for facet in facets["municipality"] if facet.count],
                selections=[selection for selection in selections if selection.count])
