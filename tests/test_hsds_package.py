"""HSDS 3.0 export and import: valid against the official schemas, a round trip, a foreign package, the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from navigator import create_app, migrations
from navigator.catalogue.importer import ImportRejected, import_file
from navigator.catalogue.importer.hsds import flatten, import_package, package_rows
from navigator.catalogue.models import Organization, Program
from navigator.config import PROJECT_ROOT
from navigator.extensions import database
from navigator.geocoding.region import Boundaries
from navigator.outward.hsds import Place
from navigator.outward.hsds_package import write_package
from navigator.sampledata import generate_rows
from tests.factories import make_row, write_csv
from tests.hsds_schemas import problems, table_problems

PLACE = Place("Кемеровская область — Кузбасс", "RU")
FOREIGN = Path(__file__).parent / "data" / "hsds_foreign.json"


@pytest.fixture
def sample(app, tmp_path):
    """The app's database holding 150 generated programs (navigator.sampledata)."""
    path = write_csv(tmp_path / "sample.csv", list(generate_rows(150, seed=7)))
    with database(app).session_factory() as session:
        import_file(session, path)
    return app


def export(app, folder: Path) -> Path:
    with database(app).session_factory() as session:
        write_package(session, folder, PLACE)
    return folder


def test_every_record_of_an_export_of_generated_data_is_valid_hsds(sample, tmp_path):
    folder = export(sample, tmp_path / "out")
    services = json.loads((folder / "services.json").read_text("utf-8"))
    assert len(services) == 150
    assert [p for service in services for p in problems("service", service)] == []
    checked, found = table_problems(folder)
    assert found == []
    assert checked > 150 * 5  # services, their locations, attributes, costs … all checked


def test_the_export_carries_ages_costs_attributes_and_no_personal_data(app, tmp_path):
    write = write_csv(tmp_path / "p.csv", [make_row(1, enrollment="Платно; Сертификат", price_rub="2500",
                                                    ovz="Нарушения слуха", teacher="Иванова Мария Петровна")])
    with database(app).session_factory() as session:
        import_file(session, write)
    folder = export(app, tmp_path / "out")
    [service] = json.loads((folder / "services.json").read_text("utf-8"))
    assert (service["minimum_age"], service["maximum_age"]) == (7, 12)
    assert {(c["option"], c.get("amount")) for c in service["cost_options"]} == {("Платно", 2500),
                                                                                   ("Сертификат", None)}
    terms = {(a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"], a.get("value"))
             for a in service["attributes"]}
    assert {("navigator-direction", "sport", None), ("navigator-profile", "Шахматы", None),
            ("navigator-ovz", "hearing", None), ("navigator-property", "seats_free", "4")} <= terms
    assert service["schedules"][0]["description"] == "Пн, Ср 15:00–16:30"
    everything = "".join(path.read_text("utf-8") for path in folder.iterdir())
    assert "Иванова" not in everything


@pytest.fixture
def empty(tmp_path):
    """A second application on an empty SQLite database."""
    application = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
                              "INDEX_DIR": str(tmp_path / "index2"), "SECRET_KEY": "x"},
                             instance_path=str(tmp_path / "instance2"))
    migrations.upgrade(database(application).engine)
    yield application
    database(application).engine.dispose()


def test_round_trip_export_import_into_an_empty_database_export_gives_the_same_records(sample, empty, tmp_path):
    first = export(sample, tmp_path / "first")
    with database(empty).session_factory() as session:
        result = import_package(session, first)
    assert result.summary.created == 150 and result.warnings == []
    second = export(empty, tmp_path / "second")
    for table in sorted(path.name for path in first.glob("*.csv")):
        assert _rows(first / table) == _rows(second / table), table
    by_id = [{s["id"]: s for s in json.loads((folder / "services.json").read_text("utf-8"))}
             for folder in (first, second)]
    assert by_id[0] == by_id[1]


def _rows(path: Path) -> list[tuple[str, ...]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return sorted(map(tuple, csv.reader(handle)))


def test_our_own_export_is_recognised_by_our_codes_when_imported_back(sample, tmp_path, session):
    folder = export(sample, tmp_path / "out")
    session.execute(Program.__table__.update().values(title="старое"))
    session.commit()
    result = import_package(session, folder / "services.json")
    assert (result.summary.created, result.summary.updated) == (0, 150)
    assert session.scalar(select(func.count()).where(Program.title == "старое")) == 0
    assert session.scalar(select(func.count()).where(Program.teacher.is_not(None))) == 0  # not carried: cleared


def test_a_package_from_another_country_imports_with_warnings_and_counted_defaults(session):
    boundaries = Boundaries.load(PROJECT_ROOT / "data" / "geo" / "municipalities.geojson")
    result = import_package(session, FOREIGN, defaults={"direction": "social"}, inside_region=boundaries.contains)
    assert result.summary.created == 2
    messages = [(w.column, w.message) for w in result.warnings]
    assert ("lat", "the point lies outside the region's boundaries") in messages
    assert ("maximum_age", "ages above 18 are cut to 18") in messages
    assert ("minimum_age", "the service is not for children (0–18); skipped") in messages
    assert ("price_rub", "the amount is taken as is, as rubles per month") in messages
    assert result.defaulted["direction"] == 1  # the other service names a direction by its label
    homework = session.scalar(select(Program).where(Program.title == "Homework Club"))
    assert (homework.direction, homework.age_min, homework.age_max) == ("social", 6, 18)
    assert homework.enrollment_kinds == ["free"]
    assert homework.venue.municipality.name == "Alameda County"
    robots = session.scalar(select(Program).where(Program.title == "Robotics for Teens"))
    assert (robots.direction, robots.enrollment_kinds, robots.price_rub) == ("technical", ["paid"], 40)
    assert session.scalar(select(Organization.name)) == "Oakland Youth Services"


def test_a_package_with_an_invalid_value_applies_nothing(session):
    with pytest.raises(ImportRejected) as rejected:
        import_package(session, FOREIGN)  # no default direction: one service has none
    assert [(e.column, e.message) for e in rejected.value.errors] == [("direction", "обязательное поле не заполнено")]
    assert session.scalar(select(func.count()).select_from(Program)) == 0


def test_cli_export_then_import_into_another_database(runner, sample, empty, tmp_path):
    result = runner.invoke(args=["export", "--format", "hsds", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "150 services" in result.output
    assert {"datapackage.json", "services.csv", "organizations.csv", "services.json"} <= {
        path.name for path in (tmp_path / "out").iterdir()}
    imported = empty.test_cli_runner().invoke(args=["import", "--format", "hsds", str(tmp_path / "out")])
    assert imported.exit_code == 0, imported.output
    assert "150 rows: 150 created" in imported.output
    again = empty.test_cli_runner().invoke(args=["import", "--format", "hsds", str(tmp_path / "out" / "services.json")])
    assert "0 created, 0 updated, 150 unchanged" in again.output


def test_cli_import_of_a_folder_needs_the_hsds_format(runner, tmp_path):
    result = runner.invoke(args=["import", str(tmp_path)])
    assert result.exit_code == 2 and "only --format hsds reads a folder" in result.output


def test_a_service_at_two_locations_becomes_two_programs_and_nesting_without_ids_still_reads():
    service = {"id": "s-1", "name": "Chess", "description": "Chess club.", "status": "active",
               "organization": {"id": "org-1", "name": "Club", "description": "A club."},
               "service_at_locations": [
                   {"id": f"sal-{n}", "location": {"id": f"loc-{n}", "location_type": "physical", "addresses": [
                       {"address_1": f"Main St {n}", "city": "Town", "region": "", "state_province": "",
                        "postal_code": "", "country": "GB", "address_type": "physical"}]}} for n in (1, 2)],
               "cost_options": [{"option": "Бесплатно"}]}
    tables = flatten([service], "service")
    read = package_rows(tables, {}, {"direction": "sport"})
    assert [(row["program_id"], row["address"], row["municipality"]) for _, row in read.rows] == [
        ("sal-1", "Main St 1", "Town"), ("sal-2", "Main St 2", "Town")]
    assert read.defaulted["direction"] == 2 and read.rows[0][1]["enrollment"] == "Бесплатно"


def test_a_broken_json_file_is_refused_with_a_message(session, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_package(session, path)
    assert "is not UTF-8 JSON" in rejected.value.errors[0].message
