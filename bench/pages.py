"""Server time and weight of the public pages: the search page with about 10, 500 and 5,000 mapped
results, and a program page.

    .venv/bin/python bench/pages.py [--rows 5600] [--repeat 30]

It writes a sample catalogue (navigator.sampledata) into a temporary folder, imports and indexes it
with the navigator CLI, then asks the pages through the WSGI test client — so the times are the
server's own (search, database, folium, templates), without a network. Page weight is what a browser
fetches for the page without map tiles: the HTML plus every script, style and image it links to
under /static/, as sent (no compression) and as gzip would send it.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.datastructures import MultiDict  # noqa: E402

from navigator import create_app  # noqa: E402
from navigator.catalogue.vocab import DIRECTIONS  # noqa: E402
from navigator.extensions import db_session, search_index  # noqa: E402
from navigator.sampledata.generator import write_csv  # noqa: E402
from navigator.search import parse_request, run_search  # noqa: E402

TARGETS = (10, 500, 5000)
#: Leaflet's marker images: not in the HTML, but fetched as soon as the map shows a marker.
MARKER_IMAGES = ("/static/vendor/leaflet-1.9.4/images/marker-icon.png",
                 "/static/vendor/leaflet-1.9.4/images/marker-shadow.png")


def build_app(folder: Path, rows: int):
    csv_path = folder / "programs.csv"
    write_csv(csv_path, rows)
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'navigator.db'}", "INDEX_DIR": str(folder / "index"),
                      "SECRET_KEY": "bench"}, instance_path=str(folder / "instance"))
    runner = app.test_cli_runner()
    for command in (["init-db"], ["import", str(csv_path)], ["reindex"]):
        result = runner.invoke(args=command)
        if result.exit_code:
            sys.exit(f"navigator {command[0]} failed: {result.output}")
    return app


def candidate_searches(app) -> list[dict[str, str]]:
    """Filter-only searches of every size: everything, each direction, pairs of them, each municipality."""
    with app.test_request_context():
        everything = run_search(db_session(), search_index(), parse_request(MultiDict()))
    searches = [{}]
    codes = DIRECTIONS.codes
    searches += [{"direction": code} for code in codes]
    searches += [{"direction": [a, b]} for i, a in enumerate(codes) for b in codes[i + 1:]]
    searches += [{"direction": [c for c in codes if c != left_out]} for left_out in codes]
    searches += [{"municipality": facet.value} for facet in everything.facets["municipality"]]
    searches += [{"municipality": facet.value, "direction": code}
                 for facet in everything.facets["municipality"] for code in codes]
    return searches


def mapped_results(app, params: dict) -> int:
    with app.test_request_context():
        result = run_search(db_session(), search_index(), parse_request(MultiDict(params)), with_points=True)
    return len(result.points)


def closest_searches(app) -> dict[int, tuple[dict, int]]:
    sizes = [(params, mapped_results(app, params)) for params in candidate_searches(app)]
    return {target: min(sizes, key=lambda item: abs(item[1] - target)) for target in TARGETS}


def timed(client, url: str, params: dict, repeat: int) -> tuple[float, float, bytes]:
    """Median and 95th percentile of the server time in ms, and the last body."""
    client.get(url, query_string=params)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, query_string=params)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], response.data


def weight(client, html: bytes) -> tuple[int, int]:
    """Bytes the browser fetches for the page (no tiles): plain and gzip-compressed."""
    assets = set(re.findall(rb'(?:src|href)="(/static/[^"]+)"', html))
    bodies = [html]
    if b"folium-map" in html:
        assets |= {path.encode() for path in MARKER_IMAGES}
    for path in sorted(assets):
        with client.get(path.decode()) as response:
            bodies.append(response.get_data())
    return sum(map(len, bodies)), sum(len(gzip.compress(body, 6)) for body in bodies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5600, help="programs in the sample catalogue (default 5600)")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page (default 30)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="navigator-bench-pages-") as folder:
        started = time.perf_counter()
        app = build_app(Path(folder), arguments.rows)
        print(f"catalogue: {arguments.rows} programs, built and indexed in {time.perf_counter() - started:.0f} s")
        client = app.test_client()
        row("page", "mapped", "p50 ms", "p95 ms", "KB sent", "KB gzip")
        for target, (params, mapped) in closest_searches(app).items():
            measure(client, f"search, ~{target} mapped ({_describe(params)})", "/search", params, arguments.repeat,
                    mapped)
        html = measure(client, "search, q=шахматы&age=9", "/search", {"q": "шахматы", "age": "9"}, arguments.repeat)
        program = re.search(rb'href="(/programs/[^"]+)"', html).group(1).decode()
        measure(client, f"program page {program}", program, {}, arguments.repeat)


def measure(client, label: str, url: str, params: dict, repeat: int, mapped: int | str = "") -> bytes:
    p50, p95, html = timed(client, url, params, repeat)
    plain, packed = weight(client, html)
    row(label, mapped, f"{p50:.1f}", f"{p95:.1f}", f"{plain / 1024:.0f}", f"{packed / 1024:.0f}")
    return html


def row(label, *values) -> None:
    print(f"{label:<70}" + "".join(f"{value:>9}" for value in values))


def _describe(params: dict) -> str:
    if not params:
        return "no filter"
    return ", ".join(f"{key}={value if isinstance(value, str) else '+'.join(value)}" for key, value in params.items())


if __name__ == "__main__":
    main()
