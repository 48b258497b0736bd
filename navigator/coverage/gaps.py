"""Gaps: for each settlement of the gazetteer, how far the nearest active program of each direction is.

Distances are straight lines on the sphere (haversine), not routes: 1.5 km of straight line is
about a 20-minute walk (the region's accessibility indicator), and walks are longer than the line,
so the «within 1.5 km» class is an optimistic one. Only venues whose point is at least as exact as
a settlement count, and programs held only online bring nothing within walking distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from navigator.catalogue import russian
from navigator.catalogue.distance import haversine_km
from navigator.catalogue.vocab import DIRECTIONS, fold
from navigator.coverage.catalogue import Catalogue
from navigator.geocoding.region import Gazetteer

WALK_KM = 1.5
NEAR_KM = 5.0
#: Distances computed per block, so that memory stays bounded (points × venues of one block).
BLOCK = 1_000_000

STATUS_LABELS = {"walk": "до 1,5 км — около 20 минут пешком", "near": "1,5–5 км", "far": "дальше 5 км"}


@dataclass(frozen=True)
class GapPoint:
    """A place people live in: a settlement, or a city district's approximate centre."""

    name: str
    kind: str
    municipality: str
    lat: float
    lon: float
    population: int | None

    @property
    def label(self) -> str:
        """The place as a page writes it: «пос. Абагур», «Центральный район»."""
        return russian.settlement(self.name, self.kind)


def gap_points(gazetteer: Gazetteer) -> list[GapPoint]:
    """The gazetteer's settlements and city district centres (those that are not settlements too), by name."""
    points = [GapPoint(s.name, s.kind, s.municipality, s.lat, s.lon, s.population or None)
              for s in gazetteer.settlements]
    settlements = {(fold(point.municipality), fold(point.name)) for point in points}
    points += [GapPoint(district, russian.CITY_DISTRICT, municipality, lat, lon, None)
               for (municipality, district), (lat, lon) in gazetteer.district_points.items()
               if (fold(municipality), fold(district)) not in settlements]
    return sorted(points, key=lambda point: (fold(point.municipality), fold(point.name)))


def nearest_km(lat: np.ndarray, lon: np.ndarray, target_lat: np.ndarray, target_lon: np.ndarray) -> np.ndarray:
    """For each point, the distance to the nearest target (infinity when there is none)."""
    best = np.full(len(lat), np.inf)
    if not len(lat) or not len(target_lat):
        return best
    step = max(1, BLOCK // len(lat))
    for start in range(0, len(target_lat), step):
        block = haversine_km(lat[:, None], lon[:, None], target_lat[None, start:start + step],
                             target_lon[None, start:start + step])
        best = np.minimum(best, block.min(axis=1))
    return best


def status(distance_km: float) -> str:
    """walk (within 1.5 km), near (within 5 km) or far."""
    if distance_km <= WALK_KM:
        return "walk"
    return "near" if distance_km <= NEAR_KM else "far"


@dataclass(frozen=True)
class Gap:
    """One place and the distance to the nearest program of each direction."""

    point: GapPoint
    distances: dict[str, float]

    def status(self, direction: str) -> str:
        return status(self.distances[direction])

    @property
    def walkable(self) -> int:
        """How many directions have a program within walking distance."""
        return sum(distance <= WALK_KM for distance in self.distances.values())

    def as_row(self) -> dict:
        row = {"municipality": self.point.municipality, "place": self.point.name, "kind": self.point.kind,
               "lat": self.point.lat, "lon": self.point.lon, "population": self.point.population}
        for code, distance in self.distances.items():
            row[f"nearest_km_{code}"] = None if np.isinf(distance) else round(float(distance), 2)
            row[f"status_{code}"] = status(distance)
        return row


def gap_labels() -> dict[str, str]:
    """Column labels of Gap.as_row's keys, for the CSV and XLSX headers."""
    labels = {"municipality": "Муниципалитет", "place": "Населённый пункт или район", "kind": "Тип",
              "lat": "Широта", "lon": "Долгота", "population": "Население по справочнику"}
    for term in DIRECTIONS:
        labels[f"nearest_km_{term.code}"] = f"До ближайшей: {term.label}, км"
        labels[f"status_{term.code}"] = f"Доступность: {term.label}"
    return labels


#: Largest points × venues matrix of distances kept in memory (float32: 4 bytes each, so 120 MB).
MATRIX_LIMIT = 30_000_000


def distance_matrix(points: list[GapPoint], catalogue: Catalogue) -> np.ndarray | None:
    """Distances from every point to every venue whose point is exact enough (infinity for the others).

    Computed once per snapshot, it makes the gaps of any filter a masked minimum; None when too large.
    """
    venues = catalogue.venues
    if len(points) * len(venues.ids) > MATRIX_LIMIT:
        return None
    lat = np.array([point.lat for point in points], dtype=np.float64)
    lon = np.array([point.lon for point in points], dtype=np.float64)
    matrix = np.full((len(points), len(venues.ids)), np.inf, dtype=np.float32)
    usable = np.flatnonzero(venues.exact_enough)
    step = max(1, BLOCK // max(len(points), 1))
    for start in range(0, len(usable), step):
        columns = usable[start:start + step]
        matrix[:, columns] = haversine_km(lat[:, None], lon[:, None], venues.lat[None, columns],
                                          venues.lon[None, columns])
    return matrix


def find_gaps(points: list[GapPoint], catalogue: Catalogue, mask: np.ndarray,
              matrix: np.ndarray | None = None) -> list[Gap]:
    """Distances from every point to the nearest venue of each direction among the programs in mask."""
    venues = catalogue.venues
    usable = mask & catalogue.in_person & venues.exact_enough[catalogue.venue]
    lat = np.array([point.lat for point in points], dtype=np.float64)
    lon = np.array([point.lon for point in points], dtype=np.float64)
    by_direction = {}
    for index, code in enumerate(DIRECTIONS.codes):
        rows = np.unique(catalogue.venue[usable & (catalogue.direction == index)])
        if matrix is None:
            by_direction[code] = nearest_km(lat, lon, venues.lat[rows], venues.lon[rows])
        else:
            by_direction[code] = matrix[:, rows].min(axis=1) if len(rows) else np.full(len(points), np.inf)
    return [Gap(point, {code: float(by_direction[code][row]) for code in DIRECTIONS.codes})
            for row, point in enumerate(points)]
