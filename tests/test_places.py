"""The offline address index and /api/v1/places: a street and a house the catalogue's venues know,
however a parent types them; a place it does not know is a 404 with a message."""

from __future__ import annotations

import pytest

from navigator.geocoding.places import AddressIndex, Typed
from tests.factories import load_programs, make_row

VENUES = [
    ("г. Новокузнецк, ул. Кирова, 71А", 53.7570, 87.1360),
    ("г. Новокузнецк, ул. Кирова, 55", 53.7600, 87.1300),
    ("г. Новокузнецк, пр. Металлургов, 12", 53.7590, 87.1100),
    ("г. Новокузнецк, ул. Ленина, 10", 53.7700, 87.1500),
    ("г. Кемерово, ул. Ленина, 10", 55.3500, 86.0800),
    ("г. Кемерово, ул. Молодёжная, 3Б", 55.3300, 86.1500),
    ("г. Кемерово, ж/р Лесная Поляна, ул. Тюленина, 4", 55.4000, 86.2000),
]


@pytest.fixture(scope="module")
def index():
    return AddressIndex(VENUES)


@pytest.mark.parametrize("typed", [
    "Новокузнецк, ул. Кирова, 71а", "г. Новокузнецк, улица Кирова, д. 71А", "Новокузнецк улица Кирова 71а",
    "ул Кирова 71 а Новокузнецк", "кирова 71а новокузнецк", "Кирова улица, 71А, г.Новокузнецк",
])
def test_a_house_however_typed(index, typed):
    found = index.find(typed)
    assert (found.lat, found.lon, found.precision) == (53.7570, 87.1360, "building")
    assert found.label == "г. Новокузнецк, ул. Кирова, 71А"


@pytest.mark.parametrize("typed", ["Новокузнецк, пр-т Металлургов, 12", "Новокузнецк проспект Металлургов 12",
                                   "Новокузнецк просп. Металлургов, 12"])
def test_avenue_spellings(index, typed):
    assert index.find(typed).precision == "building"


def test_yo_and_e_are_one_letter(index):
    assert index.find("Кемерово, ул. Молодежная, 3б").lat == 55.33


def test_a_street_without_the_house_or_with_an_unknown_one(index):
    street = index.find("Новокузнецк, ул. Кирова")
    assert street.precision == "street" and street.label == "ул. Кирова, г. Новокузнецк"
    nearest_number = index.find("Новокузнецк, ул. Кирова, 69")
    assert (nearest_number.precision, nearest_number.lat) == ("street", 53.7570)


def test_the_settlement_decides_between_streets_of_the_same_name(index):
    assert index.find("Кемерово, ул. Ленина, 10").lat == 55.35
    assert index.find("Новокузнецк Ленина 10").lat == 53.77
    assert index.find("ул. Ленина, 10") is None  # two cities, nothing to choose by: no guess
    assert index.find("Лесная Поляна, Тюленина 4").lat == 55.40


def test_unknown_streets_and_bare_settlements_are_left_to_the_gazetteer(index):
    assert index.find("Новокузнецк, ул. Несуществующая, 1") is None
    assert index.find("Новокузнецк") is None


def test_typed_text_is_read_word_by_word():
    assert Typed.read("г.Новокузнецк, проспект Металлургов, д. 12 к") == Typed("пр-кт", "12к", ("новокузнецк",
                                                                                           "металлургов"))


def test_places_api(app, client, tmp_path):
    load_programs(app, [make_row(1, address="г. Кемерово, ул. Весенняя, 5", lat="55.354900", lon="86.086800")],
                  tmp_path)
    body = client.get("/api/v1/places", query_string={"q": "Кемерово улица Весенняя 5"}).get_json()
    assert body == {"label": "г. Кемерово, ул. Весенняя, 5", "lat": 55.3549, "lon": 86.0868, "precision": "building"}
    missing = client.get("/api/v1/places", query_string={"q": "Абырвалгск, ул. Нет, 1"})
    assert missing.status_code == 404 and "не найдено" in missing.get_json()["error"]["message"]
    assert client.get("/api/v1/places").status_code == 400
    near = client.get("/api/v1/programs", query_string={"place": "ул. Весенняя, 5, Кемерово"}).get_json()
    assert near["items"][0]["distance_km"] == 0.0
    settlement = client.get("/api/v1/places", query_string={"q": "Абагур"}).get_json()  # from the gazetteer
    assert settlement == {"label": "пос. Абагур, Новокузнецкий городской округ", "lat": 53.7308, "lon": 87.2526,
                          "precision": "settlement"}
