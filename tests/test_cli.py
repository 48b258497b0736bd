"""The navigator command through Click's runner, as an operator uses it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from navigator.catalogue.models import ImportRun, Program
from navigator.catalogue.validation import COLUMNS
from tests.factories import make_row, raw_xlsx, write_csv


def count_programs(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Program))


def test_init_db_is_idempotent(runner):
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0 and "up to date" in first.output


def test_import_then_reimport_reports_counts(runner, session, tmp_path):
    path = write_csv(tmp_path / "p.csv", [make_row(1), make_row(2), make_row(3)])
    first = runner.invoke(args=["import", str(path)])
    assert first.exit_code == 0, first.output
    assert "3 created, 0 updated, 0 unchanged" in first.output
    second = runner.invoke(args=["import", str(path)])
    assert "0 created, 0 updated, 3 unchanged" in second.output
    assert count_programs(session) == 3


def test_import_of_a_bad_file_exits_non_zero_and_names_each_error(runner, session, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [make_row(1), make_row(2, age_max="40"), make_row(3, lat="95")])
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert "line 3, column age_max: должно быть целым числом от 0 до 18 (got '40')" in result.output
    assert "line 4, column lat: широта — число от −90 до 90 в градусах WGS 84 (got '95')" in result.output
    assert "2 error(s); nothing was imported." in result.output
    assert count_programs(session) == 0


def test_dry_run_changes_nothing(runner, session, tmp_path):
    path = write_csv(tmp_path / "p.csv", [make_row(1)])
    result = runner.invoke(args=["import", "--dry-run", str(path)])
    assert result.exit_code == 0 and "Would apply: 1 rows: 1 created" in result.output
    assert count_programs(session) == 0


def test_skip_if_imported_skips_only_a_file_already_applied(runner, session, tmp_path):
    path = write_csv(tmp_path / "p.csv", [make_row(1)])
    assert "1 created" in runner.invoke(args=["import", "--skip-if-imported", str(path)]).output
    assert "skipped" in runner.invoke(args=["import", "--skip-if-imported", str(path)]).output
    session.rollback()
    assert session.scalar(select(func.count()).select_from(ImportRun)) == 1


def test_archive_missing_flag(runner, session, tmp_path):
    runner.invoke(args=["import", str(write_csv(tmp_path / "a.csv", [make_row(1), make_row(2)]))])
    result = runner.invoke(args=["import", "--archive-missing", str(write_csv(tmp_path / "b.csv", [make_row(1)]))])
    assert "1 archived" in result.output


def test_import_refuses_a_database_without_schema(tmp_path):
    from navigator import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", "SECRET_KEY": "x"},
                     instance_path=str(tmp_path / "instance"))
    result = app.test_cli_runner().invoke(args=["import", str(write_csv(tmp_path / "p.csv", [make_row(1)]))])
    assert result.exit_code == 1 and "navigator init-db" in result.output


def _messy(tmp_path):
    """A Windows-1251, semicolon file whose rows disagree: per-program phones, an address under two districts."""
    rows = [make_row(1), make_row(2, phone="+7 3842 55-00-02"), make_row(3, district="Центральный район"),
            make_row(4, price_rub="", age_min="", age_max="")]
    rows[3]["age"] = "кружок"
    path = write_csv(tmp_path / "messy.csv", rows, delimiter=";", columns=(*COLUMNS, "age"))
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1251"))
    return path


def test_a_messy_file_imports_with_grouped_warnings_and_a_report(runner, session, tmp_path):
    report = tmp_path / "report.csv"
    result = runner.invoke(args=["import", str(_messy(tmp_path)), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "кодировка Windows-1251 (определена), разделитель «точка с запятой» (определён)" in result.output
    assert "4 created, 0 updated, 0 unchanged, 0 archived" in result.output
    assert "Warnings «контакт программы»: 1\n  line 3, column phone:" in result.output
    assert "Warnings «адрес с разными сведениями»: 1\n  line 4, column district:" in result.output
    assert "3 warning(s) in all" in result.output
    rows = list(csv.DictReader(report.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["line"], r["column"], r["value"], r["level"]) for r in rows] == [
        ("3", "phone", "'+7 3842 55-00-02", "warning"), ("4", "district", "Центральный район", "warning"),
        ("5", "age", "кружок", "warning")]
    assert all(r["message"] for r in rows)
    assert count_programs(session) == 4


def test_strict_refuses_the_same_file_and_the_report_lists_the_errors(runner, session, tmp_path):
    report = tmp_path / "report.csv"
    result = runner.invoke(args=["import", "--strict", str(_messy(tmp_path)), "--report", str(report)])
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    levels = [(r["column"], r["level"]) for r in csv.DictReader(report.read_text(encoding="utf-8-sig").splitlines())]
    assert ("phone", "error") in levels and ("district", "error") in levels and ("age", "warning") in levels
    assert count_programs(session) == 0


def test_an_invalid_value_still_stops_everything(runner, session, tmp_path):
    rows = [make_row(1), make_row(2, direction="астрология"), make_row(3, age_min="", age_max="")]
    rows[2]["age"] = "300"
    result = runner.invoke(args=["import", str(write_csv(tmp_path / "bad.csv", rows, columns=(*COLUMNS, "age")))])
    assert result.exit_code == 1
    assert "line 3, column direction: неизвестное значение" in result.output
    assert "line 4, column age: возраст — число лет от 0 до 18 (got '300')" in result.output
    assert count_programs(session) == 0


def test_the_report_neutralises_formulas_like_every_export(runner, session, tmp_path):
    """Issue 23, finding 10: `--report` wrote «=HYPERLINK(…)» from the file as given; a spreadsheet opening the
    report would run it. Every text cell starting as a formula gets the exports' apostrophe (formula_safe)."""
    formula = '=HYPERLINK("https://evil.example/d","Район")'
    rows = [make_row(1), make_row(2, direction=formula), make_row(3, teacher="@SUM(1)", phone="+7 3842 55-00-02")]
    path = write_csv(tmp_path / "formulas.csv", rows, columns=(*COLUMNS, "=cmd|' /C calc'!A0"))
    report = tmp_path / "report.csv"
    result = runner.invoke(args=["import", str(path), "--report", str(report)])
    assert result.exit_code == 1
    cells = [cell for row in csv.reader(report.read_text(encoding="utf-8-sig").splitlines()) for cell in row]
    assert f"'{formula}" in cells and "'=cmd|' /c calc'!a0" in cells  # the unknown column, as its key
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'+7 3842 55-00-02" in cells  # a phone too, as in the site's CSV exports; import strips it again


@pytest.mark.parametrize("tail", ['<row r="3"><c r="A3" t="s"><v>99999</v></c></row>',
                                  '<row r="3"><c r="ZZZZ3" t="s"><v>0</v></c></row>'],
                         ids=["shared-string index 99999", "cell reference ZZZZ3"])
def test_a_broken_workbook_is_explained_not_a_traceback(runner, session, tmp_path, tail):
    """Issue 23, finding 6: what openpyxl cannot read is the file's error on its line, in Russian."""
    path = tmp_path / "broken.xlsx"
    path.write_bytes(raw_xlsx([list(COLUMNS), [make_row(1).get(c, "") for c in COLUMNS]], dimension="A1:AE3",
                              tail=tail))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "line 3: файл не читается как книга Excel .xlsx" in result.output and "nothing was imported" in result.output
    assert count_programs(session) == 0


def test_defaults_fill_missing_fields_and_are_counted(runner, session, tmp_path):
    columns = tuple(c for c in COLUMNS if c not in ("direction", "municipality"))
    path = write_csv(tmp_path / "p.csv", [make_row(1), make_row(2)], columns=columns)
    refused = runner.invoke(args=["import", str(path)])
    assert refused.exit_code == 1 and "column direction: required column is missing" in refused.output
    result = runner.invoke(args=["import", str(path), "--default", "direction=social",
                                 "--default", "municipality=Тайгинский городской округ"])
    assert result.exit_code == 0, result.output
    assert "Filled in by --default or the mapping: direction in 2 row(s), municipality in 2 row(s)." in result.output
    session.rollback()
    assert set(session.scalars(select(Program.direction))) == {"social"}
    wrong = runner.invoke(args=["import", str(path), "--default", "directon=social"])
    assert wrong.exit_code == 2 and "expected FIELD=VALUE" in wrong.output


@pytest.mark.parametrize("name, created, warned", [
    ("navigator-cards", 4, {"контакт программы", "одна организация по ИНН", "разные сведения об организации"}),
    ("opendata-sections", 4, {"программа для взрослых", "возраст не распознан", "контакт программы",
                              "разные сведения об организации"}),
])
def test_the_example_mappings_import_their_fixtures(runner, session, tmp_path, name, created, warned):
    folder = Path(__file__).resolve().parent.parent / "data" / "mappings"
    report = tmp_path / "report.csv"
    result = runner.invoke(args=["import", str(folder / f"{name}.csv"), "--mapping", str(folder / f"{name}.toml"),
                                 "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert f"{created} created" in result.output
    assert {line.split("«")[1].split("»")[0] for line in result.output.splitlines()
            if line.startswith("Warnings «")} == warned
    assert count_programs(session) == created
    session.rollback()
    assert all(p.direction in {"technical", "science", "sport", "art"} for p in session.scalars(select(Program)))


def test_a_wrong_mapping_is_refused_before_reading(runner, tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\n"Название" = "name"\n', encoding="utf-8")
    path = write_csv(tmp_path / "p.csv", [make_row(1)])
    result = runner.invoke(args=["import", str(path), "--mapping", str(mapping)])
    assert result.exit_code == 2 and "not our column(s): name" in result.output


def test_an_hsds_package_takes_defaults_and_writes_the_report(runner, session, tmp_path):
    package = Path(__file__).resolve().parent / "data" / "hsds_foreign.json"
    refused = runner.invoke(args=["import", "--format", "hsds", str(package), "--report", str(tmp_path / "r.csv")])
    assert refused.exit_code == 1 and count_programs(session) == 0
    assert "error" in {r["level"] for r in csv.DictReader((tmp_path / "r.csv").read_text("utf-8-sig").splitlines())}
    report = tmp_path / "report.csv"
    result = runner.invoke(args=["import", "--format", "hsds", str(package), "--default", "direction=social",
                                 "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "direction: the default value used for 1 program(s)." in result.output
    rows = list(csv.DictReader(report.read_text(encoding="utf-8-sig").splitlines()))
    assert rows and {r["level"] for r in rows} == {"warning"}
    assert count_programs(session) > 0
