"""Server time of the coverage pages at 100,000 programs: /coverage, a municipality page, exports, the API.

    .venv/bin/python bench/coverage.py [--rows 100000] [--seed 1] [--repeat 20] [--cache /tmp/navigator-bench-coverage]

The sample catalogue (python -m navigator.sampledata --rows N --seed S) is imported once with
navigator.catalogue.importer.import_file into a SQLite file kept under --cache, because importing 100,000 rows
takes minutes; later runs reuse it. The pages are asked through the WSGI test client, so the times are
the server's own (database, numpy, folium, templates), without a network. Printed: the first request
(which loads the catalogue snapshot), the median and 95th percentile of repeated requests, and what a
change of the data costs (the next request loads the snapshot again).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, update  # noqa: E402

from navigator import create_app, migrations  # noqa: E402
from navigator.catalogue.changes import mark_programs_changed  # noqa: E402
from navigator.catalogue.importer import import_file  # noqa: E402
from navigator.catalogue.models import Municipality, Program, Venue  # noqa: E402
from navigator.coverage.service import fingerprint  # noqa: E402
from navigator.db import make_engine, make_session_factory  # noqa: E402
from navigator.extensions import coverage, database  # noqa: E402
from navigator.sampledata.generator import write_csv  # noqa: E402


def cached_database(folder: Path, rows: int, seed: int) -> Path:
    """The imported sample, built on first use (a partial build never counts: it is renamed when complete)."""
    done = folder / f"navigator-{rows}-seed{seed}.db"
    if done.exists():
        return done
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / f"programs-{rows}-seed{seed}.csv"
    started = time.perf_counter()
    write_csv(csv_path, rows, seed)
    building = folder / f"building-{rows}-seed{seed}.db"
    building.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{building}")
    migrations.upgrade(engine)
    with make_session_factory(engine)() as session:
        import_file(session, csv_path)
    with engine.connect() as connection:  # fold the WAL into the file before it is renamed
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    building.rename(done)
    print(f"built {done} in {time.perf_counter() - started:.0f} s")
    return done


def timed(client, url: str, repeat: int) -> tuple[float, float, float, int]:
    """First request, median and 95th percentile in ms, and the size of the answer."""
    started = time.perf_counter()
    response = client.get(url)
    first = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return first, statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], len(response.data)


def row(label, *values) -> None:
    print(f"{label:<64}" + "".join(f"{value:>10}" for value in values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/navigator-bench-coverage"))
    arguments = parser.parse_args()
    path = cached_database(arguments.cache, arguments.rows, arguments.seed)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "INDEX_DIR": str(arguments.cache / "index"),
                      "SECRET_KEY": "bench"}, instance_path=str(arguments.cache / "instance"))
    factory = database(app).session_factory
    with factory() as session:
        programs = session.scalar(select(func.count(Program.id)).where(Program.status == "active"))
        venues = session.scalar(select(func.count(Venue.id)))
        biggest = session.scalar(select(Municipality.name).join(Venue).join(Program).group_by(Municipality.name)
                                 .order_by(func.count(Program.id).desc()).limit(1))
        started = time.perf_counter()
        for _ in range(arguments.repeat):
            fingerprint(session)
        check_ms = (time.perf_counter() - started) * 1000 / arguments.repeat
    print(f"catalogue: {programs} active programs, {venues} venues; freshness check {check_ms:.1f} ms a request")
    client = app.test_client()
    row("request", "first ms", "p50 ms", "p95 ms", "KB")
    pages = [("/coverage", "/coverage"),
             ("/coverage, another indicator and filter", "/coverage?indicator=programs&direction=sport"),
             (f"/coverage/{biggest} (largest municipality)", f"/coverage/{biggest}"),
             (f"/coverage/{biggest}?enrollment=free", f"/coverage/{biggest}?enrollment=free"),
             ("/api/v1/coverage", "/api/v1/coverage"),
             ("/coverage/export/municipalities.xlsx", "/coverage/export/municipalities.xlsx"),
             ("/coverage/export/gaps.csv (every settlement)", "/coverage/export/gaps.csv")]
    for label, url in pages:
        first, p50, p95, size = timed(client, url, arguments.repeat)
        row(label, f"{first:.0f}", f"{p50:.1f}", f"{p95:.1f}", f"{size / 1024:.0f}")
    # A change: one program's seats change in this process. The snapshot reloads in the background while
    # the previous one keeps answering; the pages are timed during the reload and after it.
    service = coverage(app).service
    with factory() as session:
        session.execute(update(Program).where(Program.id == 1).values(seats_free=Program.seats_free))
        mark_programs_changed(session, {1})
        started = time.perf_counter()
        session.commit()
    during = []
    while service.refreshing:
        began = time.perf_counter()
        assert client.get("/coverage").status_code == 200
        during.append((time.perf_counter() - began) * 1000)
    reload_s = time.perf_counter() - started
    during.sort()
    if during:
        row(f"/coverage during the background reload ({len(during)} requests)", "",
            f"{statistics.median(during):.1f}", f"{during[min(len(during) - 1, int(len(during) * 0.95))]:.1f}", "")
    print(f"background reload after the change: {reload_s:.2f} s (snapshot load "
          f"{service.snapshot_load_seconds:.2f} s)")
    for label, url in pages[:3]:
        first, p50, p95, size = timed(client, url, arguments.repeat)
        row(f"after the reload: {label}", f"{first:.0f}", f"{p50:.1f}", f"{p95:.1f}", f"{size / 1024:.0f}")

if __name__ == "__main__":
    main()
