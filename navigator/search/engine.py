"""Run a search request: text matches and scores, exact filters, facets, sorting and pages over columns."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from navigator.catalogue.cards import ProgramCard, load_cards
from navigator.catalogue.distance import EARTH_RADIUS_KM, haversine_km
from navigator.catalogue.errors import NotInCatalogue
from navigator.catalogue.models import Organization, Program
from navigator.catalogue.paging import page_count, page_offset
from navigator.catalogue.place_directory import place_directory
from navigator.catalogue.programs import with_card_fields
from navigator.catalogue.vocab import DIRECTIONS, ENROLLMENT_KINDS, FORMATS, OVZ_CATEGORIES, fold
from navigator.search.analysis import switch_layout
from navigator.search.columns import Columns
from navigator.search.request import ANY_OVZ, SearchRequest
from navigator.search.text import Synonyms, match_text, suggest

FEW_RESULTS = 3  # a typed query finding fewer than this is tried in the other keyboard layout
FACETS = ("direction", "enrollment", "municipality", "district", "ovz", "format")


@dataclass(frozen=True)
class FacetCount:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Hit:
    program: ProgramCard | Program  # a card, unless the caller asked for whole programs
    distance_km: float | None


class MapPoint(NamedTuple):
    """One mapped result (a tuple: a map may hold tens of thousands, and tuples are cheap to make)."""

    public_id: str
    title: str
    organization: str
    lat: float
    lon: float


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    searched_for: str | None = None
    corrected_from: str | None = None
    suggestion: str | None = None
    ignored_words: list[str] = field(default_factory=list)
    points: Sequence[MapPoint] | MapPoints = ()
    unmapped: int = 0
    typo: bool = False  # corrected_from is a typo corrected (else a keyboard layout switched)

    @property
    def page(self) -> int:
        return self.request.page

    @property
    def per_page(self) -> int:
        return self.request.per_page

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


def _bit_set(values: np.ndarray, bit: int) -> np.ndarray:
    return (values & (1 << bit)) != 0


def _one_of(values: np.ndarray, wanted: list[int], size: int) -> np.ndarray:
    """values ∈ wanted for a column of vocabulary indexes: one look-up per document (np.isin sorts, 20× slower)."""
    table = np.zeros(size, dtype=bool)
    table[wanted] = True
    return table.take(values)


def _facet_masks(columns: Columns, request: SearchRequest) -> dict[str, np.ndarray]:
    """One mask per facet filter that is set; a facet's own mask is left out when counting it."""
    masks = {}
    if request.directions:
        masks["direction"] = _one_of(columns.direction, [DIRECTIONS.codes.index(c) for c in request.directions],
                                     len(DIRECTIONS.codes))
    if request.enrollments:
        wanted = sum(1 << ENROLLMENT_KINDS.codes.index(c) for c in request.enrollments)
        masks["enrollment"] = (columns.enrollment & wanted) != 0
    if request.municipality is not None:
        masks["municipality"] = columns.municipality_id == request.municipality
    if request.district is not None:
        masks["district"] = columns.district_id == request.district
    if request.ovz == ANY_OVZ:
        masks["ovz"] = columns.ovz != 0
    elif request.ovz:
        masks["ovz"] = _bit_set(columns.ovz, OVZ_CATEGORIES.codes.index(request.ovz))
    if request.formats:
        masks["format"] = _one_of(columns.format, [FORMATS.codes.index(c) for c in request.formats],
                                  len(FORMATS.codes))
    return masks


def _plain_mask(columns: Columns, request: SearchRequest, organization_id: int | None) -> np.ndarray:
    """Filters that are not facets: age, price, free places, organization, profile (the radius comes later)."""
    mask = columns.live.copy()
    if request.age is not None:
        mask &= (columns.age_min <= request.age) & (request.age <= columns.age_max)
    if request.price_max is not None:
        not_only_paid = (columns.enrollment & ~(1 << ENROLLMENT_KINDS.codes.index("paid"))) != 0
        mask &= not_only_paid | (columns.price <= request.price_max)
    if request.free_seats:
        mask &= columns.seats_free > 0
    if organization_id is not None:
        mask &= columns.organization_id == organization_id
    if request.profile:
        mask &= columns.profile == fold(request.profile)
    return mask


def _box(columns: Columns, near: tuple[float, float], radius_km: float) -> np.ndarray:
    """Documents inside a latitude/longitude box that holds the whole circle (with a 1 % margin)."""
    angle = radius_km / EARTH_RADIUS_KM
    lat0 = math.radians(near[0])
    half_lat = math.degrees(angle) * 1.01
    inside = np.abs(columns.lat - near[0]) <= half_lat
    if abs(lat0) + angle < math.pi / 2 * 0.99:
        half_lon = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(lat0)))) * 1.01
        inside &= np.abs((columns.lon - near[1] + 180) % 360 - 180) <= half_lon
    return inside


def _distances(columns: Columns, request: SearchRequest, candidates: np.ndarray) -> np.ndarray | None:
    """Kilometres from `near` for the mapped candidates (within the radius box); NaN for every other document."""
    if request.near is None:
        return None
    if request.radius_km is not None:
        candidates = candidates & _box(columns, request.near, request.radius_km)
    docnums = np.flatnonzero(candidates & columns.mapped)
    distances = np.full(columns.size, np.nan)
    distances[docnums] = haversine_km(*request.near, columns.lat[docnums], columns.lon[docnums])
    return distances


def _text_mask(searcher, columns: Columns, text: str, synonyms: Synonyms):
    """(mask, relevance scores, ignored words, words found only through typos) of a text; (None, None, [],
    set()) when it has no searchable words."""
    match = match_text(searcher, columns, text, synonyms)
    if match is None:
        return None, None, [], set()
    return match.mask, match.scores, match.ignored, match.typo_words


def _match(searcher, columns: Columns, text: str, synonyms: Synonyms, switch: bool = True):
    """The text's matches, or (when `switch`) those of the text in the other keyboard layout when that finds
    more than little; returns (mask, scores, ignored words, words found only through typos, searched for,
    corrected from)."""
    mask, scores, ignored, typos = _text_mask(searcher, columns, text, synonyms)
    if switch and mask is not None and np.count_nonzero(mask) < FEW_RESULTS:
        switched = switch_layout(text)
        if switched:
            other = _text_mask(searcher, columns, switched, synonyms)
            if other[0] is not None and np.count_nonzero(other[0]) > np.count_nonzero(mask):
                return *other, switched, text
    return mask, scores, ignored, typos, text or None, None


def _typo_corrected(searcher, columns: Columns, text: str, synonyms: Synonyms, mask: np.ndarray | None,
                    typos: set[str]):
    """When some words (`typos`) matched only through their typos: the corrected text, and its match when that
    finds at least as much (then the page shows the corrected words' results and says so), else None."""
    if mask is None or not mask.any():
        return None, None
    corrected = suggest(searcher, text, typos) if typos else None
    if corrected is None:
        return None, None
    match = _text_mask(searcher, columns, corrected, synonyms)[:3]
    if match[0] is None or np.count_nonzero(match[0]) < np.count_nonzero(mask):
        return corrected, None
    return corrected, match


def _first(docnums: np.ndarray, keys: tuple[np.ndarray, ...], needed: int) -> np.ndarray:
    """The first `needed` of docnums in np.lexsort order of keys (the last key is the primary one), sorting only
    the documents whose primary key can reach the first `needed` rather than all of them."""
    if 0 < needed < len(docnums):
        primary = keys[-1]
        near_top = primary <= np.partition(primary, needed - 1)[needed - 1]
        docnums, keys = docnums[near_top], tuple(key[near_top] for key in keys)
    return docnums[np.lexsort(keys)][:needed]


def _known(distances: np.ndarray | None) -> np.ndarray:
    """The distances of a search around a point (the distance order is only chosen with one)."""
    assert distances is not None, "a distance order without a point"
    return distances


def _order(columns: Columns, request: SearchRequest, final: np.ndarray, scores: np.ndarray | None,
           distances: np.ndarray | None, needed: int) -> np.ndarray:
    """Document numbers of the first `needed` results in the requested order."""
    docnums = np.flatnonzero(final)
    sort = request.effective_sort
    if sort == "relevance" and scores is not None:
        # Best score first; equal scores in document order, as Whoosh's collector ranks them.
        return _first(docnums, (docnums, -scores[docnums]), needed)
    rank = columns.title_rank[docnums]
    keys = {
        "distance": lambda: (rank, np.nan_to_num(_known(distances)[docnums], nan=np.inf)),
        "age": lambda: (rank, columns.age_max[docnums], columns.age_min[docnums]),
        "price": lambda: (rank, np.nan_to_num(columns.price[docnums], nan=-1.0)),
        "rating": lambda: (rank, -np.nan_to_num(columns.rating[docnums], nan=-1.0)),
        "updated": lambda: (rank, -columns.updated[docnums]),
    }.get(sort, lambda: (rank,))()
    return _first(docnums, keys, needed)


def _count_facets(session: Session, columns: Columns, request: SearchRequest, base: np.ndarray,
                  masks: dict[str, np.ndarray]) -> dict[str, list[FacetCount]]:
    """Each facet counted with every other filter applied but not its own.

    Facets whose filter is not set share one scope (every filter), so the documents in a scope are listed once
    (np.flatnonzero, then take: a boolean index over 100,000 documents is several times slower), and a bit
    mask's facet counts each mask value once and adds the values that carry each bit."""
    scopes: dict[str | None, np.ndarray] = {}

    def scoped(name: str, values: np.ndarray) -> np.ndarray:
        key = name if name in masks else None
        if key not in scopes:
            mask = base.copy()
            for other, other_mask in masks.items():
                if other != key:
                    mask &= other_mask
            scopes[key] = np.flatnonzero(mask)
        return values.take(scopes[key])

    facets = {}
    for name, values, vocabulary, selected in (
            ("direction", columns.direction, DIRECTIONS, request.directions),
            ("format", columns.format, FORMATS, request.formats)):
        counts = np.bincount(scoped(name, values), minlength=len(vocabulary.codes))
        facets[name] = [FacetCount(code, vocabulary.label(code), int(counts[i]), code in selected)
                        for i, code in enumerate(vocabulary.codes)]
    for name, values, vocabulary, selected in (
            ("enrollment", columns.enrollment, ENROLLMENT_KINDS, request.enrollments),
            ("ovz", columns.ovz, OVZ_CATEGORIES, (request.ovz,) if request.ovz else ())):
        by_mask = np.bincount(scoped(name, values), minlength=1 << len(vocabulary.codes))
        mask_values = np.arange(len(by_mask))
        facets[name] = [FacetCount(code, vocabulary.label(code), int(by_mask[_bit_set(mask_values, i)].sum()),
                                   code in selected) for i, code in enumerate(vocabulary.codes)]
        if name == "ovz":
            facets[name].insert(0, FacetCount(ANY_OVZ, "Любая адаптация для детей с ОВЗ",
                                              int(by_mask[1:].sum()), request.ovz == ANY_OVZ))
    directory = place_directory(session)
    facets["municipality"] = _place_facet(directory.municipalities, scoped("municipality", columns.municipality_id),
                                          request.municipality)
    districts = {district_id: name for district_id, (_municipality, name) in directory.districts.items()}
    facets["district"] = (_place_facet(districts, scoped("district", columns.district_id), request.district)
                          if request.municipality is not None else [])
    return facets


def _place_facet(all_names: dict[int, str], ids: np.ndarray, selected: int | None) -> list[FacetCount]:
    counts = np.bincount(ids) if len(ids) else np.zeros(1, dtype=np.int64)
    counted = {int(i): int(counts[i]) for i in np.flatnonzero(counts) if i > 0}  # 0: no district
    wanted = set(counted) | ({selected} if selected else set())
    names = {i: all_names[i] for i in wanted if i in all_names}
    return sorted((FacetCount(str(i), names[i], counted.get(i, 0), i == selected) for i in names),
                  key=lambda facet: _sort_key(facet.label))


@functools.lru_cache(maxsize=8192)
def _sort_key(name: str) -> str:
    """A place name as the facets sort it; the same few hundred names come back on every page."""
    return fold(name)


def _check_places(session: Session, request: SearchRequest) -> int | None:
    """Refuse unknown municipality, district and organization ids; return the organization's row id."""
    directory = place_directory(session)
    if request.municipality is not None and request.municipality not in directory.municipalities:
        raise NotInCatalogue("municipality", f"нет муниципалитета с кодом {request.municipality}")
    if request.district is not None:
        district = directory.districts.get(request.district)
        if district is None:
            raise NotInCatalogue("district", f"нет района с кодом {request.district}")
        if request.municipality is not None and district[0] != request.municipality:
            raise NotInCatalogue("district", "район не относится к выбранному муниципалитету")
    if request.organization is None:
        return None
    organization_id = session.scalar(select(Organization.id).where(Organization.public_id == request.organization))
    if organization_id is None:
        raise NotInCatalogue("organization", f"нет организации с кодом «{request.organization}»")
    return organization_id


def load_programs(session: Session, program_ids: list[int]) -> list[Program]:
    """Programs of one page with what a card shows, in the given order."""
    if not program_ids:
        return []
    found = session.scalars(with_card_fields(select(Program).where(Program.id.in_(program_ids)))).unique().all()
    by_id = {program.id: program for program in found}
    return [by_id[i] for i in program_ids if i in by_id]


class _TextPart(NamedTuple):
    mask: np.ndarray | None  # None: no searchable words
    scores: np.ndarray | None
    ignored: list[str]
    searched_for: str | None
    corrected_from: str | None
    suggestion: str | None
    typo: bool


#: The last text's matches, kept on its searcher (so for one index generation): an empty result's advice
#: counts its looser searches, which have the same words, right after the search itself.
_LAST_TEXT = "_navigator_last_text"


def _text_part(searcher, columns: Columns, index, request: SearchRequest) -> _TextPart:
    """The words' matches: as typed, in the other keyboard layout, or with their typos corrected."""
    key = (request.q.strip(), request.exact, id(index.synonyms))
    kept = getattr(searcher, _LAST_TEXT, None)
    if kept is None or kept[0] != key:
        kept = (key, _match_text_part(searcher, columns, index, request))
        setattr(searcher, _LAST_TEXT, kept)
    return kept[1]


def _match_text_part(searcher, columns: Columns, index, request: SearchRequest) -> _TextPart:
    text = request.q.strip()
    mask, scores, ignored, typos, searched_for, corrected_from = _match(searcher, columns, text, index.synonyms,
                                                                        switch=not request.exact)
    suggestion, typo_match = (None, None) if corrected_from or request.exact else _typo_corrected(
        searcher, columns, text, index.synonyms, mask, typos)
    if typo_match is not None:
        (mask, scores, ignored), searched_for, corrected_from = typo_match, suggestion, text
    return _TextPart(mask, scores, ignored, searched_for, corrected_from, suggestion, typo_match is not None)


def _filtered(columns: Columns, request: SearchRequest, organization_id: int | None, text_mask: np.ndarray | None):
    """(base mask, distances, facet masks): the base holds every filter but the facets'."""
    base = _plain_mask(columns, request, organization_id)
    if text_mask is not None:
        base &= text_mask
    distances = _distances(columns, request, base)
    if request.radius_km is not None and distances is not None:
        base &= distances <= request.radius_km  # NaN (no point, or outside the box) is never within
    return base, distances, _facet_masks(columns, request)


def _all_filters(base: np.ndarray, masks: dict[str, np.ndarray]) -> np.ndarray:
    """The documents that pass the base and every facet's filter (a new mask: the base is kept for the facets)."""
    final = base.copy()
    for mask in masks.values():
        final &= mask
    return final


def count_results(session: Session, index, requests: Sequence[SearchRequest]) -> list[int]:
    """How many programs each request finds, without pages, facets or programs: the advice's looser
    searches, which share their words (matched once, by the search itself: see _text_part)."""
    totals = []
    with index.reading() as (searcher, columns):
        for request in requests:
            organization_id = _check_places(session, request)
            text_mask = _text_part(searcher, columns, index, request).mask
            base, _distances_km, masks = _filtered(columns, request, organization_id, text_mask)
            totals.append(int(np.count_nonzero(_all_filters(base, masks))))
    return totals


def run_search(session: Session, index, request: SearchRequest, *, with_points: bool = False,
               load: Callable[[Session, list[int]], list] = load_cards) -> SearchResult:
    """Search the index and the database together; see navigator.search for the design. The page's programs
    are cards (navigator.catalogue.cards) unless `load` reads them otherwise (load_programs: whole ones)."""
    organization_id = _check_places(session, request)
    with index.reading() as (searcher, columns):
        text = _text_part(searcher, columns, index, request)
        base, distances, masks = _filtered(columns, request, organization_id, text.mask)
        final = _all_filters(base, masks)
        total = int(np.count_nonzero(final))
        start = page_offset(request.page, request.per_page)
        ordered = _order(columns, request, final, text.scores, distances, start + request.per_page)[start:]
        page_ids = columns.program_id[ordered].tolist()
        page_distances = distances[ordered].tolist() if distances is not None else [None] * len(page_ids)
        facets = _count_facets(session, columns, request, base, masks)
        suggestion = text.suggestion
        if total == 0 and request.q.strip():
            suggestion = suggest(searcher, request.q.strip())
        points: Sequence[MapPoint] | MapPoints = []
        unmapped = 0
        if with_points:
            points, unmapped = _points(columns, final)
    programs = load(session, page_ids)
    distance_of = dict(zip(page_ids, page_distances, strict=True))
    hits = [Hit(p, None if distance_of[p.id] is None or math.isnan(distance_of[p.id]) else distance_of[p.id])
            for p in programs]
    return SearchResult(request=request, total=total, hits=hits, facets=facets, searched_for=text.searched_for,
                        corrected_from=text.corrected_from, suggestion=suggestion, ignored_words=text.ignored,
                        points=points, unmapped=unmapped, typo=text.typo)


class MapPoints:
    """Every mapped result, column by column: a map of the whole region needs only the coordinates (the server
    groups them), so the per-point tuples are made only when someone iterates."""

    def __init__(self, columns: Columns, docnums: np.ndarray):
        self.lat, self.lon = columns.lat[docnums], columns.lon[docnums]
        self._columns, self._docnums = columns, docnums

    def __len__(self) -> int:
        return len(self._docnums)

    def __iter__(self):
        columns, docnums = self._columns, self._docnums
        return map(MapPoint, columns.public_id[docnums].tolist(), columns.title[docnums].tolist(),
                   columns.organization_name[docnums].tolist(), self.lat.tolist(), self.lon.tolist())


def _points(columns: Columns, final: np.ndarray) -> tuple[MapPoints, int]:
    """Every mapped result, and how many results have no point."""
    points = MapPoints(columns, np.flatnonzero(final & columns.mapped))
    return points, int(np.count_nonzero(final)) - len(points)
