"""What the search page shows around the results: removable chips of the chosen filters, sort links,
page links and the choices of the filter panel — all as plain links, so the page works without JavaScript.

Links are made from the parsed search request, not from the raw query string, so a chip removes
exactly its own value however the URL spelled it (a code or a label, repeated or comma-separated).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from navigator.catalogue import russian
from navigator.catalogue.vocab import DIRECTIONS, ENROLLMENT_KINDS, FORMATS, OVZ_CATEGORIES
from navigator.search import SearchRequest, SearchResult
from navigator.search.request import ANY_OVZ, DEFAULT_PER_PAGE

#: Radius choices of «near me»; 1.5 km is about a 20-minute walk (the region's accessibility indicator).
RADII = (("1.5", "1,5 км (около 20 минут пешком)"), ("3", "3 км"), ("5", "5 км"), ("10", "10 км"))
SORT_LABELS = {
    "relevance": "по соответствию запросу", "distance": "по расстоянию", "title": "по названию",
    "age": "по возрасту", "price": "по цене", "rating": "по рейтингу", "updated": "по дате обновления",
}
ANY_OVZ_LABEL = "Любая адаптация для детей с ОВЗ"


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


def canonical_pairs(search: SearchRequest, place: str | None = None) -> list[tuple[str, str]]:
    """The request as query-string pairs, in a fixed order and with codes (page left out).

    A point found from a typed place is written as that place, so links stay readable and shareable.
    """
    pairs: list[tuple[str, str]] = []
    if search.q:
        pairs.append(("q", search.q))
    if search.exact:
        pairs.append(("exact", "1"))
    if search.age is not None:
        pairs.append(("age", str(search.age)))
    pairs += [("direction", code) for code in search.directions]
    if search.profile:
        pairs.append(("profile", search.profile))
    pairs += [("enrollment", code) for code in search.enrollments]
    for name in ("price_max", "municipality", "district", "organization", "ovz"):
        if getattr(search, name) is not None:
            pairs.append((name, str(getattr(search, name))))
    pairs += [("format", code) for code in search.formats]
    if search.free_seats:
        pairs.append(("free_seats", "1"))
    if search.near:
        pairs.append(("place", place) if place else ("near", near_text(search.near)))
    if search.radius_km is not None:
        pairs.append(("radius_km", f"{search.radius_km:g}"))
    if search.sort:
        pairs.append(("sort", search.sort))
    if search.per_page != DEFAULT_PER_PAGE:
        pairs.append(("per_page", str(search.per_page)))
    return pairs


def near_text(near: tuple[float, float]) -> str:
    """A point as the near parameter writes it (six decimals: about 10 cm)."""
    return f"{round(near[0], 6)},{round(near[1], 6)}"


class SearchLinks:
    """URLs of the search page that change one thing of the current search."""

    def __init__(self, base_url: str, search: SearchRequest, place: str | None = None):
        self.base_url = base_url
        self.pairs = canonical_pairs(search, place)

    def url(self, pairs: list[tuple[str, str]]) -> str:
        return f"{self.base_url}?{urlencode(pairs)}" if pairs else self.base_url

    def without(self, *removed: tuple[str, str | None]) -> str:
        """The search without these (name, value) pairs; a None value removes every value of the name."""
        def kept(pair: tuple[str, str]) -> bool:
            return not any(pair[0] == name and value in (None, pair[1]) for name, value in removed)

        return self.url([pair for pair in self.pairs if kept(pair)])

    def with_value(self, name: str, value: str) -> str:
        return self.url([pair for pair in self.pairs if pair[0] != name] + [(name, value)])

    def page(self, number: int) -> str:
        return self.url(self.pairs + ([("page", str(number))] if number > 1 else []))


#: Parameters the filter panel has no control for; the form carries them on unchanged.
HIDDEN_PARAMETERS = ("profile", "organization", "per_page")


def hidden_pairs(search: SearchRequest) -> list[tuple[str, str]]:
    """The search's values of parameters without a control, as hidden fields of the filter form."""
    return [(name, value) for name, value in canonical_pairs(search) if name in HIDDEN_PARAMETERS]


def chips(search: SearchRequest, links: SearchLinks, names: PlaceNames) -> list[Chip]:
    """One removable chip per chosen filter value (the text query and the order are not filters)."""
    found: list[Chip] = []

    def add(label: str, *removed: tuple[str, str | None]) -> None:
        found.append(Chip(label, links.without(*removed)))

    if search.age is not None:
        add(f"Возраст: {russian.count(search.age, 'год', 'года', 'лет')}", ("age", None))
    for code in search.directions:
        add(DIRECTIONS.label(code), ("direction", code))
    if search.profile:
        add(f"Профиль: {search.profile}", ("profile", None))
    for code in search.enrollments:
        add(ENROLLMENT_KINDS.label(code), ("enrollment", code))
    if search.price_max is not None:
        add(f"Не дороже {russian.rubles(search.price_max)} в месяц", ("price_max", None))
    if search.municipality is not None:
        add(names.municipality or "Муниципалитет", ("municipality", None), ("district", None))
    if search.district is not None:
        add(names.district or "Район", ("district", None))
    if search.organization:
        add(f"Организация: {names.organization or search.organization}", ("organization", None))
    if search.ovz:
        add(ANY_OVZ_LABEL if search.ovz == ANY_OVZ else f"ОВЗ: {OVZ_CATEGORIES.label(search.ovz)}", ("ovz", None))
    for code in search.formats:
        add(FORMATS.label(code), ("format", code))
    if search.free_seats:
        add("Есть свободные места", ("free_seats", None))
    if search.near:
        radius = f" в радиусе {russian.decimal(search.radius_km, 1)} км" if search.radius_km else ""
        where = f"Рядом: {names.near}" if names.near else "Рядом с выбранной точкой"
        add(where + radius, ("near", None), ("place", None), ("radius_km", None), ("sort", "distance"))
    return found


def sort_links(search: SearchRequest, links: SearchLinks) -> list[SortLink]:
    """The orders this search can take: relevance needs words, distance needs a point."""
    usable = [sort for sort in SORT_LABELS
              if not (sort == "relevance" and not search.q.strip()) and not (sort == "distance" and not search.near)]
    return [SortLink(SORT_LABELS[sort], links.with_value("sort", sort), sort == search.effective_sort)
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


def search_page_links(search: SearchRequest, result: SearchResult, base_url: str, names: PlaceNames,
                      place: str | None = None) -> SearchPageLinks:
    """The chips, sort and page links, the suggestion and the form's hidden fields of one search."""
    links = SearchLinks(base_url, search, place)
    return SearchPageLinks(
        chips=chips(search, links, names),
        reset_url=links.url([("q", search.q)] if search.q else []),
        sort_links=sort_links(search, links),
        pagination=pagination(result, links),
        suggestion_url=links.with_value("q", result.suggestion) if result.suggestion else None,
        exact_url=links.with_value("exact", "1") if result.corrected_from else None,
        hidden_pairs=hidden_pairs(search),
        near_value=near_text(search.near) if search.near and not place else "")
