"""Geocoding pieces without a database: address spelling, the region's data, precision, settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from navigator import config
from navigator.geocoding import GeocodingSettings
from navigator.geocoding.address import address_key, geocoder_query, settlement_names
from navigator.geocoding.chain import Geocoding
from navigator.geocoding.online import precision_of
from navigator.geocoding.region import load_region

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def region():
    values = config.load(Path("/nonexistent"), {}, {"SECRET_KEY": "x"})
    return load_region(values["BOUNDARIES_FILE"], values["GAZETTEER_FILE"], values["CITY_DISTRICTS_FILE"])


@pytest.mark.parametrize("spelling", [
    "г. Кемерово, ул. Весенняя, 5",
    "Г. КЕМЕРОВО,  УЛ. ВЕСЕННЯЯ,5",
    "город Кемерово, улица Весенняя, дом 5",
    "Кемерово г., Весенняя ул., д. 5",
    "650000, Россия, Кемеровская обл., г.Кемерово, ул.Весенняя, д.5",
])
def test_spellings_of_one_address_share_a_cache_key(spelling):
    assert address_key(spelling) == address_key("г. Кемерово, ул. Весенняя, 5") == "г кемерово ул весенняя 5"


def test_cache_key_folds_yo_letter_and_house_letters_and_avenue_words():
    assert address_key("пгт Промышленная, ул. Коммунистическая 23А") == address_key(
        "посёлок городского типа Промышленная, улица Коммунистическая, 23 а")
    assert address_key("г. Новокузнецк, пр. Советской Армии, 30") == address_key(
        "г. Новокузнецк, проспект Советской армии, 30")
    assert address_key("с. Елыкаево, ул. Молодёжная, 53") == address_key("с. Елыкаево, ул. Молодежная, 53")
    assert address_key("г. Кемерово, ул. Весенняя, 5") != address_key("г. Кемерово, ул. Весенняя, 7")


def test_the_geocoder_reads_the_address_without_settlement_kinds():
    assert geocoder_query("г. Кемерово, ул. Весенняя, 5") == "Кемерово, улица Весенняя, 5"
    assert geocoder_query("пгт Промышленная, ул. Коммунистическая 23А") == "Промышленная, улица Коммунистическая 23А"
    assert geocoder_query("г. Кемерово, ж/р Лесная Поляна, пр. Ленина, д. 10") == \
        "Кемерово, Лесная Поляна, проспект Ленина, 10"


def test_the_settlement_named_is_found_finest_first():
    assert settlement_names("г. Кемерово, ж/р Лесная Поляна, ул. Святой Троицы, 10") == ["Лесная Поляна", "Кемерово"]
    assert settlement_names("с. Елыкаево") == ["Елыкаево"]
    assert settlement_names("Красное Село, ул. Ленина, 3") == ["Красное Село"]


@pytest.mark.parametrize(("raw", "precision"), [
    ({"class": "building", "type": "house", "place_rank": 30}, "building"),
    ({"class": "place", "type": "house", "place_rank": 30}, "building"),
    ({"class": "amenity", "type": "school", "place_rank": 30}, "building"),
    ({"class": "highway", "type": "residential", "place_rank": 26}, "street"),
    ({"class": "place", "type": "village", "place_rank": 19}, "settlement"),
    ({"class": "boundary", "type": "administrative", "place_rank": 16}, "settlement"),
    ({"class": "boundary", "type": "administrative", "place_rank": 12}, "municipality"),
    ({"category": "building", "type": "yes"}, "building"),
])
def test_precision_follows_what_nominatim_found(raw, precision):
    assert precision_of(raw) == precision


def test_gazetteer_finds_the_settlement_within_the_rows_municipality(region):
    place = region.offline_place("пгт Промышленная, ул. Коммунистическая 23А", "Промышленновский муниципальный округ",
                                 None)
    assert (place.lat, place.lon, place.precision) == (54.91443, 85.63971, "settlement")
    assert place.label == "пгт Промышленная"
    place = region.offline_place("с. Елыкаево", "Кемеровский муниципальный округ", None)
    assert (place.lat, place.lon, place.precision) == (55.567, 86.047, "settlement")


def test_a_city_district_places_a_town_address_closer(region):
    place = region.offline_place("г. Кемерово, ул. Весенняя, 43", "Кемеровский городской округ", "Центральный")
    assert (place.lat, place.lon, place.label) == (55.352, 86.087, "г. Кемерово, Центральный")
    outlying = region.offline_place("г. Кемерово, ж/р Лесная Поляна, ул. Святой Троицы, 10",
                                    "Кемеровский городской округ", "Лесная Поляна")
    assert (outlying.lat, outlying.lon, outlying.precision) == (55.412, 86.235, "settlement")


def test_without_the_settlement_the_municipality_centroid_is_used(region):
    # Kemerovo is not in the municipal okrug around it: the row's municipality wins.
    place = region.offline_place("г. Кемерово, ул. Лесная, 23", "Кемеровский муниципальный округ", None)
    assert place.precision == "municipality" and place.label == "Кемеровский муниципальный округ"
    assert region.accepts(place.lat, place.lon, "Кемеровский муниципальный округ")
    assert region.offline_place("ул. Лесная, 23", "Неизвестный округ", None) is None


def test_region_rejects_points_outside_it_or_outside_the_municipality(region):
    assert region.accepts(55.3549, 86.0868, "Кемеровский городской округ")
    assert region.accepts(55.3549, 86.0868, None)
    assert not region.accepts(55.7558, 37.6173, None)  # Moscow
    assert not region.accepts(53.7560, 87.12, "Кемеровский городской округ")  # Novokuznetsk
    (south, west), (north, east) = region.boundaries.bounding_box()
    assert south < 55.35 < north and west < 86.08 < east


def test_geodata_settings_default_to_the_bundled_files_and_resolve_from_the_root(tmp_path):
    values = config.load(tmp_path, {"NAVIGATOR_GAZETTEER_FILE": "elsewhere/places.csv",
                                    "NAVIGATOR_CITY_DISTRICTS_FILE": ""}, {"SECRET_KEY": "x"})
    assert values["BOUNDARIES_FILE"] == str(ROOT / "data" / "geo" / "municipalities.geojson")
    assert values["GAZETTEER_FILE"] == str(ROOT / "elsewhere" / "places.csv")
    assert values["CITY_DISTRICTS_FILE"] == ""
    assert (values["GEOCODER"], values["NOMINATIM_URL"], values["GEOCODER_MIN_DELAY"]) == (
        "off", "https://nominatim.openstreetmap.org", 1.0)


def test_an_unknown_geocoder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="off or nominatim"):
        config.load(tmp_path, {"NAVIGATOR_GEOCODER": "google"}, {"SECRET_KEY": "x"})
    assert config.load(tmp_path, {"NAVIGATOR_GEOCODER": " Nominatim "}, {"SECRET_KEY": "x"})["GEOCODER"] == "nominatim"


def test_missing_region_files_switch_their_part_off():
    bare = Geocoding.from_settings(GeocodingSettings(boundaries_file="", gazetteer_file="/nonexistent.csv"))
    assert bare.region.accepts(55.7558, 37.6173, "Кемеровский городской округ")
    assert bare.region.offline_place("с. Елыкаево", "Кемеровский муниципальный округ", None) is None


def test_the_public_service_without_a_contact_draws_a_warning():
    public = Geocoding.from_settings(GeocodingSettings(geocoder="nominatim"))
    assert "NAVIGATOR_GEOCODER_EMAIL" in public.warnings()[0]
    assert not Geocoding.from_settings(GeocodingSettings(geocoder="nominatim", email="a@b.example")).warnings()
    assert not Geocoding.from_settings(GeocodingSettings(geocoder="nominatim",
                                                         nominatim_url="http://nominatim.local")).warnings()
