"""The region as data: municipal boundaries (is a point where the row says?) and an offline gazetteer.

Both come from files (settings BOUNDARIES_FILE, GAZETTEER_FILE, CITY_DISTRICTS_FILE), so another
region swaps files, not code. A missing file only switches its part off: without boundaries no
candidate is rejected for its place, without a gazetteer nothing is resolved offline.
"""

from __future__ import annotations

import csv
import functools
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import Point, shape

from navigator.catalogue import russian
from navigator.catalogue.vocab import fold
from navigator.geocoding.address import settlement_names, split_part

# Geocoders put a building on a border a few hundred metres off, and boundaries are drawn no finer:
# a point this close to a municipality (in degrees, ~300–550 m here) counts as inside it.
BORDER_TOLERANCE = 0.005
# Which of several settlements of one name is meant when nothing else tells: towns first, then the larger.
_KIND_ORDER = {"г": 0, "пгт": 1, "рп": 1, "ж/р": 2, "пос": 3, "с": 3, "д": 4}


@dataclass(frozen=True)
class Place:
    """A point the region's data gives, with how exact it is and a label a person reads."""

    lat: float
    lon: float
    precision: str
    label: str


@dataclass(frozen=True)
class Settlement:
    name: str
    kind: str
    municipality: str
    lat: float
    lon: float
    population: int

    @property
    def label(self) -> str:
        return russian.settlement(self.name, self.kind)


class Boundaries:
    """Municipal polygons by name, for point-in-polygon checks and municipality centroids."""

    def __init__(self, polygons: dict[str, shapely.Geometry]):
        self._polygons = {fold(name): polygon for name, polygon in polygons.items()}
        self._names = {fold(name): name for name in polygons}
        for polygon in self._polygons.values():
            shapely.prepare(polygon)
        self._tree = shapely.STRtree(list(self._polygons.values()))

    @classmethod
    def load(cls, path: Path) -> Boundaries:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        return cls({feature["properties"]["name"]: shape(feature["geometry"]) for feature in features})

    def bounding_box(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """South-west and north-east corners as (lat, lon)."""
        min_lon, min_lat, max_lon, max_lat = (float(value) for value in shapely.total_bounds(self._tree.geometries))
        return (min_lat, min_lon), (max_lat, max_lon)

    def knows(self, municipality: str | None) -> bool:
        return bool(municipality) and fold(municipality) in self._polygons

    def contains(self, lat: float, lon: float, municipality: str | None = None) -> bool:
        """Whether the point is in the region and, if the municipality is known, in that municipality."""
        point = Point(lon, lat)
        if self.knows(municipality):
            return _near(self._polygons[fold(municipality)], point)
        nearby = self._tree.query(point.buffer(BORDER_TOLERANCE))
        return any(_near(self._tree.geometries[index], point) for index in nearby)

    def centroid(self, municipality: str) -> Place | None:
        """The middle of the municipality (a point inside it even when the shape is a crescent)."""
        polygon = self._polygons.get(fold(municipality))
        if polygon is None:
            return None
        middle = polygon.centroid if polygon.contains(polygon.centroid) else polygon.point_on_surface()
        return Place(middle.y, middle.x, "municipality", self._names[fold(municipality)])


def _near(polygon: shapely.Geometry, point: Point) -> bool:
    return polygon.contains(point) or polygon.distance(point) <= BORDER_TOLERANCE


class Gazetteer:
    """Settlements and city districts with their points: resolves the settlement an address names."""

    def __init__(self, settlements: list[Settlement], districts: dict[tuple[str, str], tuple[float, float]]):
        #: Every settlement and city district centre as the files give them (the coverage gaps list them all).
        self.settlements = tuple(settlements)
        self.district_points = dict(districts)
        self._by_name: dict[str, list[Settlement]] = defaultdict(list)
        for settlement in settlements:
            self._by_name[fold(settlement.name)].append(settlement)
        self._districts = {(fold(m), fold(d)): point for (m, d), point in districts.items()}

    @classmethod
    def load(cls, settlements_path: Path | None, districts_path: Path | None) -> Gazetteer:
        settlements = [Settlement(row["name"], row["kind"], row["municipality"], float(row["lat"]), float(row["lon"]),
                                  int(row["population"] or 0)) for row in _rows(settlements_path)]
        districts = {(row["municipality"], row["district"]): (float(row["lat"]), float(row["lon"]))
                     for row in _rows(districts_path)}
        return cls(settlements, districts)

    def settlement(self, name: str, municipality: str | None = None) -> Settlement | None:
        """The settlement of that name (in that municipality, if given)."""
        found = [s for s in self._by_name.get(fold(split_part(name).name), ())
                 if not municipality or fold(s.municipality) == fold(municipality)]
        return min(found, key=lambda s: (_KIND_ORDER.get(s.kind, 5), -s.population), default=None)

    def city_district(self, municipality: str, district: str) -> tuple[float, float] | None:
        return self._districts.get((fold(municipality), fold(district)))

    def place_of(self, address: str, municipality: str | None, district: str | None) -> Place | None:
        """The settlement the address names (a town's district when the row names one), or the row's district."""
        for name in settlement_names(address):
            settlement = self.settlement(name, municipality)
            if settlement is None:
                continue
            district_point = self.city_district(municipality, district) if municipality and district else None
            if district_point and settlement.kind == "г":
                return Place(*district_point, "settlement", f"{settlement.label}, {district}")
            return Place(settlement.lat, settlement.lon, "settlement", settlement.label)
        if municipality and district:
            if point := self.city_district(municipality, district):
                label = f"{russian.settlement(district, russian.CITY_DISTRICT)}, {municipality}"
                return Place(*point, "settlement", label)
            if settlement := self.settlement(district, municipality):
                return Place(settlement.lat, settlement.lon, "settlement", settlement.label)
        return None


def _rows(path: Path | None) -> list[dict[str, str]]:
    if path is None or not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Region:
    boundaries: Boundaries | None
    gazetteer: Gazetteer

    def accepts(self, lat: float, lon: float, municipality: str | None) -> bool:
        """Whether a geocoder's candidate lies in the region and in the row's municipality."""
        return self.boundaries is None or self.boundaries.contains(lat, lon, municipality)

    def offline_place(self, address: str, municipality: str | None, district: str | None) -> Place | None:
        """The gazetteer's settlement, else the municipality's centroid, else nothing."""
        place = self.gazetteer.place_of(address, municipality, district)
        if place is None and municipality and self.boundaries is not None:
            place = self.boundaries.centroid(municipality)
        return place

    def named_place(self, text: str) -> Place | None:
        """A settlement or municipality named by the whole text («Елыкаево», «с. Елыкаево», a municipality's name)."""
        if settlement := self.gazetteer.settlement(text):
            return Place(settlement.lat, settlement.lon, "settlement",
                         f"{settlement.label}, {settlement.municipality}")
        return self.boundaries.centroid(text.strip()) if self.boundaries is not None else None


@functools.lru_cache(maxsize=4)
def load_region(boundaries_file: str | None, gazetteer_file: str | None, districts_file: str | None) -> Region:
    """Read the region's files once per process (the boundaries take a moment to parse)."""
    boundaries = Boundaries.load(Path(boundaries_file)) if boundaries_file and Path(boundaries_file).is_file() else None
    return Region(boundaries, Gazetteer.load(_path(gazetteer_file), _path(districts_file)))


def _path(name: str | None) -> Path | None:
    return Path(name) if name else None
