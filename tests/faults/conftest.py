"""The fault suite's stack: `make serve` (scripts/serve.sh) in a private folder, shared by the scenarios.

One stack serves every scenario of the session (starting one costs about a minute on a busy 2-core
machine): the bundled 3,400-program catalogue, 2 gunicorn workers behind nginx, its own PostgreSQL
cluster and Redis. Each scenario breaks one part, watches, and leaves the stack ready again (it asserts so).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from bench.stack import ROOT, Stack
from tests.faults.traffic import Provider
from tests.postgres import ClusterUnavailable, _binaries

DATA = ROOT / "data" / "programs.csv"


@pytest.fixture(scope="session")
def stack():
    """The running stack (ready), stopped at the end of the session; its log is shown if it fails to start."""
    try:
        _binaries()
    except ClusterUnavailable as problem:
        _unavailable(str(problem))
    if not shutil.which("redis-server"):
        _unavailable("redis-server is not installed")
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()) and os.geteuid() != 0:
        _unavailable("nginx is not installed (scripts/serve.sh installs it when run as root)")
    # Not under pytest's temporary folder: PostgreSQL runs as the postgres user when the tests run as root,
    # and must reach its data folder.
    folder = Path(tempfile.mkdtemp(prefix="navigator-faults-"))
    folder.chmod(0o755)
    served = Stack("serve", folder, DATA, workers=2)
    served.start()
    try:
        served.wait_ready(600)
        yield served
    finally:
        served.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def _stack_log_on_failure(request, stack):
    """What the stack logged during a scenario that failed, to see why."""
    start = len(stack.log())
    yield
    if request.node.stash.get(_FAILED, False):
        logged = stack.log()[start:]
        errors = [block for block in re.split(r"\n(?=\[\d{4}-)", logged) if "Traceback" in block or "[ERROR]" in block]
        print(f"\n--- errors the stack logged during {request.node.name} ---\n" + "\n".join(errors[:5])[-8000:])
        print(f"--- the end of its log ---\n{logged[-3000:]}")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"The fault suite needs it in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def catalogue() -> list[dict[str, str]]:
    with open(DATA, encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def visitor_urls(catalogue) -> list[str]:
    """Search pages, API searches and program pages, as in bench/load.py's mix (the database and the index)."""
    urls = ["/?q=%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82%D1%8B", "/?age=10", "/?direction=sport&page=2",
            "/api/v1/programs?q=%D1%82%D0%B0%D0%BD%D1%86%D1%8B", "/api/v1/programs?age=7&per_page=20"]
    urls += [f"/programs/{row['program_id']}" for row in catalogue[:400:40]]
    return urls


@pytest.fixture(scope="session")
def organization(catalogue) -> tuple[str, list[str]]:
    """An organization with several programs, and four of them for a provider to save."""
    counts = Counter(row["organization_id"] for row in catalogue)
    chosen = next(name for name, count in counts.most_common() if count >= 4)
    return chosen, [row["program_id"] for row in catalogue if row["organization_id"] == chosen][:4]


@pytest.fixture(scope="session")
def provider(stack, organization) -> Provider:
    """A provider account of that organization, signed in (created with `navigator create-account`)."""
    out = subprocess.run([str(ROOT / ".venv/bin/navigator"), "create-account", "--role", "provider",
                          "--organization", organization[0], "faults@example.org"], env=stack.database_env(),
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    return Provider(stack.base, re.search(r"https?://\S+/set-password/\S+", out).group(0))


def index_builds(stack: Stack) -> list[Path]:
    return sorted((stack.folder / "index").glob("build-*"))
