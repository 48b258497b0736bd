"""kill -9 one gunicorn worker while visitors search: the other serves, gunicorn starts a warmed-up replacement;
the request the killed worker was answering gets nginx's 502 page, and no other request fails."""

from __future__ import annotations

import os
import re
import signal
import time

import pytest

from tests.faults.traffic import Visitors

pytestmark = pytest.mark.faults


def test_a_killed_worker_costs_only_its_own_request(stack, visitor_urls):
    before = stack.worker_pids()
    assert len(before) == 2, f"expected 2 workers, found {before}"
    victim = before[0]
    with Visitors(stack.base, visitor_urls, threads=3) as visitors:
        time.sleep(2)
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        replacement = _wait_for_replacement(stack, before)
        warmed = _wait_for_log(stack, rf"Worker {replacement} warmed up in ([\d.]+) s")
        replaced_after = time.monotonic() - killed_at
        time.sleep(2)  # the replacement takes its share
    answers = visitors.answers
    failed = [answer for answer in answers if answer.status != 200]
    print(f"\nkilled worker {victim}; replacement {replacement} warmed up in {warmed} s, serving "
          f"{replaced_after:.1f} s after the kill; {len(answers)} requests: {Visitors.summary(answers)}")
    for answer in failed:
        print(f"   failed: {answer.describe()} at {answer.asked - killed_at:+.2f} s")
    # A sync worker handles one request at a time: only the one it was answering may break (the master does
    # not hand queued connections to a dead worker); nginx answers it with its own 502 page.
    assert len(failed) <= 1 and all(answer.status == 502 and "Сайт перезапускается" in answer.body
                                    for answer in failed)
    assert all(answer.answered >= killed_at for answer in failed)
    after = stack.worker_pids()
    assert victim not in after and replacement in after and len(after) == 2
    late = [answer for answer in answers if answer.asked > killed_at + replaced_after]
    assert late and all(answer.status == 200 for answer in late)


def _wait_for_replacement(stack, before: list[int], seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        new = set(stack.worker_pids()) - set(before)
        if new:
            return new.pop()
        time.sleep(0.1)
    raise AssertionError(f"gunicorn started no replacement within {seconds:.0f} s")


def _wait_for_log(stack, pattern: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = re.search(pattern, stack.log())
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"not in the stack's log within {seconds:.0f} s: {pattern}")
