"""What the search page shows around the results: removable chips of the chosen filters, sort links,
page links and the choices of the filter panel — all as plain links, so the page works without JavaScript.

Links are made from the parsed search request (SearchRequest.pairs, from the parameter table), not from the
raw query string, so a chip removes exactly its own value however the URL spelled it (a code or a label,
repeated or comma-separated), and every parameter name comes from that one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from navigator.search import SearchRequest, SearchResult
from navigator.search.parameters import PARAMETERS

#: Radius choices of «near me»; 1.5 km is about a 20-minute walk (the region's accessibility indicator).
RADII = (("1.5", "1,5 км (около 20 минут пешком)"), ("3", "3 км"), ("5", "5 км"), ("10", "10 км"))
SORT_LABELS = {
    "relevance": "по соответствию запросу", "distance": "по расстоянию", "title": "по названию",
    "age": "по возрасту", "price": "по цене", "rating": "по рейтингу", "updated": "по дате обновления",
}


@dataclass(frozen=True)
class Chip:
    label: str
    remove_url: str


@dataclass(frozen=True)
class SortLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap («…») between page numbers
    url: str | None
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    items: list[PageLink]
    previous_url: str | None
    next_url: str | None
    first_url: str


@dataclass(frozen=True)
class PlaceNames:
    """Names behind the ids a search request carries."""

    municipality: str | None = None
    district: str | None = None
    organization: str | None = None
    near: str | None = None  # the place typed in «near me», as the geocoding found it


class SearchLinks:
    """URLs of the search page that change one thing of the current search (its canonical query string)."""

    def __init__(self, base_url: str, search: SearchRequest):
        self.base_url = base_url
        self.pairs = search.pairs()

    def url(self, pairs: list[tuple[str, str]]) -> str:
        return f"{self.base_url}?{urlencode(pairs)}" if pairs else self.base_url

    def without(self, *removed: tuple[str, str | None]) -> str:
        """The search without these (name, value) pairs; a None value removes every value of the name."""
        def kept(pair: tuple[str, str]) -> bool:
            return not any(pair[0] == name and value in (None, pair[1]) for name, value in removed)

        return self.url([pair for pair in self.pairs if kept(pair)])

    def without_parameter(self, name: str, value: str | None = None) -> str:
        """The search without the parameter (or one of its values) and what goes with it."""
        return self.without((name, value), *PARAMETERS[name].clears)

    def with_value(self, name: str, value: str) -> str:
        return self.url([pair for pair in self.pairs if pair[0] != name] + [(name, value)])

    def page(self, number: int) -> str:
        page = PARAMETERS["page"].name
        return self.url(self.pairs + ([(page, str(number))] if number > 1 else []))


def hidden_pairs(search: SearchRequest) -> list[tuple[str, str]]:
    """The search's values of parameters without a control on the filter panel, as the form's hidden fields."""
    return [(name, value) for name, value in search.pairs() if not PARAMETERS[name].on_panel]


def chips(search: SearchRequest, links: SearchLinks, names: PlaceNames) -> list[Chip]:
    """One removable chip per chosen filter value (the text query and the order are not filters)."""
    named = {"municipality": names.municipality, "district": names.district, "organization": names.organization,
             "near": names.near}
    found: list[Chip] = []
    for name, parameter in PARAMETERS.items():
        value = getattr(search, parameter.attribute)
        if parameter.chip is None or not parameter.is_set(value):
            continue
        for one in value if parameter.many else (value,):
            label = parameter.chip(one, search, named)
            found.append(Chip(label, links.without_parameter(name, one if parameter.many else None)))
    return found


def sort_links(search: SearchRequest, links: SearchLinks) -> list[SortLink]:
    """The orders this search can take: relevance needs words, distance needs a point."""
    usable = [sort for sort in SORT_LABELS
              if not (sort == "relevance" and not search.q.strip()) and not (sort == "distance" and not search.near)]
    return [SortLink(SORT_LABELS[sort], links.with_value(PARAMETERS["sort"].name, sort), sort == search.effective_sort)
            for sort in usable]


def pagination(result: SearchResult, links: SearchLinks, around: int = 2) -> Pagination | None:
    """1 … 4 5 [6] 7 8 … 20: the first, the last and a few pages around the current one, with back and next."""
    if result.pages <= 1 and result.page == 1:
        return None
    shown = sorted({1, result.pages} | set(range(max(1, result.page - around),
                                                min(result.pages, result.page + around) + 1)))
    items: list[PageLink] = []
    for number in shown:
        if items and number - items[-1].number > 1:
            items.append(PageLink(None, None))
        items.append(PageLink(number, links.page(number), number == result.page))
    previous = links.page(result.page - 1) if 1 < result.page <= result.pages else None
    following = links.page(result.page + 1) if result.page < result.pages else None
    return Pagination(items, previous, following, links.page(1))


@dataclass(frozen=True)
class SearchPageLinks:
    """Everything around the results that links to a changed search, for the template."""

    chips: list[Chip]
    reset_url: str
    sort_links: list[SortLink]
    pagination: Pagination | None
    suggestion_url: str | None
    exact_url: str | None  # the words as typed, when the results are of corrected ones
    hidden_pairs: list[tuple[str, str]]
    near_value: str


def search_page_links(search: SearchRequest, result: SearchResult, links: SearchLinks,
                      names: PlaceNames) -> SearchPageLinks:
    """The chips, sort and page links, the suggestion and the form's hidden fields of one search."""
    q, exact = PARAMETERS["q"].name, PARAMETERS["exact"].name
    return SearchPageLinks(
        chips=chips(search, links, names),
        reset_url=links.url([(q, search.q)] if search.q else []),
        sort_links=sort_links(search, links),
        pagination=pagination(result, links),
        suggestion_url=links.with_value(q, result.suggestion) if result.suggestion else None,
        exact_url=links.with_value(exact, "1") if result.corrected_from else None,
        hidden_pairs=hidden_pairs(search),
        near_value=PARAMETERS["near"].written(search.near)[0] if search.near and not search.place else "")
