"""Run a search request: text through Whoosh, exact filters, facets, sorting and pages over columns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from navigator.models import District, Municipality, Organization, Program, Venue
from navigator.search.analysis import fold, switch_layout
from navigator.search.columns import Columns
from navigator.search.request import ANY_OVZ, BadRequest, SearchRequest
from navigator.search.text import Synonyms, match_text, suggest
from navigator.vocab import DIRECTIONS, ENROLLMENT_KINDS, FORMATS, OVZ_CATEGORIES

EARTH_RADIUS_KM = 6371.0088
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
    program: Program
    distance_km: float | None


@dataclass(frozen=True)
class MapPoint:
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
    points: list[MapPoint] = field(default_factory=list)
    unmapped: int = 0

    @property
    def page(self) -> int:
        return self.request.page

    @property
    def per_page(self) -> int:
        return self.request.per_page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def haversine_km(lat: np.ndarray, lon: np.ndarray, near: tuple[float, float]) -> np.ndarray:
    lat1, lon1 = np.radians(near[0]), np.radians(near[1])
    lat2, lon2 = np.radians(lat), np.radians(lon)
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def _bit_set(values: np.ndarray, bit: int) -> np.ndarray:
    return (values & (1 << bit)) != 0


def _facet_masks(columns: Columns, request: SearchRequest) -> dict[str, np.ndarray]:
    """One mask per facet filter that is set; a facet's own mask is left out when counting it."""
    masks = {}
    if request.directions:
        masks["direction"] = np.isin(columns.direction, [DIRECTIONS.codes.index(c) for c in request.directions])
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
        masks["format"] = np.isin(columns.format, [FORMATS.codes.index(c) for c in request.formats])
    return masks


def _plain_mask(columns: Columns, request: SearchRequest, organization_id: int | None,
                distances: np.ndarray | None) -> np.ndarray:
    """Filters that are not facets: age, price, free places, organization, profile, radius."""
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
        mask &= columns.profile == fold(request.profile).strip()
    if distances is not None and request.radius_km is not None:
        mask &= distances <= request.radius_km
    return mask


def _text_mask(searcher, columns: Columns, text: str, synonyms: Synonyms):
    match = match_text(searcher, text, synonyms)
    if match is None:
        return None, None, []
    mask = np.zeros(columns.size, dtype=bool)
    if match.docnums:
        mask[np.fromiter(match.docnums, dtype=np.int64, count=len(match.docnums))] = True
    return mask, match.query, match.ignored


def _order(searcher, columns: Columns, request: SearchRequest, final: np.ndarray, query,
           distances: np.ndarray | None, needed: int) -> np.ndarray:
    """Document numbers of the first `needed` results in the requested order."""
    docnums = np.flatnonzero(final)
    sort = request.effective_sort
    if sort == "relevance" and query is not None:
        results = searcher.search(query, filter=set(docnums.tolist()), limit=needed)
        return np.array([hit.docnum for hit in results], dtype=np.int64)
    rank = columns.title_rank[docnums]
    keys = {
        "distance": lambda: (rank, np.nan_to_num(distances[docnums], nan=np.inf)),
        "age": lambda: (rank, columns.age_max[docnums], columns.age_min[docnums]),
        "price": lambda: (rank, np.nan_to_num(columns.price[docnums], nan=-1.0)),
        "rating": lambda: (rank, -np.nan_to_num(columns.rating[docnums], nan=-1.0)),
        "updated": lambda: (rank, -columns.updated[docnums]),
    }.get(sort, lambda: (rank,))()
    return docnums[np.lexsort(keys)][:needed]


def _count_facets(session: Session, columns: Columns, request: SearchRequest, base: np.ndarray,
                  masks: dict[str, np.ndarray]) -> dict[str, list[FacetCount]]:
    """Each facet counted with every other filter applied but not its own."""
    def scope(name: str) -> np.ndarray:
        mask = base.copy()
        for other, other_mask in masks.items():
            if other != name:
                mask &= other_mask
        return mask

    facets = {}
    for name, values, codes, selected in (
            ("direction", columns.direction, DIRECTIONS.codes, request.directions),
            ("format", columns.format, FORMATS.codes, request.formats)):
        counts = np.bincount(values[scope(name)], minlength=len(codes))
        vocabulary = DIRECTIONS if name == "direction" else FORMATS
        facets[name] = [FacetCount(code, vocabulary.label(code), int(counts[i]), code in selected)
                        for i, code in enumerate(codes)]
    for name, values, vocabulary, selected in (
            ("enrollment", columns.enrollment, ENROLLMENT_KINDS, request.enrollments),
            ("ovz", columns.ovz, OVZ_CATEGORIES, (request.ovz,))):
        scoped = values[scope(name)]
        facets[name] = [FacetCount(code, vocabulary.label(code), int(np.count_nonzero(_bit_set(scoped, i))),
                                   code in selected) for i, code in enumerate(vocabulary.codes)]
    scoped_ovz = columns.ovz[scope("ovz")]
    facets["ovz"].insert(0, FacetCount(ANY_OVZ, "Любая адаптация для детей с ОВЗ",
                                       int(np.count_nonzero(scoped_ovz)), request.ovz == ANY_OVZ))
    facets["municipality"] = _place_facet(
        session, Municipality, columns.municipality_id[scope("municipality")], request.municipality)
    facets["district"] = (_place_facet(session, District, columns.district_id[scope("district")], request.district)
                          if request.municipality is not None else [])
    return facets


def _place_facet(session: Session, model, ids: np.ndarray, selected: int | None) -> list[FacetCount]:
    values, counts = np.unique(ids[ids > 0], return_counts=True)
    counted = dict(zip(values.tolist(), counts.tolist(), strict=True))
    wanted = set(counted) | ({selected} if selected else set())
    names = dict(session.execute(select(model.id, model.name).where(model.id.in_(wanted))).all()) if wanted else {}
    return sorted((FacetCount(str(i), names[i], counted.get(i, 0), i == selected) for i in names),
                  key=lambda facet: fold(facet.label))


def _check_places(session: Session, request: SearchRequest) -> int | None:
    """Refuse unknown municipality, district and organization ids; return the organization's row id."""
    if request.municipality is not None and session.get(Municipality, request.municipality) is None:
        raise BadRequest("municipality", f"нет муниципалитета с кодом {request.municipality}")
    if request.district is not None:
        district = session.get(District, request.district)
        if district is None:
            raise BadRequest("district", f"нет района с кодом {request.district}")
        if request.municipality is not None and district.municipality_id != request.municipality:
            raise BadRequest("district", "район не относится к выбранному муниципалитету")
    if request.organization is None:
        return None
    organization_id = session.scalar(select(Organization.id).where(Organization.public_id == request.organization))
    if organization_id is None:
        raise BadRequest("organization", f"нет организации с кодом «{request.organization}»")
    return organization_id


def _load_programs(session: Session, program_ids: list[int]) -> list[Program]:
    """Programs of one page with what a card shows, in the given order."""
    if not program_ids:
        return []
    found = session.scalars(select(Program).where(Program.id.in_(program_ids)).options(
        selectinload(Program.organization),
        selectinload(Program.venue).selectinload(Venue.municipality),
        selectinload(Program.venue).selectinload(Venue.district))).all()
    by_id = {program.id: program for program in found}
    return [by_id[i] for i in program_ids if i in by_id]


def run_search(session: Session, index, request: SearchRequest, *, with_points: bool = False) -> SearchResult:
    """Search the index and the database together; see navigator.search for the design."""
    organization_id = _check_places(session, request)
    with index.reading() as (searcher, columns):
        text = request.q.strip()
        text_mask, query, ignored = _text_mask(searcher, columns, text, index.synonyms)
        searched_for, corrected_from = text or None, None
        if text_mask is not None and np.count_nonzero(text_mask & columns.live) < FEW_RESULTS:
            switched = switch_layout(text)
            if switched:
                other_mask, other_query, other_ignored = _text_mask(searcher, columns, switched, index.synonyms)
                if other_mask is not None and (np.count_nonzero(other_mask & columns.live)
                                               > np.count_nonzero(text_mask & columns.live)):
                    text_mask, query, ignored = other_mask, other_query, other_ignored
                    searched_for, corrected_from = switched, text
        distances = (haversine_km(columns.lat, columns.lon, request.near) if request.near else None)
        base = _plain_mask(columns, request, organization_id, distances)
        if text_mask is not None:
            base &= text_mask
        masks = _facet_masks(columns, request)
        final = base.copy()
        for mask in masks.values():
            final &= mask
        total = int(np.count_nonzero(final))
        start = (request.page - 1) * request.per_page
        ordered = _order(searcher, columns, request, final, query, distances, start + request.per_page)[start:]
        page_ids = columns.program_id[ordered].tolist()
        page_distances = distances[ordered].tolist() if distances is not None else [None] * len(page_ids)
        facets = _count_facets(session, columns, request, base, masks)
        suggestion = suggest(searcher, text) if total == 0 and text else None
        points, unmapped = _points(columns, final) if with_points else ([], 0)
    programs = _load_programs(session, page_ids)
    distance_of = dict(zip(page_ids, page_distances, strict=True))
    hits = [Hit(p, None if distance_of[p.id] is None or math.isnan(distance_of[p.id]) else distance_of[p.id])
            for p in programs]
    return SearchResult(request=request, total=total, hits=hits, facets=facets, searched_for=searched_for,
                        corrected_from=corrected_from, suggestion=suggestion, ignored_words=ignored,
                        points=points, unmapped=unmapped)


def _points(columns: Columns, final: np.ndarray) -> tuple[list[MapPoint], int]:
    mapped = final & ~np.isnan(columns.lat)
    docnums = np.flatnonzero(mapped)
    points = [MapPoint(columns.public_id[d], columns.title[d], columns.organization_name[d],
                       float(columns.lat[d]), float(columns.lon[d])) for d in docnums.tolist()]
    return points, int(np.count_nonzero(final)) - len(points)
