"""Where a request's time goes: CPU and wall time per kind of page, in one process, on a kept load folder.

    .venv/bin/python bench/request_cost.py --keep /work/bench-load-100k [--count 200] [--rounds 1] [--profile KIND]

It starts the folder's PostgreSQL cluster (built by `bench/load.py --keep DIR`), opens the folder's index
as a web worker does under `make serve` (the follower is external), warms up as gunicorn's workers do,
then asks the load benchmark's URLs through the WSGI test client: no network, no other process competing
inside the measurement, so CPU per request is the figure to compare before and after a change.
`--profile KIND` prints cProfile's top functions for one kind of page, in CPU time (waits for the database left out).
It also times a fixed piece of work that has nothing to do with the site (`host_speed`), at the start and
the end: on these shared machines the same code's CPU per request moved by a third from one day to the
next, so compare figures only between runs whose host figure agrees.
`--rounds N` asks every kind N times over, with fresh URLs each round, and profiles the last: a worker that
has served for a while keeps per-segment memos (a word's expansions and postings) and rendered cards that
the first round still fills.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import json
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from load import sample_urls  # noqa: E402
from sqlalchemy import event  # noqa: E402
from stack import Stack  # noqa: E402

from navigator import create_app  # noqa: E402
from navigator.extensions import database  # noqa: E402
from navigator.serving.warm import warm_up  # noqa: E402


def host_speed() -> float:
    """Milliseconds of CPU for a fixed mix of interpreter work, JSON and string sorting (the median of five,
    the garbage collector held off): the same every day on the same host, so a change in it is the machine."""
    def once() -> float:
        started = time.process_time()
        for round_number in range(30):
            table = {f"ключ {i}": [i, i * 0.5, str(i)] for i in range(2000)}
            text = json.dumps(table, ensure_ascii=False)
            sorted(text.split(","), key=str.casefold)
            sum(len(value[2]) for value in table.values()) + round_number
        return (time.process_time() - started) * 1000

    gc.disable()
    try:
        return statistics.median(once() for _ in range(5))
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, required=True, help="a folder kept by bench/load.py --keep")
    parser.add_argument("--count", type=int, default=200, help="requests of each kind")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative or tottime")
    parser.add_argument("--profile", help="print the top functions of this kind (e.g. 'search page')")
    parser.add_argument("--rounds", type=int, default=1, help="ask every kind this many times over")
    arguments = parser.parse_args()
    print(f"host: {host_speed():.0f} ms for the reference work")
    folder = arguments.keep
    with open(folder / "programs.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    urls = sample_urls(rows, 3000)
    stack = Stack("serve", folder, folder / "programs.csv", 1)
    stack.pg_ctl("start")
    try:
        app = create_app({"DATABASE_URL": stack.database_url(), "INDEX_DIR": str(folder / "index"),
                          "INDEX_FOLLOWER": "external", "SECRET_KEY": "bench", "MODERATION": False,
                          "RATELIMIT_ENABLED": False}, instance_path=str(folder / "instance"))
        warm_up(app)
        statements = []
        event.listen(database(app).engine, "before_cursor_execute", lambda *args: statements.append(1))
        client = app.test_client()
        chance = random.Random(3)
        print(f"{len(rows)} programs; {arguments.count} requests of each kind "
              "(CPU and wall ms, SQL statements per request)")
        for round_number in range(1, arguments.rounds + 1):
            if arguments.rounds > 1:
                print(f"round {round_number}")
            for kind, choices in urls.items():
                sample = [chance.choice(choices) for _ in range(arguments.count)]
                last = round_number == arguments.rounds
                profile = (cProfile.Profile(time.process_time)
                           if last and kind == arguments.profile else None)  # CPU, not waits
                cpu, wall, queries = [], [], []
                for url in sample:
                    started, started_cpu = time.perf_counter(), time.process_time()
                    if profile:
                        profile.enable()
                    before = len(statements)
                    # gzip: as browsers (and bench/load.py) ask
                    response = client.get(url, headers={"Accept-Encoding": "gzip"})
                    queries.append(len(statements) - before)
                    if profile:
                        profile.disable()
                    cpu.append((time.process_time() - started_cpu) * 1000)
                    wall.append((time.perf_counter() - started) * 1000)
                    if response.status_code >= 500:
                        print(f"  {url}: {response.status_code}")
                print(f"{kind:24} CPU p50 {statistics.median(cpu):6.1f}  mean {statistics.fmean(cpu):6.1f}   "
                      f"wall p50 {statistics.median(wall):6.1f}  p95 {sorted(wall)[int(len(wall) * 0.95) - 1]:6.1f}   "
                      f"queries {statistics.fmean(queries):4.1f}")
                if profile:
                    pstats.Stats(profile).sort_stats(arguments.sort).print_stats(45)
        print(f"host: {host_speed():.0f} ms for the reference work")
    finally:
        stack.pg_ctl("stop")


if __name__ == "__main__":
    main()
