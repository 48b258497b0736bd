"""A full index rebuild at scale, and what a fresh web worker pays for its first search and holds in memory.

    .venv/bin/python bench/rebuild.py [--rows 100000] [--seed 1] [--cache /tmp/navigator-bench] [--runs 1]

The catalogue is bench/search.py's (imported once with the CLI, cached). The rebuild runs in a child process
through the follower, as `navigator reindex` does: wall time, CPU time (user + system; on a shared machine the
wall time also counts the time other work held the cores), and peak resident memory of the process and of any
process it started. Then a fresh process plays a web worker: its first search (opens the searcher, maps or
reads the columns, reads the term data it needs) and its memory from /proc: RSS, and the anonymous part of
it, the process's own heap (the rest are index and column files mapped from the page cache, which every
worker shares). Once on the build as written, once on a copy without the column files: how a worker loaded
its columns before they were saved beside the segment.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import _copy_sqlite, cached_catalogue  # noqa: E402

BUILD = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
import search
app = search.make_app(Path(sys.argv[1]))
from navigator.extensions import index_follower
wall, cpu = time.perf_counter(), time.process_time()
result = index_follower(app).rebuild()
usage, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - wall, "cpu": usage.ru_utime + usage.ru_stime
                  + children.ru_utime + children.ru_stime, "count": result.rebuilt,
                  "peak_mb": usage.ru_maxrss / 1024, "children_peak_mb": children.ru_maxrss / 1024}))
"""

WORKER = """
import json, sys, time
from pathlib import Path

def memory():
    fields = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return {"rss": fields["Rss"], "pss": fields["Pss"], "anonymous": fields["Anonymous"]}

from navigator import create_app
folder = Path(sys.argv[1])
app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'navigator.db'}", "INDEX_DIR": str(folder / "index"),
                  "SECRET_KEY": "bench", "INDEX_FOLLOWER": "external"}, instance_path=str(folder / sys.argv[3]))
client = app.test_client()
client.get("/healthz")
before = memory()
started = time.perf_counter()
response = client.get("/api/v1/programs", query_string={"q": "шахматы"})
first = time.perf_counter() - started
assert response.status_code == 200, response.get_json()
started = time.perf_counter()
client.get("/api/v1/programs", query_string={"q": "танцы", "sort": "title"})
second = time.perf_counter() - started
print(json.dumps({"first_ms": first * 1000, "second_ms": second * 1000, "before": before, "after": memory()}),
      flush=True)
if len(sys.argv) > 4:  # held: answer again once told that another worker is up
    sys.stdin.readline()
    client.get("/api/v1/programs", query_string={"profile": "Шахматы", "sort": "title"})
    print(json.dumps({"beside": memory()}), flush=True)
"""


def run_json(code: str, *arguments: str) -> dict:
    output = subprocess.run([sys.executable, "-c", code, *arguments], check=True, capture_output=True,
                            text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def worker(folder: Path, name: str) -> dict:
    return run_json(WORKER, str(folder), str(Path(__file__).parent), name)


def two_workers(folder: Path) -> None:
    """Two workers alive at once: PSS splits the pages they share (mapped index and column files) between them."""
    held = subprocess.Popen([sys.executable, "-c", WORKER, str(folder), str(Path(__file__).parent), "worker-a",
                             "hold"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        print_worker("worker, mapped columns", json.loads(held.stdout.readline()))
        other = worker(folder, "worker-b")
        held.stdin.write("go\n")
        held.stdin.flush()
        first = json.loads(held.stdout.readline())["beside"]
    finally:
        held.communicate(timeout=120)
    second = other["after"]
    print(f"two workers at once: RSS {first['rss']:.0f} + {second['rss']:.0f} MB, PSS {first['pss']:.0f} + "
          f"{second['pss']:.0f} MB (each one's anonymous part: {first['anonymous']:.0f} and "
          f"{second['anonymous']:.0f} MB)")


def print_worker(label: str, found: dict) -> None:
    before, after = found["before"], found["after"]
    print(f"{label}: first search {found['first_ms']:.0f} ms (a second one {found['second_ms']:.0f} ms); "
          f"memory before it RSS {before['rss']:.0f} MB (anonymous {before['anonymous']:.0f} MB), after it "
          f"RSS {after['rss']:.0f} MB (anonymous {after['anonymous']:.0f} MB: the process's own; the rest are "
          f"file pages shared through the page cache)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="programs in the catalogue (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the sample data (default 1)")
    parser.add_argument("--runs", type=int, default=1, help="rebuilds to time (default 1)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "navigator-bench",
                        help="folder that keeps the imported catalogue between runs")
    arguments = parser.parse_args()
    catalogue = cached_catalogue(arguments.cache, arguments.rows, arguments.seed)
    with tempfile.TemporaryDirectory(prefix="navigator-bench-rebuild-") as name:
        folder = Path(name)
        _copy_sqlite(catalogue, folder / "navigator.db")
        for _run in range(arguments.runs):
            built = run_json(BUILD, str(folder), str(Path(__file__).parent))
            print(f"rebuild: {built['count']} programs in {built['seconds']:.1f} s wall, {built['cpu']:.1f} s CPU, "
                  f"peak memory {built['peak_mb']:.0f} MB (started processes: {built['children_peak_mb']:.0f} MB) "
                  f"(targets: <= 60 s, <= 1 GB)")
        two_workers(folder)
        plain = folder / "plain"
        plain.mkdir()
        shutil.copy(folder / "navigator.db", plain / "navigator.db")
        shutil.copytree(folder / "index" / "live", plain / "index" / "build-plain", symlinks=False,
                        ignore=shutil.ignore_patterns("columns-*"))
        (plain / "index" / "live").symlink_to("build-plain")
        print_worker("worker reading the stored rows (no column files)", worker(plain, "worker-3"))


if __name__ == "__main__":
    main()
