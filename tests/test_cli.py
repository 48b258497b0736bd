"""The navigator command through Click's runner, as an operator uses it."""

from __future__ import annotations

from sqlalchemy import func, select

from navigator.catalogue.models import ImportRun, Program
from tests.factories import make_row, write_csv


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
