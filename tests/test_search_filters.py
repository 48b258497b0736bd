"""Property-style: a filter-only search returns exactly the programs the database holds for it."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import and_, exists, func, or_, select

from navigator.catalogue.models import (
    District,
    Municipality,
    Organization,
    Program,
    ProgramEnrollment,
    ProgramOvz,
    Venue,
)
from navigator.catalogue.vocab import DIRECTIONS, ENROLLMENT_KINDS, FORMATS, OVZ_CATEGORIES
from tests.factories import load_programs, make_row

MUNICIPALITIES = {"Кемеровский городской округ": ["Центральный", "Ленинский", ""],
                  "Юргинский городской округ": [""],
                  "Тисульский муниципальный округ": ["Тисуль", "Комсомольск"]}


def random_rows(count: int, seed: int = 7) -> list[dict[str, str]]:
    chance = random.Random(seed)
    rows = []
    for number in range(1, count + 1):
        municipality = chance.choice(sorted(MUNICIPALITIES))
        age_min = chance.randint(3, 15)
        kinds = chance.sample([t.label for t in ENROLLMENT_KINDS], chance.randint(1, 3))
        seats = chance.randint(5, 30)
        archived_org = number % 17 == 0
        rows.append(make_row(
            number, title=f"Программа {number}", direction=chance.choice(DIRECTIONS.codes),
            age_min=str(age_min), age_max=str(chance.randint(age_min, 18)), enrollment=";".join(kinds),
            price_rub=str(chance.randrange(0, 5000, 100)) if "Платно" in kinds else "",
            seats_total=str(seats), seats_free=str(chance.choice([0, 0, chance.randint(0, seats)])),
            ovz=";".join(chance.sample([t.label for t in OVZ_CATEGORIES], chance.choice([0, 0, 0, 1, 2]))) or "Без ОВЗ",
            format=chance.choice(FORMATS.codes), municipality=municipality,
            district=chance.choice(MUNICIPALITIES[municipality]),
            organization_id=f"o{number % 23}", organization=f"Организация {number % 23}",
            organization_type="", phone="", email="", website="",
            address=f"{municipality}, ул. Школьная, {number}",
            lat=f"{55 + chance.random():.6f}", lon=f"{86 + chance.random():.6f}",
            profile=chance.choice(["Шахматы", "Футбол", "Вокал", ""]),
            description=f"Описание программы номер {number}.")
                    | ({"organization_id": "gone", "organization": "Закрытая"} if archived_org else {}))
    return rows


def expected_count(session, params: dict) -> int:
    """The same conditions written directly in SQL, independently of the search code."""
    conditions = [Program.status == "active"]
    if "age" in params:
        conditions += [Program.age_min <= params["age"], Program.age_max >= params["age"]]
    if "direction" in params:
        conditions.append(Program.direction.in_(params["direction"]))
    if "enrollment" in params:
        conditions.append(exists().where(ProgramEnrollment.program_id == Program.id,
                                         ProgramEnrollment.kind.in_(params["enrollment"])))
    if "price_max" in params:
        conditions.append(or_(
            exists().where(ProgramEnrollment.program_id == Program.id, ProgramEnrollment.kind != "paid"),
            Program.price_rub <= params["price_max"]))
    if "municipality" in params:
        conditions.append(Venue.municipality_id == params["municipality"])
    if "district" in params:
        conditions.append(Venue.district_id == params["district"])
    if "ovz" in params:
        category = [] if params["ovz"] == "any" else [ProgramOvz.category == params["ovz"]]
        conditions.append(exists().where(ProgramOvz.program_id == Program.id, *category))
    if "format" in params:
        conditions.append(Program.format == params["format"])
    if params.get("free_seats"):
        conditions.append(Program.seats_free > 0)
    if "organization" in params:
        conditions.append(Organization.public_id == params["organization"])
    if "profile" in params:
        conditions.append(Program.profile == params["profile"].capitalize())  # SQLite's lower() is ASCII-only
    statement = (select(func.count()).select_from(Program).join(Venue, Program.venue_id == Venue.id)
                 .join(Organization, Program.organization_id == Organization.id).where(and_(*conditions)))
    return session.scalar(statement)


def random_filters(chance: random.Random, places: list[tuple[int, int | None]]) -> dict:
    params = {}
    if chance.random() < 0.5:
        params["age"] = chance.randint(0, 18)
    if chance.random() < 0.4:
        params["direction"] = chance.sample(DIRECTIONS.codes, chance.randint(1, 3))
    if chance.random() < 0.4:
        params["enrollment"] = chance.sample(ENROLLMENT_KINDS.codes, chance.randint(1, 2))
    if chance.random() < 0.3:
        params["price_max"] = chance.randrange(0, 5000, 250)
    if chance.random() < 0.4:
        municipality, district = chance.choice(places)
        params["municipality"] = municipality
        if district and chance.random() < 0.5:
            params["district"] = district
    if chance.random() < 0.3:
        params["ovz"] = chance.choice(["any", *OVZ_CATEGORIES.codes])
    if chance.random() < 0.3:
        params["format"] = chance.choice(FORMATS.codes)
    if chance.random() < 0.3:
        params["free_seats"] = 1
    if chance.random() < 0.15:
        params["organization"] = f"o{chance.randint(0, 22)}"
    if chance.random() < 0.2:
        params["profile"] = chance.choice(["Шахматы", "футбол", "Вокал"])
    return params


@pytest.fixture
def catalogue(app, session, tmp_path):
    load_programs(app, random_rows(300), tmp_path)
    session.execute(Program.__table__.update().where(Program.organization_id == session.scalar(
        select(Organization.id).where(Organization.public_id == "gone"))).values(status="archived"))
    session.commit()
    from navigator.extensions import index_follower

    index_follower(app).rebuild()  # the archiving above bypassed the outbox (raw SQL): only a rebuild sees it
    places = [(m.id, None) for m in session.scalars(select(Municipality))]
    places += [(d.municipality_id, d.id) for d in session.scalars(select(District))]
    return places


def test_filter_only_searches_match_the_database(client, session, catalogue):
    chance = random.Random(2026)
    for _ in range(120):
        params = random_filters(chance, catalogue)
        body = client.get("/api/v1/programs", query_string=params | {"per_page": 100}).get_json()
        assert body["total"] == expected_count(session, params), repr(params)
        assert len(body["items"]) == min(100, body["total"])


def test_every_result_satisfies_every_filter(client, catalogue):
    municipality, district = next(p for p in catalogue if p[1])
    body = client.get("/api/v1/programs", query_string={
        "age": 9, "enrollment": "free", "municipality": municipality, "district": district, "per_page": 100,
        "near": "55.5,86.5", "radius_km": 40}).get_json()
    assert body["total"] > 0
    for item in body["items"]:
        assert item["age_min"] <= 9 <= item["age_max"] and "free" in item["enrollment"]
        assert item["distance_km"] <= 40


def test_archived_programs_never_appear(client, catalogue):
    body = client.get("/api/v1/programs", query_string={"organization": "o1", "per_page": 100}).get_json()
    assert body["total"] > 0
    all_ids = []
    for page in range(1, 5):
        all_ids += [i["id"] for i in client.get("/api/v1/programs", query_string={
            "per_page": 100, "page": page}).get_json()["items"]]
    assert not {f"p{n}" for n in range(17, 301, 17)} & set(all_ids)
    assert len(all_ids) == 300 - len(range(17, 301, 17))


FACET_FILTERS = {  # how each facet's value is written as a filter for expected_count
    "direction": lambda value: [value], "enrollment": lambda value: [value], "format": lambda value: value,
    "ovz": lambda value: value, "municipality": int, "district": int}


@pytest.mark.parametrize("params", [
    {"age": 10, "direction": ["art"], "enrollment": ["free"]},
    {"ovz": OVZ_CATEGORIES.codes[0], "format": "in_person"},
    {"ovz": "any", "direction": ["art", "sport"], "free_seats": 1},
    {},
])
def test_facets_count_as_if_their_own_filter_were_off(client, session, catalogue, params):
    """Every facet (bit masks and places included) counts what its own value would find with the other filters."""
    places = [place for place in catalogue if place[1] is not None]
    for municipality, district in (None, None), places[0]:
        query = {**params, **({"municipality": municipality, "district": district} if municipality else {})}
        body = client.get("/api/v1/programs", query_string=query).get_json()
        assert body["total"] == expected_count(session, query)
        assert set(body["facets"]) == set(FACET_FILTERS)
        for name, as_filter in FACET_FILTERS.items():
            if name == "district" and municipality is None:
                assert body["facets"][name] == []
                continue
            assert body["facets"][name], name
            for facet in body["facets"][name]:
                looser = {key: value for key, value in query.items() if key != name}
                expected = expected_count(session, {**looser, name: as_filter(facet["value"])})
                assert facet["count"] == expected, (name, facet)


def test_counting_only_finds_what_the_search_finds(app, session, catalogue):
    """The advice's looser searches are counted without pages or facets: the same totals as whole searches."""
    from werkzeug.datastructures import MultiDict

    from navigator.extensions import search_index
    from navigator.search import run_search
    from navigator.search.engine import count_results
    from navigator.search.request import parse_request

    chance = random.Random(11)
    requests = []
    for number in range(60):
        params = random_filters(chance, catalogue)
        if number % 3 == 0:
            params["q"] = chance.choice(["шахматы", "футбол вокал", "ахматы", "ifazvfns", "кружок"])
        if number % 4 == 0:
            params |= {"near": "55.35,86.08", "radius_km": chance.choice([1, 5, 30])}
        requests.append(parse_request(MultiDict([(k, str(v)) for k, value in params.items()
                                                 for v in (value if isinstance(value, list) else [value])])))
    index = search_index(app)
    totals = count_results(session, index, requests)
    assert totals == [run_search(session, index, request).total for request in requests]
    assert any(totals) and not all(totals)
