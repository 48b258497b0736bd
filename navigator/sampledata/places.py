"""Where sample venues can be: the places of each municipality, read from data/geo/.

A place is a city district (Kemerovo, Novokuznetsk) or a settlement of the gazetteer. Venues get
a point near the place's centre, always inside the municipality's boundary, so that the sample
exercises the map and the point-in-polygon checks like real data would.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import shape

from navigator.sampledata.words import (
    DISTRICT_POPULATION_THOUSANDS,
    LOCAL_STREETS,
    TOWN_STREETS,
    VILLAGE_STREETS,
)

GEO_DIR = Path(__file__).resolve().parents[2] / "data" / "geo"

KIND_LABELS = {"г": "г.", "пгт": "пгт", "пос": "пос.", "с": "с.", "д": "д.", "ж/р": "ж/р"}
# Places without a population figure (added by hand) count as a village of this size.
UNKNOWN_POPULATION = 1500
KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Place:
    municipality: str
    name: str
    kind: str  # settlement kind as in the gazetteer; "" for a main city district («Центральный»)
    lat: float
    lon: float
    population: int
    district: str  # the CSV's district column for venues here
    address_prefix: str  # «г. Кемерово», «г. Кемерово, пос. Кедровка», «с. Елыкаево»
    locality: str  # the town or village people name: «Кемерово» for every Kemerovo district
    radius_km: float  # how far from the centre venues are spread
    numbered: bool  # schools and kindergartens here are numbered («СОШ № 12»), not named after the village
    local_streets: tuple[str, ...]
    generic_streets: tuple[str, ...]


@dataclass
class Municipality:
    name: str
    kind: str  # "city" (has city districts), "town" (other city okrugs) or "rural"
    places: list[Place]
    boundary: shapely.Geometry

    @property
    def adjective(self) -> str:
        """«Кемеровский» for both Kemerovo okrugs: the stem of college and museum names."""
        return self.name.removesuffix(" городской округ").removesuffix(" муниципальный округ")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


def _population(text: str) -> int:
    return int(text) if text and int(text) > 0 else UNKNOWN_POPULATION


def _settlement_place(row: dict[str, str], is_town_okrug_centre: bool, rural: bool) -> Place:
    population = _population(row["population"])
    kind = row["kind"]
    radius = min(2.5, 1.0 + population / 100_000) if kind == "г" else {"пгт": 1.0, "ж/р": 0.8}.get(kind, 0.6)
    district = "" if is_town_okrug_centre and not rural else row["name"]
    return Place(
        municipality=row["municipality"], name=row["name"], kind=kind, lat=float(row["lat"]), lon=float(row["lon"]),
        population=population, district=district, address_prefix=f"{KIND_LABELS[kind]} {row['name']}",
        locality=row["name"], radius_km=radius, numbered=kind == "г",
        local_streets=LOCAL_STREETS.get((row["municipality"], row["name"]), ()),
        generic_streets=TOWN_STREETS if kind in ("г", "пгт") else VILLAGE_STREETS)


def _district_places(municipality: str, districts: list[dict[str, str]],
                     settlements: list[dict[str, str]]) -> list[Place]:
    """City districts; an outlying one that is also a settlement is written «г. Кемерово, пос. Кедровка»."""
    city = max((row for row in settlements if row["municipality"] == municipality and row["kind"] == "г"),
               key=lambda row: _population(row["population"]))
    kinds = {row["name"]: row["kind"] for row in settlements
             if row["municipality"] == municipality and row["name"] != city["name"]}
    places = []
    for row in districts:
        name = row["district"]
        outlying = name in kinds
        prefix = f"г. {city['name']}" + (f", {KIND_LABELS[kinds[name]]} {name}" if outlying else "")
        places.append(Place(
            municipality=municipality, name=name, kind=kinds.get(name, ""),
            lat=float(row["lat"]), lon=float(row["lon"]),
            population=DISTRICT_POPULATION_THOUSANDS[(municipality, name)] * 1000, district=name,
            address_prefix=prefix, locality=city["name"], radius_km=1.0 if outlying else 2.5, numbered=True,
            local_streets=LOCAL_STREETS.get((municipality, name), ()),
            generic_streets=VILLAGE_STREETS if outlying else TOWN_STREETS))
    return places


@functools.cache
def load_region(geo_dir: Path = GEO_DIR) -> tuple[Municipality, ...]:
    """The 34 municipalities with their places and prepared boundaries, sorted by name."""
    settlements = _read_csv(geo_dir / "settlements.csv")
    districts = _read_csv(geo_dir / "city_districts.csv")
    with (geo_dir / "municipalities.geojson").open(encoding="utf-8") as source:
        features = json.load(source)["features"]
    municipalities = []
    for feature in sorted(features, key=lambda f: f["properties"]["name"]):
        name = feature["properties"]["name"]
        boundary = shape(feature["geometry"])
        shapely.prepare(boundary)
        own_districts = [row for row in districts if row["municipality"] == name]
        if own_districts:
            municipalities.append(Municipality(name, "city", _district_places(name, own_districts, settlements),
                                               boundary))
            continue
        rural = name.endswith("муниципальный округ")
        own = [row for row in settlements if row["municipality"] == name]
        centre = max(own, key=lambda row: (row["kind"] == "г", _population(row["population"])))
        places = [_settlement_place(row, row is centre, rural) for row in own]
        municipalities.append(Municipality(name, "rural" if rural else "town", places, boundary))
    return tuple(municipalities)


def random_point(rng: random.Random, place: Place, municipality: Municipality) -> tuple[float, float]:
    """A point within the place's radius and inside the municipality; the centre if none is found."""
    for _ in range(30):
        distance = place.radius_km * math.sqrt(rng.random())
        angle = rng.random() * 2 * math.pi
        lat = place.lat + distance * math.cos(angle) / KM_PER_DEGREE
        lon = place.lon + distance * math.sin(angle) / (KM_PER_DEGREE * math.cos(math.radians(place.lat)))
        if shapely.contains_xy(municipality.boundary, lon, lat):
            return lat, lon
    return place.lat, place.lon
