"""The index follows the database: after commit only, across processes, through rebuilds and crashes."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from navigator import create_app
from navigator.catalogue.changes import mark_programs_changed
from navigator.catalogue.importer import import_file
from navigator.catalogue.models import Program
from navigator.extensions import database, search_index
from navigator.search import index as index_module
from navigator.search import index_status, rebuild
from navigator.search import service as service_module
from navigator.search.index import open_live
from tests.factories import load_programs, make_row, write_csv

ROBOTICS = dict(title="Робототехника", profile="Робототехника", description="Собираем роботов.")


def titles(client, **params) -> list[str]:
    body = client.get("/api/v1/programs", query_string=params).get_json()
    return [item["title"] for item in body["items"]]


def eventually(check, seconds: float = 1.0):
    """Poll check until it holds or the time is up; return its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


@pytest.fixture
def loaded(app, tmp_path):
    load_programs(app, [make_row(1), make_row(2, **ROBOTICS)], tmp_path)
    return app


def test_an_import_is_searchable_after_commit_without_reindex(loaded, client, tmp_path):
    path = write_csv(tmp_path / "more.csv", [make_row(1), make_row(2, **ROBOTICS),
                                             make_row(3, title="Вокальная студия", profile="Вокал")])
    with database(loaded).session_factory() as session:
        import_file(session, path)
    assert titles(client, q="вокал") == ["Вокальная студия"]


def test_a_rolled_back_change_leaves_no_trace(loaded, client):
    with database(loaded).session_factory() as session:
        program = session.scalar(select(Program).where(Program.public_id == "p1"))
        program.title = "Призрак"
        session.flush()
        mark_programs_changed(session, [program.id])
        session.rollback()
    assert titles(client, q="призрак") == []
    assert titles(client, q="шахматы")[0] == "Шахматы"
    assert not list((Path(loaded.config["INDEX_DIR"]) / "pending").glob("*"))


def test_an_archived_program_leaves_search(loaded, client, tmp_path):
    with database(loaded).session_factory() as session:
        import_file(session, write_csv(tmp_path / "one.csv", [make_row(1)]), archive_missing=True)
    assert titles(client, q="робототехника") == []


def test_a_busy_writer_lock_delays_but_never_loses_an_update(loaded, client):
    live = open_live(Path(loaded.config["INDEX_DIR"]))
    blocker = live.writer()  # another process holding Whoosh's single writer lock
    try:
        with database(loaded).session_factory() as session:
            program = session.scalar(select(Program).where(Program.public_id == "p1"))
            program.title = "Шахматный клуб «Ладья»"
            mark_programs_changed(session, [program.id])
            session.commit()  # must not fail or hang although the index is locked
        assert titles(client, q="ладья") == []
    finally:
        blocker.cancel()
    assert eventually(lambda: titles(client, q="ладья"), seconds=5) == ["Шахматный клуб «Ладья»"]


def test_another_process_sees_a_committed_change_within_a_second(loaded, tmp_path):
    other = create_app(dict(loaded.config), instance_path=str(tmp_path / "other-instance"))  # a second worker
    other_client = other.test_client()
    assert titles(other_client, q="шахматы") == ["Шахматы"]
    path = write_csv(tmp_path / "changed.csv", [make_row(1, title="Шахматы и шашки"),
                                               make_row(2, **ROBOTICS)])
    command = [sys.executable, "-m", "navigator.cli", "import", str(path)]
    environment = dict(os.environ, NAVIGATOR_DATABASE_URL=loaded.config["DATABASE_URL"],
                       NAVIGATOR_INDEX_DIR=loaded.config["INDEX_DIR"], NAVIGATOR_SECRET_KEY="x")
    subprocess.run(command, env=environment, check=True, capture_output=True, timeout=60)
    committed = time.monotonic()
    assert eventually(lambda: titles(other_client, q="шашки"), seconds=1.0) == ["Шахматы и шашки"]
    assert time.monotonic() - committed <= 1.0
    database(other).engine.dispose()


def test_a_program_archived_by_another_worker_leaves_this_workers_search(loaded, client, tmp_path):
    assert titles(client, q="робототехника") == ["Робототехника"]  # this worker has a searcher open
    other = create_app(dict(loaded.config), instance_path=str(tmp_path / "other-instance"))
    with database(other).session_factory() as session:
        program = session.scalar(select(Program).where(Program.public_id == "p2"))
        program.status = "archived"  # deletes its document from the segment this worker is reading
        mark_programs_changed(session, [program.id])
        session.commit()
    database(other).engine.dispose()
    assert eventually(lambda: titles(client, q="робототехника") == [], seconds=1.0)
    assert titles(client, q="шахматы") == ["Шахматы"]


def test_a_crash_during_rebuild_leaves_the_previous_index_serving(loaded, client, monkeypatch):
    index_dir = Path(loaded.config["INDEX_DIR"])
    serving = os.readlink(index_dir / "live")
    real_documents = index_module.documents

    def crashing_documents(session, program_ids=None):
        for number, item in enumerate(real_documents(session, program_ids)):
            if number == 1:
                raise KeyboardInterrupt("killed halfway")
            yield item

    monkeypatch.setattr(index_module, "documents", crashing_documents)
    with pytest.raises(KeyboardInterrupt):
        rebuild(index_dir, database(loaded).session_factory)
    assert os.readlink(index_dir / "live") == serving
    assert titles(client, q="шахматы")[0] == "Шахматы"
    monkeypatch.setattr(index_module, "documents", real_documents)
    rebuild(index_dir, database(loaded).session_factory)
    assert [p.name for p in index_dir.glob("build-*")] == [os.readlink(index_dir / "live")]
    assert titles(client, q="робототехника") == ["Робототехника"]


def test_changes_during_a_rebuild_reach_the_new_index(loaded, client, monkeypatch):
    index_dir = Path(loaded.config["INDEX_DIR"])
    real_documents = index_module.documents
    changed = False

    def documents_then_a_change(session, program_ids=None):
        nonlocal changed
        yield from real_documents(session, program_ids)
        if program_ids is None and not changed:  # the full build has read the database; now a provider saves
            changed = True
            with database(loaded).session_factory() as other:
                program = other.scalar(select(Program).where(Program.public_id == "p2"))
                program.title = "Робототехника и ЛЕГО"
                mark_programs_changed(other, [program.id])
                other.commit()

    monkeypatch.setattr(index_module, "documents", documents_then_a_change)
    rebuild(index_dir, database(loaded).session_factory)
    assert titles(client, q="лего") == ["Робототехника и ЛЕГО"]


def test_a_missing_index_is_reported_and_reindex_if_needed_builds_it(app, client, runner, tmp_path):
    path = write_csv(tmp_path / "p.csv", [make_row(1)])
    runner.invoke(args=["import", str(path)])
    response = client.get("/api/v1/programs")
    assert response.status_code == 503 and "navigator reindex" in response.get_json()["error"]["message"]
    result = runner.invoke(args=["reindex", "--if-needed"])
    assert "No search index" in result.output and "Indexed 1 programs" in result.output
    assert "is in place" in runner.invoke(args=["reindex", "--if-needed"]).output
    assert titles(client, q="шахматы") == ["Шахматы"]


# Whoosh leaves the file of a table of contents it cannot parse open; that leak is not ours to fix.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_corrupt_index_is_reported_and_rebuilt(loaded, runner):
    index_dir = Path(loaded.config["INDEX_DIR"])
    for toc in (index_dir / "live").resolve().glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    assert "cannot be opened" in index_status(index_dir)
    result = runner.invoke(args=["reindex", "--if-needed"])
    assert "Indexed 2 programs" in result.output and index_status(index_dir) is None


def test_the_app_keeps_one_searcher_between_requests(loaded, client):
    titles(client, q="шахматы")
    first = search_index(loaded)._searcher
    titles(client, q="робототехника")
    assert search_index(loaded)._searcher is first


def test_a_change_to_half_the_index_rebuilds_it_and_a_smaller_one_updates_it(loaded, client, tmp_path, monkeypatch):
    monkeypatch.setattr(service_module, "REBUILD_ABOVE", 0)
    index_dir = Path(loaded.config["INDEX_DIR"])
    serving = os.readlink(index_dir / "live")
    with database(loaded).session_factory() as session:  # 1 of 2 indexed programs: updated in place
        import_file(session, write_csv(tmp_path / "one.csv", [make_row(1, title="Шашки"), make_row(2, **ROBOTICS)]))
    assert os.readlink(index_dir / "live") == serving
    assert titles(client, q="шашки") == ["Шашки"]
    vocal = make_row(3, title="Вокальная студия", profile="Вокал")
    with database(loaded).session_factory() as session:  # 2 against 2 indexed: rebuilt
        import_file(session, write_csv(tmp_path / "two.csv", [make_row(1), make_row(2, **ROBOTICS), vocal]))
    assert os.readlink(index_dir / "live") != serving
    assert titles(client, q="вокал") == ["Вокальная студия"] and titles(client, q="шашки") == []


def test_a_large_rebuild_is_indexed_by_two_processes(app, client, tmp_path, monkeypatch):
    monkeypatch.setattr(index_module, "PARALLEL_FROM", 2)
    rows = [make_row(number, title=f"Шахматы {number}") for number in range(1, 601)] + [make_row(601, **ROBOTICS)]
    load_programs(app, rows, tmp_path)
    with open_live(Path(app.config["INDEX_DIR"])).searcher() as searcher:
        assert searcher.doc_count() == 601
        assert len(searcher.reader().leaf_readers()) == 2  # one segment from each worker
    assert titles(client, q="робототехника") == ["Робототехника"]
    assert client.get("/api/v1/programs", query_string={"q": "шахматы"}).get_json()["total"] == 600


def test_a_crash_during_a_parallel_rebuild_stops_its_workers(app, client, tmp_path, monkeypatch):
    monkeypatch.setattr(index_module, "PARALLEL_FROM", 2)
    load_programs(app, [make_row(number) for number in range(1, 1202)], tmp_path)
    index_dir = Path(app.config["INDEX_DIR"])
    serving = os.readlink(index_dir / "live")
    real_documents = index_module.documents

    def crashing_documents(session, program_ids=None):
        for number, item in enumerate(real_documents(session, program_ids)):
            if number == 1100:  # both workers have batches by now
                raise KeyboardInterrupt("killed halfway")
            yield item

    monkeypatch.setattr(index_module, "documents", crashing_documents)
    with pytest.raises(KeyboardInterrupt):
        rebuild(index_dir, database(app).session_factory)
    assert multiprocessing.active_children() == []
    assert os.readlink(index_dir / "live") == serving
    assert client.get("/api/v1/programs", query_string={"q": "шахматы"}).get_json()["total"] == 1201
