"""Derive the region's geodata files in data/geo/ from the unchanged source copies in data/geo/source/.

Run `python scripts/build_geodata.py` after changing a source file or one of the hand-made tables
below. The output is deterministic, so a rebuild without changes leaves the files byte-identical.
Licences and what was added by hand: data/geo/README.md.
"""

from __future__ import annotations

import csv
import difflib
import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import Point, shape

GEO_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"
SOURCE_DIR = GEO_DIR / "source"
BOUNDARIES_SOURCE = SOURCE_DIR / "kuzbass_municipalities_osm_2020.geojson"
TOWNS_SOURCE = SOURCE_DIR / "kuzbass_cities_hflabs.csv"
PLACES_SOURCE = SOURCE_DIR / "kuzbass_places_geonames.csv"

# The web copy is simplified as a coverage, so that neighbours keep one shared border (no slivers);
# the tolerance (degrees) keeps the file near 100 KB while the small city okrugs keep their shape.
WEB_TOLERANCE = 0.008
WEB_DECIMALS = 5

# OSM writes «Киселевский»; the okrug's official name has ё.
OSM_SPELLINGS = {"Киселевский": "Киселёвский"}
TOWN_SPELLINGS = {"Киселевск": "Киселёвск"}

# GeoNames 12750521 «Kisilevsk» is a second copy of Kiselëvsk, without alternate names.
GEONAMES_DUPLICATES = {"12750521"}
# GeoNames lists only the former names of Ursk (Барит, Урское) among its alternate names.
GEONAMES_RUSSIAN_NAMES = {"1535879": "Урск"}

# Settlement type as written in addresses, for the GeoNames places (GeoNames has no such column).
SETTLEMENT_KINDS = {
    "Абагур": "пос", "Артышта": "пос", "Барзас": "пос", "Бачатский": "пгт", "Белогорск": "пгт",
    "Боровой": "пос", "Верх-Чебула": "пгт", "Вишнёвка": "пос", "Горскино": "с", "Грамотеино": "пгт",
    "Журавлево": "д", "Зеленогорский": "пгт", "Ижморский": "пгт", "Инской": "пгт", "Итатский": "пгт",
    "Каз": "пгт", "Карагайла": "пос", "Кедровка": "пос", "Краснобродский": "пгт", "Красногорский": "пос",
    "Красное": "с", "Крапивинский": "пгт", "Кузедеево": "с", "Листвяги": "пос", "Мундыбаш": "пгт",
    "Никитинский": "пос", "Новый Городок": "пгт", "Новопестерево": "с", "Пионер": "пос",
    "Плотниково": "с", "Притомский": "пос", "Промышленная": "пгт", "Промышленновский": "пос",
    "Рудничный": "пгт", "Сосновка": "с", "Спасск": "пгт", "Старобачаты": "с", "Старопестерево": "с",
    "Суслово": "с", "Тайжина": "пос", "Темиртау": "пгт", "Тисуль": "пгт", "Трудармейский": "пос",
    "Тяжинский": "пгт", "Урск": "пгт", "Чистогорский": "пос", "Чугунаш": "пос", "Шерегеш": "пгт",
    "Ягуновский": "пос", "Ягуново": "с", "Яшкино": "пгт", "Яя": "пгт",
}


@dataclass(frozen=True)
class HandPlace:
    """A place placed by hand at approximate coordinates; `municipality` is checked, not trusted."""

    name: str
    kind: str
    lat: float
    lon: float
    municipality: str


# Well-known places missing from both sources (the rural okrugs around Kemerovo and Yurga had none).
HAND_SETTLEMENTS = [
    HandPlace("Лесная Поляна", "ж/р", 55.4120, 86.2350, "Кемеровский городской округ"),
    HandPlace("Сухово", "пос", 55.4080, 86.2850, "Кемеровский городской округ"),
    HandPlace("Елыкаево", "с", 55.5670, 86.0470, "Кемеровский муниципальный округ"),
    HandPlace("Мазурово", "с", 55.4420, 85.9730, "Кемеровский муниципальный округ"),
    HandPlace("Металлплощадка", "пос", 55.2860, 85.8940, "Кемеровский муниципальный округ"),
    HandPlace("Арлюк", "пос", 55.4380, 84.8140, "Юргинский муниципальный округ"),
    HandPlace("Проскоково", "с", 55.6230, 85.0390, "Юргинский муниципальный округ"),
    HandPlace("Поломошное", "с", 55.8000, 84.9300, "Яшкинский муниципальный округ"),
]

# Approximate centres of the city districts; outlying parts of a city take their gazetteer point.
CITY_DISTRICTS = {
    "Кемеровский городской округ": [
        HandPlace("Центральный", "", 55.3520, 86.0870, "Кемеровский городской округ"),
        HandPlace("Ленинский", "", 55.3300, 86.1600, "Кемеровский городской округ"),
        HandPlace("Заводский", "", 55.3450, 86.0150, "Кемеровский городской округ"),
        HandPlace("Рудничный", "", 55.3950, 86.1100, "Кемеровский городской округ"),
        HandPlace("Кировский", "", 55.3950, 86.0200, "Кемеровский городской округ"),
    ],
    "Новокузнецкий городской округ": [
        HandPlace("Центральный", "", 53.7560, 87.1200, "Новокузнецкий городской округ"),
        HandPlace("Куйбышевский", "", 53.7200, 87.1500, "Новокузнецкий городской округ"),
        HandPlace("Кузнецкий", "", 53.7750, 87.2050, "Новокузнецкий городской округ"),
        HandPlace("Орджоникидзевский", "", 53.8500, 87.3000, "Новокузнецкий городской округ"),
        HandPlace("Заводской", "", 53.8500, 87.1600, "Новокузнецкий городской округ"),
        HandPlace("Новоильинский", "", 53.6700, 86.9200, "Новокузнецкий городской округ"),
    ],
}
OUTLYING_CITY_DISTRICTS = {
    "Кемеровский городской округ": ["Лесная Поляна", "Кедровка", "Промышленновский", "Ягуновский",
                                    "Пионер", "Сухово"],
}

SETTLEMENT_COLUMNS = ["name", "kind", "municipality", "lat", "lon", "population", "source"]
CITY_DISTRICT_COLUMNS = ["municipality", "district", "lat", "lon"]


def municipality_name(osm_name: str) -> str:
    """The name the CSV uses: an OSM «… район» is now a municipal okrug, a bare adjective a city okrug."""
    if osm_name.endswith(" район"):
        return osm_name.removesuffix(" район") + " муниципальный округ"
    return OSM_SPELLINGS.get(osm_name, osm_name) + " городской округ"


@dataclass
class Municipality:
    name: str
    osm_name: str
    geometry: dict
    shape: shapely.Geometry


def load_municipalities() -> list[Municipality]:
    with BOUNDARIES_SOURCE.open(encoding="utf-8") as source:
        features = json.load(source)["features"]
    municipalities = [
        Municipality(municipality_name(f["properties"]["district"]), f["properties"]["district"],
                     f["geometry"], shape(f["geometry"]))
        for f in features
    ]
    municipalities.sort(key=lambda m: m.name)
    for municipality in municipalities:
        shapely.prepare(municipality.shape)
    return municipalities


def locate(municipalities: list[Municipality], lat: float, lon: float) -> str:
    """The municipality containing the point; a point outside all of them is a data error."""
    point = Point(lon, lat)
    found = [m.name for m in municipalities if m.shape.contains(point)]
    if len(found) != 1:
        raise ValueError(f"point {lat}, {lon} lies in {found or 'no municipality'}")
    return found[0]


def write_feature_collection(path: Path, features: list[dict]) -> None:
    """One feature per line: valid GeoJSON that still gives readable diffs."""
    lines = [json.dumps(feature, ensure_ascii=False, separators=(",", ":")) for feature in features]
    path.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n",
                    encoding="utf-8")


def feature(municipality: Municipality, geometry: dict) -> dict:
    return {"type": "Feature", "properties": {"name": municipality.name, "osm_name": municipality.osm_name},
            "geometry": geometry}


def build_boundaries(municipalities: list[Municipality]) -> None:
    write_feature_collection(GEO_DIR / "municipalities.geojson",
                             [feature(m, m.geometry) for m in municipalities])
    simplified = shapely.coverage_simplify([m.shape for m in municipalities], WEB_TOLERANCE)
    rounded = shapely.set_precision(simplified, 10 ** -WEB_DECIMALS)
    write_feature_collection(
        GEO_DIR / "municipalities_web.geojson",
        [feature(m, json.loads(shapely.to_geojson(g))) for m, g in zip(municipalities, rounded, strict=True)])


_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                  ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
                   "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
                  strict=True))
_RUSSIAN_LETTERS = set(_LATIN) | set(" -")


def transliterate(name: str) -> str:
    return "".join(_LATIN.get(letter, letter) for letter in name.lower())


def russian_name(row: dict) -> str:
    """The alternate name whose transliteration is closest to the English name.

    GeoNames keeps Ukrainian, Belarusian and misspelt Cyrillic variants beside the Russian one;
    comparing with the English (BGN-style) name picks the Russian spelling.
    """
    if row["geonameid"] in GEONAMES_RUSSIAN_NAMES:
        return GEONAMES_RUSSIAN_NAMES[row["geonameid"]]
    english = row["name"].lower().replace("’", "").replace("ë", "e")
    candidates = [name for name in json.loads(row["alternatenames"]) if set(name.lower()) <= _RUSSIAN_LETTERS]
    return max(candidates, key=lambda name: difflib.SequenceMatcher(None, transliterate(name), english).ratio())


def fold(name: str) -> str:
    return name.lower().replace("ё", "е")


def build_settlements(municipalities: list[Municipality]) -> list[dict]:
    rows = []
    with TOWNS_SOURCE.open(encoding="utf-8", newline="") as source:
        towns = list(csv.DictReader(source))
    town_names = {fold(town["city"]) for town in towns}
    for town in towns:
        rows.append({"name": TOWN_SPELLINGS.get(town["city"], town["city"]), "kind": "г",
                     "municipality": locate(municipalities, float(town["geo_lat"]), float(town["geo_lon"])),
                     "lat": town["geo_lat"], "lon": town["geo_lon"], "population": town["population"],
                     "source": "hflabs"})
    with PLACES_SOURCE.open(encoding="utf-8", newline="") as source:
        places = list(csv.DictReader(source))
    for place in places:
        alternate_names = {fold(name) for name in json.loads(place["alternatenames"])}
        if place["geonameid"] in GEONAMES_DUPLICATES or alternate_names & town_names:
            continue  # a town already taken from the HFLabs list, which has the current figures
        name = russian_name(place)
        rows.append({"name": name, "kind": SETTLEMENT_KINDS[name],
                     "municipality": locate(municipalities, float(place["latitude"]), float(place["longitude"])),
                     "lat": place["latitude"], "lon": place["longitude"], "population": place["population"],
                     "source": "geonames"})
    for place in HAND_SETTLEMENTS:
        found = locate(municipalities, place.lat, place.lon)
        if found != place.municipality:
            raise ValueError(f"{place.name} lies in {found}, not in {place.municipality}")
        rows.append({"name": place.name, "kind": place.kind, "municipality": found, "lat": f"{place.lat:.4f}",
                     "lon": f"{place.lon:.4f}", "population": "", "source": "project"})
    rows.sort(key=lambda row: (row["municipality"], row["name"]))
    missing = {m.name for m in municipalities} - {row["municipality"] for row in rows}
    if missing:
        raise ValueError(f"municipalities without a settlement: {sorted(missing)}")
    return rows


def build_city_districts(municipalities: list[Municipality], settlements: list[dict]) -> list[dict]:
    rows = []
    for city, districts in CITY_DISTRICTS.items():
        for district in districts:
            found = locate(municipalities, district.lat, district.lon)
            if found != city:
                raise ValueError(f"district {district.name} lies in {found}, not in {city}")
            rows.append({"municipality": city, "district": district.name,
                         "lat": f"{district.lat:.4f}", "lon": f"{district.lon:.4f}"})
        for name in OUTLYING_CITY_DISTRICTS.get(city, []):
            place = next(row for row in settlements
                         if row["name"] == name and row["municipality"] == city)
            rows.append({"municipality": city, "district": name,
                         "lat": place["lat"], "lon": place["lon"]})
    return rows


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    municipalities = load_municipalities()
    build_boundaries(municipalities)
    settlements = build_settlements(municipalities)
    write_csv(GEO_DIR / "settlements.csv", SETTLEMENT_COLUMNS, settlements)
    write_csv(GEO_DIR / "city_districts.csv", CITY_DISTRICT_COLUMNS,
              build_city_districts(municipalities, settlements))
    print(f"{len(municipalities)} municipalities, {len(settlements)} settlements written to {GEO_DIR}")


if __name__ == "__main__":
    main()
