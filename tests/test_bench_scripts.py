"""Every benchmark script runs at a tiny size and prints its figures.

The scripts import the package's internals, which move: a moved `fold` once left three of them failing at
their first line, and a changed `rebuild()` two more at their first figure, unnoticed until someone wanted
one. Each runs here in a process of its own as a developer runs it (no NAVIGATOR_* setting of the test
session reaches it), on a few hundred programs in temporary folders, and must exit 0 having printed its
table's header and a row of figures. The load benchmark starts the `make serve` stack (PostgreSQL, Redis),
as the fault suite does, and request_cost.py then measures on the folder it kept.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.postgres import ClusterUnavailable, _binaries

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
ROWS = "300"

#: Modules of the scripts, not scripts: each runs inside the script named.
MODULES = {"fts5_baseline.py": "search.py", "search_queries.py": "search.py", "stack.py": "load.py"}

#: Script: its arguments at a tiny size ({tmp}: a folder of its own, {cache}: the catalogue that search.py
#: and rebuild.py share), then patterns of its table's header and of a row of figures.
TINY = {
    "coverage.py": (["--rows", ROWS, "--repeat", "3", "--cache", "{tmp}"],
                    r"^request +first ms +p50 ms", r"^/coverage +\d+ +[\d.]+ +[\d.]+ +\d+$"),
    "import.py": (["--rows", ROWS, "--xlsx-rows", "100"],
                  r"^step +import s +rows/s +index s", r"^first import +[\d.]+ +\d+ +[\d.]+ +\d+"),
    "pages.py": (["--rows", ROWS, "--repeat", "3"],
                 r"^page +mapped +p50 ms", r"^program page /programs/\S+ +[\d.]+ +[\d.]+ +\d+ +\d+$"),
    "rebuild.py": (["--rows", ROWS, "--cache", "{cache}"],
                   rf"^rebuild: {ROWS} programs in [\d.]+ s wall", r"^two workers at once: RSS \d+ \+ \d+ MB"),
    "search.py": (["--rows", ROWS, "--queries", "60", "--cache", "{cache}"],
                  r"^kind of search +n +API p50", r"^all +60 +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+$"),
    "search_analysis.py": (["--rows", ROWS],
                           r"^form +as typed +stem +site", r"^шахматы +\d+ +\d+ +\d+ "),
}
#: Run by test_the_load_benchmark_and_request_cost_on_the_served_stack.
ON_THE_STACK = ("load.py", "request_cost.py")


def run(script: str, *arguments: str, timeout: float = 240) -> str:
    """Run bench/<script> as a developer does; its output (the test fails, showing it, if it exits non-zero)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("NAVIGATOR_")}
    result = subprocess.run([sys.executable, str(BENCH / script), *arguments], capture_output=True, text=True,
                            timeout=timeout, cwd=ROOT, env=env)
    assert result.returncode == 0, f"{script} exited {result.returncode}:\n{result.stdout[-3000:]}\n" \
                                   f"{result.stderr[-3000:]}"
    return result.stdout


def shows(output: str, pattern: str) -> bool:
    return re.search(pattern, output, re.MULTILINE) is not None


def test_every_script_has_a_tiny_run():
    scripts = {path.name for path in BENCH.glob("*.py")}
    assert scripts == set(TINY) | set(ON_THE_STACK) | set(MODULES)
    for module in MODULES:  # a module has no command line of its own
        assert "__main__" not in (BENCH / module).read_text(encoding="utf-8"), module


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bench-cache")


@pytest.mark.parametrize("script", sorted(TINY))
def test_a_benchmark_script_prints_its_figures(script, cache, tmp_path):
    arguments, header, figures = TINY[script]
    output = run(script, *(argument.format(tmp=tmp_path / "own", cache=cache) for argument in arguments))
    assert shows(output, header), output
    assert shows(output, figures), output


@pytest.mark.faults
def test_the_load_benchmark_and_request_cost_on_the_served_stack():
    try:
        _binaries()
    except ClusterUnavailable as problem:
        _unavailable(str(problem))
    if not shutil.which("redis-server"):
        _unavailable("redis-server is not installed")
    # Not under pytest's temporary folder: PostgreSQL runs as the postgres user when the tests run as root.
    folder = Path(tempfile.mkdtemp(prefix="navigator-bench-load-"))
    folder.chmod(0o755)
    try:
        output = run("load.py", "--programs", ROWS, "--workers", "2", "--rates", "5", "--duration", "4",
                     "--warm-up", "0", "--urls", "40", "--keep", str(folder), timeout=600)
        assert shows(output, r"^== 5 requests/s asked: [\d.]+/s achieved, \d+ answered"), output
        assert shows(output, r"^ +search page +\d+ +p50 +\d+ ms +p95 +\d+ ms"), output
        assert shows(output, r"^ +CPU per answered request: .*web workers [\d.]+ ms"), output
        assert shows(output, r"^Highest rate holding p95"), output
        output = run("request_cost.py", "--keep", str(folder), "--count", "5", timeout=300)
        assert shows(output, r"^host: \d+ ms for the reference work"), output
        assert shows(output, r"^search page +CPU p50 +[\d.]+ +mean +[\d.]+ +wall p50"), output
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"The load benchmark needs it in CI: {reason}")
    pytest.skip(reason)
