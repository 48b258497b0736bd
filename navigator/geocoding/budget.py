"""The online geocoder's request budget for the whole site, shared by every process and machine.

The public Nominatim allows one request a second from a site, not from each of its worker processes.
The budget is counted in the same storage as the site's rate limits (`limits`, the library under
Flask-Limiter): Redis when NAVIGATOR_RATELIMIT_STORAGE_URI points there, so all workers and the CLI
draw from one budget; `memory://` counts per process (the one-process site). If the shared storage
cannot be reached, the budget falls back to this process's memory (logged) rather than stopping.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

#: How long a request that may wait (a bulk `navigator geocode`) polls for the next free slot.
POLL_S = 0.1
KEY = "navigator-geocoder"


class RequestBudget:
    """At most one request every `min_delay` seconds (rounded up to whole seconds) across the site."""

    def __init__(self, storage_uri: str, min_delay: float, sleep: Callable[[float], None] = time.sleep):
        self.item = RateLimitItemPerSecond(1, max(1, math.ceil(min_delay))) if min_delay > 0 else None
        self._sleep = sleep
        self._fallback = MovingWindowRateLimiter(MemoryStorage())
        self._lock = threading.Lock()
        try:
            self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri, **_options(storage_uri)))
        except Exception as problem:  # a storage URI whose driver is missing, say
            log.warning("Geocoder budget storage %s unusable (%s); counting per process", storage_uri, problem)
            self._limiter = self._fallback

    def take(self, wait: bool) -> bool:
        """Spend one request; False (spending nothing) when the budget is used up and `wait` is off."""
        if self.item is None:
            return True
        while True:
            if self._hit():
                return True
            if not wait:
                return False
            self._sleep(POLL_S)

    def _hit(self) -> bool:
        try:
            return self._limiter.hit(self.item, KEY)
        except Exception as problem:  # Redis down: keep geocoding within this process's own budget
            log.warning("Geocoder budget storage unreachable (%s); counting per process meanwhile", problem)
            with self._lock:
                return self._fallback.hit(self.item, KEY)


def _options(storage_uri: str) -> dict:
    """Short timeouts: a request must not hang on a Redis that is down."""
    if storage_uri.startswith(("redis://", "rediss://", "redis+unix://", "unix://")):
        return {"socket_connect_timeout": 0.3, "socket_timeout": 0.3}
    return {}
