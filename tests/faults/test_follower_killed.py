"""kill -9 index writers: a `navigator reindex` halfway through its build, then the long-running follower.

The previous index keeps serving searches throughout; no half-written build stays; the follower that
`make serve` starts again resumes from the sequence its index records and brings the index up to date
with a change saved while it was dead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request

import pytest

from bench.stack import NAVIGATOR, ROOT
from tests.faults.conftest import index_builds
from tests.faults.traffic import Visitors, fetch, with_free_places

pytestmark = pytest.mark.faults


def test_killed_index_writers_leave_the_index_serving_and_the_follower_resumes(stack, visitor_urls, provider,
                                                                             organization):
    index_dir = stack.folder / "index"
    serving = (index_dir / "live").resolve()
    searches = [url for url in visitor_urls if "?" in url]
    with Visitors(stack.base, searches, threads=2, pause=0.1) as visitors:
        build_seconds, leftover, serving = _kill_reindex_halfway(stack, serving)
        print(f"\nkilled `navigator reindex` {build_seconds:.1f} s into its build; left behind: {leftover.name}")
        assert (index_dir / "live").resolve() == serving, "the killed build must not have been swapped in"
        _wait(lambda: index_builds(stack) == [serving], "the half-written build to be removed")

        follower = stack.follower_pids()
        assert len(follower) == 1
        os.kill(follower[0], signal.SIGKILL)
        killed_at = time.monotonic()
        public_id = organization[1][0]
        free_before = public_id in with_free_places(stack.base, organization[0])
        saved = provider.quick_edit(public_id, 0 if free_before else 4, "Вт 16:00 (без индексатора)")
        assert saved.status == 302, saved.describe()
        _wait(lambda: stack.follower_pids() and stack.follower_pids() != follower, "a new follower", 30)
        restarted = time.monotonic() - killed_at
        # A new Python process starts in a few seconds, much slower on a busy machine: 60 s is generous.
        _wait(lambda: all((public_id in with_free_places(stack.base, organization[0])) != free_before
                          for _ in range(4)), "the change saved meanwhile to be searchable", 60)
        caught_up = time.monotonic() - killed_at
    answers = visitors.answers
    print(f"killed the follower {follower[0]}; a new one ran after {restarted:.1f} s and the change saved "
          f"meanwhile was searchable after {caught_up:.1f} s; searches meanwhile: {Visitors.summary(answers)}")
    assert answers and all(answer.status == 200 for answer in answers)
    assert index_builds(stack) == [serving]
    ready = fetch(urllib.request.build_opener(), stack.base, "/readyz")
    assert ready.status == 200, ready.body


def _kill_reindex_halfway(stack, serving, attempts: int = 3):
    """Start `navigator reindex`, SIGKILL it while its new build is written; (seconds in, its build, the live one)."""
    for _attempt in range(attempts):
        reindex = subprocess.Popen([NAVIGATOR, "reindex"], env=stack.database_env(), cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic()
        building = []
        while not building and reindex.poll() is None:
            building = [path for path in index_builds(stack) if path != serving]
            time.sleep(0.02)
        time.sleep(0.1)  # into the build (3,400 programs take a second or more)
        if reindex.poll() is None and (stack.folder / "index" / "live").resolve() == serving:
            reindex.send_signal(signal.SIGKILL)
            reindex.wait()
            return time.monotonic() - started, building[0], serving
        reindex.wait()
        serving = (stack.folder / "index" / "live").resolve()  # it finished first: try again
    raise AssertionError(f"`navigator reindex` finished before it could be killed, {attempts} times")


def _wait(check, what: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"waited {seconds:.0f} s for {what}"
        time.sleep(0.1)
