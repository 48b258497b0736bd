"""Coverage: figures against direct database counts, gaps at hand-placed distances, pages, exports, freshness."""

from __future__ import annotations

import csv
import io
import math
import re
import threading

import numpy as np
import pytest
from openpyxl import load_workbook
from sqlalchemy import distinct, func, select, update

from navigator import create_app, migrations
from navigator.catalogue import changes
from navigator.catalogue.changes import mark_programs_changed
from navigator.catalogue.distance import EARTH_RADIUS_KM, haversine_km
from navigator.catalogue.importer import import_file
from navigator.catalogue.models import Municipality, Program, ProgramEnrollment, ProgramOvz, Venue
from navigator.catalogue.vocab import DIRECTIONS, OVZ_CATEGORIES
from navigator.coverage import load_population
from navigator.coverage import service as service_module
from navigator.coverage.gaps import find_gaps, nearest_km, status
from navigator.coverage.maps import NO_DATA_COLOUR, Scale
from navigator.extensions import coverage, database
from navigator.sampledata.generator import write_csv as write_sample
from tests.factories import make_row, venue, write_csv

EMPTY_MUNICIPALITY = "Тестовый муниципальный округ"
#: Kilometres per degree of latitude on the sphere the gaps use.
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


def _population_file(tmp_path, names):
    """A population file with a region row and a figure (an estimate) for each name."""
    path = tmp_path / "population.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["level", "name", "children_5_18", "population", "year", "estimate", "method", "source"])
        writer.writerow(["region", "Тестовая область", "100000", "600000", "2023", "yes", "Оценка по отчёту.", "Отчёт"])
        for number, name in enumerate(names):
            writer.writerow(["municipality", name, str(1000 + number), "", "2023", "yes", "Оценка: доля.", "Реестр"])
    return path


@pytest.fixture
def coverage_app(database_url, tmp_path):
    """An app whose population file names one municipality that has no programs at all."""
    population = _population_file(tmp_path, ["Кемеровский городской округ", EMPTY_MUNICIPALITY])
    application = create_app({"TESTING": True, "DATABASE_URL": database_url, "INDEX_DIR": str(tmp_path / "index"),
                              "SECRET_KEY": "test", "POPULATION_FILE": str(population)},
                             instance_path=str(tmp_path / "instance"))
    migrations.upgrade(database(application).engine)
    yield application
    database(application).engine.dispose()


@pytest.fixture
def sample(coverage_app, tmp_path):
    """Generated programs, a tenth of them archived, and every program of one municipality archived."""
    path = tmp_path / "sample.csv"
    write_sample(path, 300, seed=7)
    factory = database(coverage_app).session_factory
    with factory() as session:
        import_file(session, path)
        ids = session.scalars(select(Program.id).order_by(Program.id)).all()
        session.execute(update(Program).where(Program.id.in_(ids[::10])).values(status="archived"))
        emptied = session.scalar(select(Municipality.name).where(Municipality.name == "Яйский муниципальный округ"))
        venues = select(Venue.id).join(Municipality).where(Municipality.name == emptied)
        session.execute(update(Program).where(Program.venue_id.in_(venues)).values(status="archived"))
        session.commit()
    return emptied


def _expected(session, direction=None):
    """Per municipality, the figures counted straight from the database with SQL."""
    active = select(Program.id).join(Venue).where(Program.status == "active")
    if direction:
        active = active.where(Program.direction == direction)
    ids = active.scalar_subquery()
    rows = session.execute(
        select(Municipality.name, func.count(Program.id), func.count(distinct(Program.organization_id)),
               func.count(distinct(Program.venue_id)), func.coalesce(func.sum(Program.seats_total), 0),
               func.coalesce(func.sum(Program.seats_free), 0))
        .select_from(Program).join(Venue).join(Municipality).where(Program.id.in_(ids)).group_by(Municipality.name))
    expected = {name: {"programs": programs, "organizations": organizations, "venues": venues, "seats": seats,
                       "seats_free": free} for name, programs, organizations, venues, seats, free in rows}
    per_direction = session.execute(
        select(Municipality.name, Program.direction, func.count(Program.id)).select_from(Program).join(Venue)
        .join(Municipality).where(Program.id.in_(ids)).group_by(Municipality.name, Program.direction))
    for name, code, count in per_direction:
        expected[name][f"programs_{code}"] = count
    for kind in ("free", "paid", "certificate"):
        for name, count in session.execute(
                select(Municipality.name, func.count(ProgramEnrollment.program_id)).select_from(ProgramEnrollment)
                .join(Program).join(Venue).join(Municipality)
                .where(ProgramEnrollment.kind == kind, Program.id.in_(ids)).group_by(Municipality.name)):
            expected[name][f"share_{kind}"] = round(count * 100 / expected[name]["programs"], 1)
    for name, count in session.execute(
            select(Municipality.name, func.count(distinct(ProgramOvz.program_id))).select_from(ProgramOvz)
            .join(Program).join(Venue).join(Municipality).where(Program.id.in_(ids)).group_by(Municipality.name)):
        expected[name]["ovz_programs"] = count
    return expected


def _check(rows, expected):
    for row in rows:
        want = expected.get(row["municipality"], {})
        for key in ("programs", "organizations", "venues", "seats", "seats_free", "ovz_programs",
                    *(f"programs_{code}" for code in DIRECTIONS.codes)):
            assert row[key] == want.get(key, 0), (row["municipality"], key)
        for kind in ("free", "paid", "certificate"):
            assert row[f"share_{kind}"] == (want.get(f"share_{kind}", 0.0) if want.get("programs") else None)


def test_figures_equal_database_counts(coverage_app, sample):
    client = coverage_app.test_client()
    body = client.get("/api/v1/coverage").get_json()
    rows = {row["municipality"]: row for row in body["municipalities"]}
    with database(coverage_app).session_factory() as session:
        expected = _expected(session)
        every_municipality = set(session.scalars(select(Municipality.name)))
        active = session.scalar(select(func.count(Program.id)).where(Program.status == "active"))
    _check(body["municipalities"], expected)
    assert set(rows) == every_municipality | {EMPTY_MUNICIPALITY}
    assert sum(row["programs"] for row in body["municipalities"]) == active == body["region"]["programs"]
    for name in (sample, EMPTY_MUNICIPALITY):  # all archived / no data at all: present, with zeros
        assert rows[name]["programs"] == rows[name]["seats"] == rows[name]["organizations"] == 0
        assert rows[name]["share_free"] is None
    assert rows[EMPTY_MUNICIPALITY]["seats_per_1000"] == 0.0 and rows[EMPTY_MUNICIPALITY]["children_estimate"]
    kemerovo = rows["Кемеровский городской округ"]
    assert kemerovo["children_5_18"] == 1000
    assert kemerovo["seats_per_1000"] == round(kemerovo["seats"] * 1000 / 1000, 1)
    assert rows["Мариинский муниципальный округ"]["seats_per_1000"] is None  # no population figure
    assert body["region"]["seats_per_1000"] == round(body["region"]["seats"] * 1000 / 100000, 1)


def test_one_direction_filter(coverage_app, sample):
    body = coverage_app.test_client().get("/api/v1/coverage?direction=art").get_json()
    with database(coverage_app).session_factory() as session:
        expected = _expected(session, "art")
    _check(body["municipalities"], expected)
    assert all(row["programs"] == row["programs_art"] for row in body["municipalities"])
    assert body["filter"] == {"direction": "art", "enrollment": None}
    labelled = coverage_app.test_client().get("/api/v1/coverage?direction=Художественная").get_json()
    assert labelled["municipalities"] == body["municipalities"]


@pytest.mark.parametrize("query", ["enrollment=", "direction=", "indicator=", "direction=art&direction=art",
                                   "enrollment=%20free", "direction=художественная", "enrollment=null"])
def test_the_api_takes_exactly_the_values_its_document_lists(client, query):
    """The probe's schemathesis run: `/api/v1/coverage?enrollment=` was answered as if the filter were absent. The
    document lists each code and its label as written; the pages stay forgiving (blank is their «все»)."""
    parameter = query.split("=")[0]
    for path in ("/api/v1/coverage", "/api/v1/coverage/Кемеровский городской округ"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400 and response.get_json()["error"]["parameter"] == parameter, path
    if query.endswith("="):
        assert client.get(f"/coverage?{query}").status_code == 200
    assert client.get("/api/v1/coverage?direction=Художественная&enrollment=free").status_code == 200


def test_bad_parameters_answer_400(client):
    response = client.get("/api/v1/coverage?direction=chess")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "direction"
    assert client.get("/coverage?enrollment=gratis").status_code == 400
    assert client.get("/coverage?indicator=nothing").status_code == 400
    assert client.get("/api/v1/coverage/Нигде").status_code == 404
    assert client.get("/coverage/Нигде").status_code == 404


def test_haversine_and_status_at_hand_placed_distances():
    lat, lon = 55.0, 86.0
    for kilometres in (1.4, 1.6, 4.9, 5.1):
        assert haversine_km(lat, lon, lat + kilometres / KM_PER_DEGREE, lon) == pytest.approx(kilometres, abs=1e-9)
    assert haversine_km(55.3549, 86.0868, 53.7943, 87.2143) == pytest.approx(188, abs=3)  # Kemerovo–Novokuznetsk
    assert [status(d) for d in (1.4, 1.5, 1.6, 5.0, 5.1, math.inf)] == ["walk", "walk", "near", "near", "far", "far"]
    found = nearest_km(np.array([lat]), np.array([lon]),
                       np.array([lat + 1.6 / KM_PER_DEGREE, lat + 1.4 / KM_PER_DEGREE]), np.array([lon, lon]))
    assert found[0] == pytest.approx(1.4)


def test_gaps_at_1_4_and_1_6_km(database_url, tmp_path):
    """A sport program 1.4 km from a village is within a walk; an art program 1.6 km away is not."""
    lat, lon = 55.0, 86.0
    gazetteer = tmp_path / "settlements.csv"
    gazetteer.write_text("name,kind,municipality,lat,lon,population,source\n"
                         f"Тестовое,с,Кемеровский городской округ,{lat},{lon},1200,test\n"
                         f"Дальнее,с,Кемеровский городской округ,{lat + 0.5},{lon},300,test\n", encoding="utf-8")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "INDEX_DIR": str(tmp_path / "index"),
                      "SECRET_KEY": "test", "GAZETTEER_FILE": str(gazetteer), "CITY_DISTRICTS_FILE": "",
                      "BOUNDARIES_FILE": "", "POPULATION_FILE": ""}, instance_path=str(tmp_path / "instance"))
    migrations.upgrade(database(app).engine)
    rows = [make_row(1, direction="sport", **venue(1, lat + 1.4 / KM_PER_DEGREE, lon)),
            make_row(2, direction="art", **venue(2, lat + 1.6 / KM_PER_DEGREE, lon)),
            make_row(3, direction="technical", format="Дистанционно", **venue(3, lat, lon)),
            make_row(4, direction="science", **venue(4, lat - 4.9 / KM_PER_DEGREE, lon))]
    with database(app).session_factory() as session:
        import_file(session, write_csv(tmp_path / "gaps.csv", rows))
    body = app.test_client().get("/api/v1/coverage/Кемеровский городской округ").get_json()
    gaps = {gap["place"]: gap for gap in body["gaps"]}
    near = gaps["Тестовое"]
    assert near["nearest_km_sport"] == pytest.approx(1.4, abs=0.01) and near["status_sport"] == "walk"
    assert near["nearest_km_art"] == pytest.approx(1.6, abs=0.01) and near["status_art"] == "near"
    assert near["status_science"] == "near"
    assert near["status_technical"] == "far" and near["nearest_km_technical"] is None  # online only
    assert near["status_tourism"] == "far"
    assert gaps["Дальнее"]["status_sport"] == "far"
    page = app.test_client().get("/coverage/Кемеровский городской округ").get_data(as_text=True)
    assert "Тестовое" in page and "по прямой" in page
    with app.app_context(), database(app).session_factory() as session:  # the matrix and the direct way agree
        snapshot = coverage(app).service.snapshot(session)
        mask = np.ones(snapshot.catalogue.size, dtype=bool)
        direct = find_gaps(snapshot.points, snapshot.catalogue, mask)
        from_matrix = find_gaps(snapshot.points, snapshot.catalogue, mask, snapshot.distances)
        for one, other in zip(direct, from_matrix, strict=True):
            assert one.distances == pytest.approx(other.distances, rel=1e-6)
    database(app).engine.dispose()


@pytest.fixture
def slow_coverage(coverage_app, tmp_path, monkeypatch):
    """A coverage that counts as slow to load, with one program loaded; add_second() imports another."""
    monkeypatch.setattr(service_module, "INLINE_RELOAD_S", 0.0)
    client = coverage_app.test_client()
    factory = database(coverage_app).session_factory
    with factory() as session:
        import_file(session, write_csv(tmp_path / "one.csv", [make_row(1)]))
    assert client.get("/api/v1/coverage").get_json()["region"]["programs"] == 1

    def add_second():
        with factory() as session:
            import_file(session, write_csv(tmp_path / "two.csv", [make_row(1), make_row(2, **venue(2, 55.36, 86.09))]))

    def programs() -> int:
        return client.get("/api/v1/coverage").get_json()["region"]["programs"]

    return client, coverage(coverage_app).service, add_second, programs


def test_a_large_catalogue_reloads_in_the_background(slow_coverage, monkeypatch):
    """When loading is slow, the previous figures answer (the page says so) until the new ones are loaded."""
    client, service, add_second, programs = slow_coverage
    monkeypatch.setattr(service_module, "RELOAD_EVERY_S", 0.0)
    gate = threading.Event()
    load = service_module.load_catalogue
    monkeypatch.setattr(service_module, "load_catalogue", lambda *args: gate.wait(10) and load(*args))
    add_second()
    assert programs() == 1  # the previous figures meanwhile
    assert service.refreshing
    assert "показатели пересчитываются" in client.get("/coverage").get_data(as_text=True)
    gate.set()
    service.wait(10)
    assert not service.refreshing
    assert programs() == 2


def test_a_large_catalogue_is_reloaded_at_most_once_a_minute(slow_coverage):
    """Providers save every second: a slow snapshot is kept (and said to be out of date) until it is a minute old."""
    client, service, add_second, programs = slow_coverage
    add_second()
    assert programs() == 1
    assert service.refreshing and "показатели пересчитываются" in client.get("/coverage").get_data(as_text=True)
    service.wait(10)
    assert programs() == 1  # no reload yet
    service._snapshot.loaded_at -= service_module.RELOAD_EVERY_S  # a minute later
    programs()
    service.wait(10)
    assert programs() == 2 and not service.refreshing


def test_pages_and_exports(coverage_app, sample):
    client = coverage_app.test_client()
    page = client.get("/coverage?indicator=programs&direction=sport")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "leaflet" in html and "coverage-map.js" in html and "/coverage/export/municipalities.xlsx" in html
    assert EMPTY_MUNICIPALITY in html and "оценка" in html
    assert "участники OpenStreetMap" in html  # the tiles' attribution reaches the map
    client.set_cookie("low_vision", "1")
    for url in ("/coverage", "/coverage/Кемеровский городской округ"):  # no maps; the tables say everything
        text = client.get(url).get_data(as_text=True)
        assert "folium-map" not in text and "карт" in text and "<table" in text
    client.delete_cookie("low_vision")
    sorted_page = client.get("/coverage?sort=programs&order=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in sorted_page

    body = client.get("/api/v1/coverage?direction=sport").get_json()
    by_name = {row["municipality"]: row for row in body["municipalities"]}
    response = client.get("/coverage/export/municipalities.csv?direction=sport")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # the byte-order mark tells Excel the file is UTF-8
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))  # as Russian Excel splits it
    assert table[0][:2] == ["Муниципалитет", "Программ"]
    csv_rows = {row[0]: row for row in table[1:] if row and row[0] in by_name}
    assert {name: int(row[1]) for name, row in csv_rows.items()} == {n: r["programs"] for n, r in by_name.items()}
    decimals = [cell for row in table[1:] for cell in row if any(ch.isdigit() for ch in cell) and "." in cell]
    assert not decimals, "Russian Excel reads a decimal comma, not a point"
    assert any("," in cell for row in table[1:] for cell in row[1:])
    standard = client.get("/coverage/export/municipalities.csv?direction=sport&dialect=standard")
    table = list(csv.reader(io.StringIO(standard.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row[0]: int(row[1]) for row in table[1:] if row and row[0] in by_name} == {
        n: r["programs"] for n, r in by_name.items()}

    response = client.get("/coverage/export/municipalities.xlsx?direction=sport")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    seats_column = header.index("Мест")
    xlsx = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] in by_name}
    assert set(xlsx) == set(by_name)
    for name, row in xlsx.items():
        assert row[1] == by_name[name]["programs"] and row[seats_column] == by_name[name]["seats"]

    municipality = "Кемеровский городской округ"
    detail = client.get(f"/coverage/{municipality}")
    detail_html = detail.get_data(as_text=True)
    assert detail.status_code == 200 and "Где нет программ рядом" in detail_html and "Пробел" not in detail_html
    assert '<th scope="row">пос. Кедровка</th>' in detail_html and "(пос)" not in detail_html
    districts = client.get(f"/api/v1/coverage/{municipality}").get_json()
    assert districts["municipality"]["programs"] == sum(row["programs"] for row in districts["districts"])
    for table_name in ("districts", "gaps"):
        response = client.get(f"/coverage/export/{table_name}.xlsx", query_string={"municipality": municipality})
        assert response.status_code == 200
        assert load_workbook(io.BytesIO(response.data)).active.max_row > 1
    empty = client.get(f"/coverage/{EMPTY_MUNICIPALITY}")
    assert empty.status_code == 200
    assert "Ни один адрес этого муниципалитета ещё не отмечен на карте" in empty.get_data(as_text=True)
    assert client.get("/coverage/export/gaps.csv").status_code == 200
    assert client.get("/coverage/export/districts.csv").status_code == 400


def test_figures_follow_changes(coverage_app, tmp_path, sequence_clock):
    """A change committed here shows at once; one by another process once this process reads the sequence again."""
    client = coverage_app.test_client()
    factory = database(coverage_app).session_factory
    with factory() as session:
        import_file(session, write_csv(tmp_path / "one.csv", [make_row(1)]))
    assert client.get("/api/v1/coverage").get_json()["region"]["programs"] == 1
    with factory() as session:
        import_file(session, write_csv(tmp_path / "two.csv", [make_row(1), make_row(2, **venue(2, 55.36, 86.09))]))
    assert client.get("/api/v1/coverage").get_json()["region"]["programs"] == 2
    # Another process (a second app on the same database) imports, archiving p2: no hook fires here.
    other = create_app({"DATABASE_URL": coverage_app.config["DATABASE_URL"], "INDEX_DIR": str(tmp_path / "other"),
                        "SECRET_KEY": "test"}, instance_path=str(tmp_path / "other-instance"))
    with database(other).session_factory() as session:
        import_file(session, write_csv(tmp_path / "three.csv", [make_row(1)]), archive_missing=True)
    database(other).engine.dispose()
    assert client.get("/api/v1/coverage").get_json()["region"]["programs"] == 2
    sequence_clock.now += changes.RECHECK_SECONDS
    assert client.get("/api/v1/coverage").get_json()["region"]["programs"] == 1
    # A venue moved by `navigator geocode` in another process changes the gaps.
    gaps = client.get("/api/v1/coverage/Кемеровский городской округ").get_json()["gaps"]
    assert gaps[0]["nearest_km_sport"] < 50
    with database(other).session_factory() as session:  # as geocode_venues does: move, mark, commit
        session.execute(update(Venue).values(lat=Venue.lat + 1))
        mark_programs_changed(session, session.scalars(select(Program.id)))
        session.commit()
    database(other).engine.dispose()
    sequence_clock.now += changes.RECHECK_SECONDS
    assert client.get("/api/v1/coverage/Кемеровский городской округ").get_json()["gaps"][0]["nearest_km_sport"] > 50


def _changed_in_many_ways(session) -> set[int]:
    """Seats, status (both ways), enrollment kinds, ОВЗ and a program moved to another known venue, committed."""
    ids = session.scalars(select(Program.id).order_by(Program.id)).all()
    first, second, third, fourth, fifth = ids[1], ids[2], ids[3], ids[0], ids[4]
    session.execute(update(Program).where(Program.id == first).values(seats_total=40, seats_free=0))
    session.execute(update(Program).where(Program.id == second).values(status="archived"))
    session.execute(update(Program).where(Program.id == fourth).values(status="active"))  # archived by the sample
    session.execute(ProgramEnrollment.__table__.delete().where(ProgramEnrollment.program_id == third))
    session.add(ProgramEnrollment(program_id=third, kind="certificate"))
    if session.scalar(select(ProgramOvz.category).where(ProgramOvz.program_id == first).limit(1)):
        session.execute(ProgramOvz.__table__.delete().where(ProgramOvz.program_id == first))
    else:
        session.add(ProgramOvz(program_id=first, category=OVZ_CATEGORIES.codes[0]))
    other_venue = session.scalar(select(Venue.id).where(Venue.id != session.get(Program, fifth).venue_id).limit(1))
    session.execute(update(Program).where(Program.id == fifth).values(venue_id=other_venue))
    changed = {first, second, third, fourth, fifth}
    mark_programs_changed(session, changed)
    session.commit()
    return changed


def test_a_patched_catalogue_equals_a_loaded_one(coverage_app, sample):
    """After a save only the changed programs are read again; the result is what a whole load gives."""
    from navigator.coverage.catalogue import load_catalogue, patch_catalogue

    with database(coverage_app).session_factory() as session:
        before = load_catalogue(session)
        changed = _changed_in_many_ways(session)
        patched = patch_catalogue(session, before, changed)
        loaded = load_catalogue(session)
    assert patched is not None and patched.venues is before.venues
    for name in ("ids", "municipality", "district", "venue", "organization", "direction", "enrollment",
                 "seats_total", "seats_free", "ovz", "in_person"):
        assert np.array_equal(getattr(patched, name), getattr(loaded, name)), name
    assert not np.array_equal(patched.seats_total, before.seats_total)


def test_a_change_beyond_the_programs_is_not_patched(coverage_app, sample):
    """A moved point or a new venue changes gaps and places: the catalogue is then loaded whole."""
    from navigator.coverage.catalogue import load_catalogue, patch_catalogue

    with database(coverage_app).session_factory() as session:
        before = load_catalogue(session)
        program = session.scalar(select(Program).where(Program.status == "active").limit(1))
        session.execute(update(Venue).where(Venue.id == program.venue_id).values(lat=Venue.lat + 0.01))
        session.commit()
        assert patch_catalogue(session, before, {program.id}) is None
        venue_row = session.get(Venue, program.venue_id)
        session.add(moved := Venue(organization_id=venue_row.organization_id, municipality_id=venue_row.municipality_id,
                                   address="г. Кемерово, ул. Новая, 1"))
        session.flush()
        program.venue_id = moved.id
        session.commit()
        assert patch_catalogue(session, load_catalogue(session), {program.id}) is not None  # known now
        assert patch_catalogue(session, before, {program.id}) is None


def test_a_save_shows_at_once_in_a_large_catalogue(slow_coverage, monkeypatch, tmp_path):
    """A provider's save patches a slow-loading snapshot in the request: exact figures, no background load."""
    client, service, _add_second, _programs = slow_coverage
    loads = []
    load = service_module.load_catalogue
    monkeypatch.setattr(service_module, "load_catalogue", lambda *args: loads.append(1) or load(*args))
    factory = database(client.application).session_factory
    with factory() as session:
        import_file(session, write_csv(tmp_path / "seats.csv", [make_row(1, seats_total="30", seats_free="9")]))
    region = client.get("/api/v1/coverage").get_json()["region"]
    assert (region["seats"], region["seats_free"]) == (30, 9)
    assert not service.refreshing and not loads
    assert "показатели пересчитываются" not in client.get("/coverage").get_data(as_text=True)


def test_population_file(tmp_path):
    path = _population_file(tmp_path, ["Кемеровский городской округ"])
    population = load_population(path)
    figure = population.municipality("кемеровский городской ОКРУГ")
    assert figure.children == 1000 and figure.estimate and figure.method
    assert population.region.children == 100000 and population.child_share == pytest.approx(1 / 6)
    assert population.settlement("Тестовое", 600).children == 100
    assert load_population(tmp_path / "missing.csv").region is None


def test_bundled_population_file_labels_every_figure():
    """Every municipality of the bundled data has a row; every derived figure says it is an estimate and how."""
    from navigator.config import PROJECT_ROOT

    population = load_population(PROJECT_ROOT / "data" / "population.csv")
    with open(PROJECT_ROOT / "data" / "programs.csv", encoding="utf-8") as handle:
        municipalities = {row["municipality"] for row in csv.DictReader(handle)}
    assert municipalities <= set(population.names)
    assert population.region.children == round(366_000 / 0.844)
    for figure in population.municipalities.values():
        assert figure.estimate and figure.method.startswith("Оценка") and figure.source and figure.year


def test_user_text_is_escaped_in_tables_and_maps(app, client, tmp_path):
    """Names from the data reach the page only as text: not as HTML, not as a template."""
    with database(app).session_factory() as session:
        import_file(session, write_csv(tmp_path / "odd.csv", [make_row(
            1, district="{{ 7*7 }}<b>Район</b>", organization="ООО «</script><script>alert(1)</script>»",
            address="г. Кемерово, {{ config }}, 5")]))
    html = client.get("/coverage/Кемеровский городской округ").get_data(as_text=True)
    assert "<b>Район</b>" not in html and "&lt;b&gt;Район&lt;/b&gt;" in html
    assert "{{ 7*7 }}" in html and "49" not in html.split("{{ 7*7 }}")[0][-5:]
    assert "</script><script>alert(1)" not in html and "SECRET" not in html
    assert "\\u003c/script\\u003e" in html  # the venue's organization inside the map's JSON data block


def test_api_answers_match_the_openapi_description(coverage_app, sample):
    from openapi_schema_validator import OAS31Validator

    client = coverage_app.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()

    def check(name, body):
        OAS31Validator({"$ref": f"#/components/schemas/{name}", "components": spec["components"]}).validate(body)

    check("Coverage", client.get("/api/v1/coverage?enrollment=certificate").get_json())
    check("MunicipalityCoverageDetail", client.get("/api/v1/coverage/Кемеровский городской округ").get_json())
    check("Error", client.get("/api/v1/coverage?direction=x").get_json())


@pytest.mark.parametrize("values", [[3.0], [0.0, 0.0], [1.0, None, 1.0], [0.0, 0.0, 0.0, 10.0]])
def test_colour_scale_handles_few_distinct_values(values):
    """A small region (one municipality, all zeros) still gets a legend instead of a crash."""
    scale = Scale.of(values)
    assert len(scale.steps) >= 2
    assert all(scale.colour(value) != NO_DATA_COLOUR for value in values if value is not None)


def test_the_region_page_has_distinct_classes_a_json_link_and_no_internal_paths(coverage_app):
    client = coverage_app.test_client()
    html = client.get("/coverage").get_data(as_text=True)
    legend = html[html.find('class="legend"'):]
    legend = legend[:legend.find("</ul>")]
    colours = re.findall(r"#[0-9a-fA-F]{6}", legend)
    assert len(colours) == len(set(colours)) >= 3, "every class a colour of its own"
    assert re.search(r'href="/api/v1/coverage[^"]*">JSON</a>', html)
    assert "data/geo" not in html and "settlements.csv" not in html


def test_an_estimate_below_the_places_is_not_ranked():
    from navigator.coverage.figures import Figures
    from navigator.coverage.population import ChildFigure

    def figures(children: int, seats: int, estimate: bool = True) -> Figures:
        return Figures("Сельский округ", 1, 1, 1, seats, 0, {}, {"free": 1, "certificate": 0, "paid": 0}, 0,
                       ChildFigure(children, "2023", "источник", estimate, "оценка"))

    assert figures(100, 186).unreliable and figures(100, 186).seats_per_1000 is None
    assert figures(100, 186).as_row("municipality")["children_unreliable"].startswith("мест (186) больше")
    assert figures(1000, 186).seats_per_1000 == 186 and figures(1000, 186).unreliable is None
    assert figures(100, 186, estimate=False).seats_per_1000 == 1860  # a counted figure is what it is
