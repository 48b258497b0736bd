"""What the home page shows instead of a list: the catalogue's own counts, as ways into the search.

A parent who opens the site has not said anything yet, so no order of programs would be truthful; the
page asks its questions and offers the directions, the municipalities and a few ready selections, each
with the number of programs it leads to (all counted by the one search answer, and each link written from
the same search request, so a link finds what it says).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from navigator.search import SearchRequest, SearchResult
from navigator.search.request import ANY_OVZ


@dataclass(frozen=True)
class WayIn:
    """A link into the search: its label, the value it chooses, its query string and what it finds."""

    label: str
    value: str
    pairs: list[tuple[str, str]]
    count: int


@dataclass(frozen=True)
class Home:
    total: int
    directions: list[WayIn]
    municipalities: list[WayIn]
    selections: list[WayIn]


def home_summary(search: Callable[[SearchRequest], SearchResult]) -> Home:
    """The counts of the home page: two searches without a page of programs worth showing (one row each)."""
    everything = search(SearchRequest(per_page=1))
    with_seats = search(SearchRequest(free_seats=True, per_page=1)).total
    facets = everything.facets

    def facet_count(name: str, value: str) -> int:
        return next((facet.count for facet in facets[name] if facet.value == value), 0)

    selections = [WayIn("Есть свободные места", "", SearchRequest(free_seats=True).pairs(), with_seats),
                  WayIn("Бесплатно", "free", SearchRequest(enrollments=("free",)).pairs(),
                        facet_count("enrollment", "free")),
                  WayIn("Для детей с ОВЗ", ANY_OVZ, SearchRequest(ovz=ANY_OVZ).pairs(), facet_count("ovz", ANY_OVZ))]
    directions = [WayIn(facet.label, facet.value, SearchRequest(directions=(facet.value,)).pairs(), facet.count)
                  for facet in facets["direction"] if facet.count]
    municipalities = [WayIn(facet.label, facet.value, SearchRequest(municipality=int(facet.value)).pairs(),
                            facet.count) for facet in facets["municipality"] if facet.count]
    return Home(total=everything.total, directions=directions, municipalities=municipalities,
                selections=[selection for selection in selections if selection.count])
