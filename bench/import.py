"""Import speed: a first import of generated rows, a re-import of the same file, and a 1 % update.

    .venv/bin/python bench/import.py [--rows 100000] [--seed 1] [--database-url URL]

It writes N sample rows (navigator.sampledata) into a temporary folder, migrates a fresh SQLite
database there — and, with --database-url, an empty database of yours (PostgreSQL, say; it stays
filled afterwards) — builds its empty search index, and imports through import_file, as
`navigator import` does (the online geocoder off):

1. the file into the empty database;
2. the same file again, every row unchanged;
3. the file with the title of every hundredth row changed.

For each step it prints the import proper (read, validate, apply, commit) and, apart, the time the
search index took to follow the commit (the after-commit hook: a rebuild for a change of about half
the index or more, else an update of the changed programs), rows per second of each and of both,
and the peak memory so far of this process and of its finished children (Whoosh's workers).

Then our CSV and the shapes of real exports, each imported by a fresh process (so that its peak memory is its
own) into a fresh SQLite database without a search index — the importer alone, warnings on; its CPU
seconds are printed beside the wall time, as the machine may be shared:

4. the same N rows as a messy export: Windows-1251, semicolons, decimal commas, a free-text `age`
   column instead of age_min/age_max, and every tenth program with its own phone (a warning each);
5. --xlsx-rows (default 20,000) rows as an .xlsx workbook.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import platform
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy  # noqa: E402
from sqlalchemy import event  # noqa: E402

from navigator import create_app, migrations  # noqa: E402
from navigator.catalogue.importer import import_file  # noqa: E402
from navigator.extensions import database, index_follower  # noqa: E402
from navigator.sampledata.generator import write_csv  # noqa: E402

CHANGED_EVERY = 100


class HookClock:
    """Times what runs after a commit of the factory's sessions: the search index following it."""

    def __init__(self, session_factory):
        self.started = self.finished = None
        event.listen(session_factory, "after_commit", self._start, insert=True)  # before the app's hook
        event.listen(session_factory, "after_commit", self._finish)  # after it

    def _start(self, _session) -> None:
        self.started = self.started or time.perf_counter()

    def _finish(self, _session) -> None:
        self.finished = time.perf_counter()

    def reset(self) -> None:
        self.started = self.finished = None


def changed_copy(source: Path, target: Path) -> int:
    """Write source with the title of every CHANGED_EVERY-th row changed; return how many changed."""
    with open(source, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows[::CHANGED_EVERY]:
        row["title"] = f"{row['title']} (новый набор)"
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows[::CHANGED_EVERY])


def messy_copy(source: Path, target: Path) -> int:
    """Write source as a region's spreadsheet would: cp1251, ';', decimal commas, free-text ages, own phones."""
    warnings = 0
    with open(source, encoding="utf-8", newline="") as handle, \
            open(target, "w", encoding="cp1251", errors="replace", newline="") as out:
        reader = csv.DictReader(handle)
        fields = [name for name in reader.fieldnames if name not in ("age_min", "age_max")] + ["age"]
        writer = csv.DictWriter(out, fieldnames=fields, delimiter=";", lineterminator="\r\n")
        writer.writeheader()
        for number, row in enumerate(reader):
            low, high = row.pop("age_min"), row.pop("age_max")
            row["age"] = f"с {low} лет" if high == "18" else f"{low}–{high} лет"
            row["lat"], row["lon"] = row["lat"].replace(".", ","), row["lon"].replace(".", ",")
            if number % 10 == 5 and row["phone"]:
                row["phone"] = f"+7 (3842) 90-{number % 100:02d}-{number % 97:02d}"
                warnings += 1
            writer.writerow(row)
    return warnings


def xlsx_copy(source: Path, target: Path, rows: int) -> None:
    """The first rows of source as an .xlsx workbook written as Excel writes one (XlsxWriter: shared strings)."""
    import xlsxwriter

    numeric = {"age_min", "age_max", "seats_total", "seats_free", "price_rub", "rating_count", "lat", "lon", "rating"}
    with open(source, encoding="utf-8", newline="") as handle, \
            xlsxwriter.Workbook(str(target)) as workbook:
        sheet = workbook.add_worksheet("Программы")
        reader = csv.DictReader(handle)
        sheet.write_row(0, 0, reader.fieldnames)
        for number, row in enumerate(reader, start=1):
            if number > rows:
                break
            sheet.write_row(number, 0, [float(row[name]) if name in numeric and row[name] else row[name]
                                        for name in reader.fieldnames])


def _import_alone(path: str, folder: str, answer) -> None:
    """In a fresh process: migrate an empty SQLite database and import path; send back time and peak MB."""
    from sqlalchemy.orm import sessionmaker

    engine = sqlalchemy.create_engine(f"sqlite:///{folder}/alone.db")
    migrations.upgrade(engine)
    with sessionmaker(engine)() as session:
        started, cpu = time.perf_counter(), time.process_time()
        summary = import_file(session, Path(path))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    answer.send((seconds, cpu, own_peak_mb(), str(summary),
                 len(summary.findings.warnings), "; ".join(summary.findings.detected)))


def own_peak_mb() -> float:
    """This process's peak resident memory since it started its program.

    VmHWM, not ru_maxrss: a spawned process is forked from the benchmark before it runs Python anew,
    and ru_maxrss keeps the parent's size from that moment.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_alone(label: str, path: Path, folder: Path, rows: int) -> None:
    """Import path in a spawned process and print its rows/s and its own peak memory."""
    folder.mkdir()
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_import_alone, args=(str(path), str(folder), send))
    process.start()
    seconds, cpu, peak, summary, warnings, detected = receive.recv()
    process.join()
    print(f"{label:<28} {seconds:9.1f} {rows / seconds:8.0f} {cpu:6.1f} {rows / cpu:8.0f} {peak:8.0f} {warnings:9,}"
          f"  {summary}; {detected}")


def peak_mb() -> tuple[float, float]:
    kilobytes = (resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return tuple(value / 1024 for value in kilobytes)


def prepared_app(url: str, folder: Path):
    # inline: the index follows each commit in this process, as after `navigator import`, so the hook is timed
    app = create_app({"DATABASE_URL": url, "INDEX_DIR": str(folder / "index"), "SECRET_KEY": "bench",
                      "GEOCODER": "off", "INDEX_FOLLOWER": "inline"}, instance_path=str(folder / "instance"))
    engine = database(app).engine
    if migrations.current_revision(engine) is not None:
        sys.exit(f"{engine.url.render_as_string()} is not empty: give the benchmark an empty database.")
    migrations.upgrade(engine)
    index_follower(app).rebuild()  # an empty index, as after `make run`
    return app


def run_steps(label: str, url: str, folder: Path, files: list[tuple[str, Path]], rows: int) -> None:
    app = prepared_app(url, folder)
    factory = database(app).session_factory
    clock = HookClock(factory)
    print(f"\n{label}\n{'step':<22} {'import s':>9} {'rows/s':>8} {'index s':>8} {'with index':>11} "
          f"{'peak MB':>8} {'workers MB':>10}  summary")
    for step, path in files:
        clock.reset()
        with factory() as session:
            started = time.perf_counter()
            summary = import_file(session, path)
            ended = time.perf_counter()
        hook_start = clock.started or ended
        imported, indexed = hook_start - started, (clock.finished or hook_start) - hook_start
        own, workers = peak_mb()
        print(f"{step:<22} {imported:9.1f} {rows / imported:8.0f} {indexed:8.1f} {rows / (ended - started):11.0f} "
              f"{own:8.0f} {workers:10.0f}  {summary}")
    database(app).engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows to generate (default 100,000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the sample generator (default 1)")
    parser.add_argument("--database-url", help="also import into this empty database (e.g. PostgreSQL)")
    parser.add_argument("--xlsx-rows", type=int, default=20_000, help="rows of the .xlsx step (default 20,000)")
    parser.add_argument("--only-shapes", action="store_true", help="skip steps 1–3 (the index-following ones)")
    arguments = parser.parse_args()
    print(f"{platform.node()}: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
          f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, SQLAlchemy {sqlalchemy.__version__}")
    with tempfile.TemporaryDirectory(prefix="navigator-import-bench-") as temporary:
        folder = Path(temporary)
        first = folder / "programs.csv"
        write_csv(first, arguments.rows, arguments.seed)
        changed = changed_copy(first, folder / "changed.csv")
        files = [("first import", first), ("re-import, unchanged", first),
                 (f"{changed} rows changed", folder / "changed.csv")]
        if not arguments.only_shapes:
            run_steps(f"SQLite, {arguments.rows:,} rows", f"sqlite:///{folder / 'navigator.db'}", folder / "sqlite",
                      files, arguments.rows)
        messy_copy(first, folder / "messy.csv")
        xlsx_copy(first, folder / "programs.xlsx", arguments.xlsx_rows)
        print(f"\nReal exports, each in a fresh process and database, no index\n{'file':<28} {'import s':>9} "
              f"{'rows/s':>8} {'CPU s':>6} {'rows/CPU s':>8} {'peak MB':>8} {'warnings':>9}  summary; detected")
        run_alone(f"our CSV, {arguments.rows:,} rows", first, folder / "alone-plain", arguments.rows)
        run_alone(f"messy CSV, {arguments.rows:,} rows", folder / "messy.csv", folder / "alone-messy", arguments.rows)
        run_alone(f".xlsx, {arguments.xlsx_rows:,} rows", folder / "programs.xlsx", folder / "alone-xlsx",
                  arguments.xlsx_rows)
        if arguments.database_url:
            run_steps(f"{arguments.database_url.split(':')[0]}, {arguments.rows:,} rows", arguments.database_url,
                      folder / "other", files, arguments.rows)


if __name__ == "__main__":
    main()
