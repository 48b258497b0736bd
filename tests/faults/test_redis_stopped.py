"""Redis stopped while visitors search: pages and the API still answer 200, the limits fall back to
each worker's memory (logged), and once Redis is back the limits count there again."""

from __future__ import annotations

import time

import pytest

from tests.faults.traffic import Visitors

pytestmark = pytest.mark.faults

FALLBACK = "Rate limit storage unreachable - falling back to in-memory storage"
RECOVERED = "Rate limit storage recovered"


def test_pages_are_served_without_redis_and_limits_return_to_it(stack, visitor_urls):
    _wait(lambda: _api_counters(stack) > 0, "the API's limit to count in Redis", 10)
    fallbacks_before, recoveries_before = _count(stack, FALLBACK), _count(stack, RECOVERED)
    with Visitors(stack.base, visitor_urls, threads=3) as visitors:
        time.sleep(1)
        stack.redis_cli("shutdown", "nosave")
        stopped_at = time.monotonic()
        time.sleep(4)
        stack.start_redis()
        restarted_at = time.monotonic()
        assert _api_counters(stack) == 0  # a fresh Redis, empty
        _wait(lambda: _count(stack, RECOVERED) - recoveries_before >= _count(stack, FALLBACK) - fallbacks_before,
              "every worker that fell back to use Redis again", 40)
        recovered_after = time.monotonic() - restarted_at
        _wait(lambda: _api_counters(stack) > 0, "the API's limit to count in Redis again", 10)
    answers = visitors.answers
    down = visitors.between(stopped_at, restarted_at)
    fallbacks = _count(stack, FALLBACK) - fallbacks_before
    print(f"\nRedis stopped for {restarted_at - stopped_at:.1f} s: {len(down)} requests meanwhile "
          f"({Visitors.summary(down)}); {fallbacks} worker(s) logged the fall-back; the limits counted in Redis "
          f"again {recovered_after:.1f} s after it returned; all requests: {Visitors.summary(answers)}")
    assert down and all(answer.status == 200 for answer in answers)
    assert fallbacks >= 1


def _count(stack, message: str) -> int:
    return stack.log().count(message)


def _api_counters(stack) -> int:
    """Flask-Limiter's counters in Redis (its keys start with LIMITS:)."""
    return len([key for key in stack.redis_cli("--scan", "--pattern", "LIMITS*").splitlines() if key])


def _wait(check, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"waited {seconds:.0f} s for {what}"
        time.sleep(0.2)
