"""What keeps a flood of applications from pushing real parents out (security finding 4).

**The form's stamp.** The form carries a signed stamp (SECRET_KEY) naming the program and a random nonce,
with the time the form was first shown. A send is refused as automated when the hidden honeypot field is
filled, or the stamp is forged, for another program or younger than ENROLLMENT_MIN_SECONDS; it is stale after
ENROLLMENT_FORM_HOURS; and it is spent by the one send that gets as far as storing an application: the nonce
is recorded with one atomic hit in the rate limits' storage (Redis with several workers: an INCR in a Lua
script; memory in one process, under a lock), so of two concurrent sends of one stamp exactly one passes.
A stale or spent stamp shows the parent the form again, filled, with a fresh stamp and a message saying why.

**The program's pace.** ENROLLMENT_LIMIT_PROGRAM counts, again with one atomic hit each, the sends that
passed the stamp. Within it an application counts in the public queue at once; beyond it the application is
stored all the same — a parent is never refused for what others sent — but `held`, counted in the public
queue only once the provider has opened it (navigator.enrollment.queue.public_queue).

Why not Flask-Limiter's `deduct_when` for the program: it *tests* the limit before the view and *hits* it
after the response, so concurrent sends all pass the test before any is counted (40 sends, 8 at a time, got
37 through a limit of 30), and once it is used up it answers 429 to every parent of the program. The
per-client limit stays a plain Flask-Limiter limit (hit before the view: atomic).

While the shared storage cannot be reached, this process counts in its own memory meanwhile (logged), as
the site's other limits do: the form keeps working.
"""

from __future__ import annotations

import logging
import secrets
import time

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from limits import RateLimitItemPerSecond, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from navigator.accounts.auth import limiter

log = logging.getLogger(__name__)
_FALLBACK = "navigator.enrollment_flood_fallback"

#: What a send's stamp says: it may store an application, or why not.
PASSED, AUTOMATED, STALE, SPENT = "passed", "automated", "stale", "spent"


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="navigator.apply-form")


def _max_age() -> int:
    return max(1, round(current_app.config["ENROLLMENT_FORM_HOURS"] * 3600))


def form_stamp(public_id: str, shown_before: str | None = None) -> str:
    """The stamp of a form shown now: a form shown again with its errors keeps its first stamp (correcting a
    field does not start the clock anew) while it is valid; otherwise a fresh one."""
    if shown_before and _read(shown_before, public_id)[0] == PASSED:
        return shown_before
    return _signer().sign(f"{public_id}.{secrets.token_urlsafe(12)}").decode()


def _read(stamp: str, public_id: str) -> tuple[str, str, float]:
    """(verdict so far, nonce, seconds since the form was shown) of a stamp, spending nothing."""
    try:
        value, signed_at = _signer().unsign(stamp, max_age=_max_age(), return_timestamp=True)
    except SignatureExpired:
        return STALE, "", 0.0
    except BadSignature:
        return AUTOMATED, "", 0.0
    program, _, nonce = value.decode().rpartition(".")
    if program != public_id or not nonce:
        return AUTOMATED, "", 0.0
    return PASSED, nonce, time.time() - signed_at.timestamp()


def check_stamp(form, public_id: str) -> str:
    """The send's verdict (PASSED spends the stamp: call it when nothing else can refuse the send but the
    database). In TESTING a send without a stamp, and the fill time, are not checked (as Flask-WTF skips its
    reCAPTCHA there); a stamp that is sent is checked in full."""
    if (form.get("homepage") or "").strip():
        return AUTOMATED
    stamp = form.get("started") or ""
    if not stamp and current_app.testing:
        return PASSED
    verdict, nonce, elapsed = _read(stamp, public_id)
    if verdict != PASSED:
        return verdict
    if elapsed < current_app.config["ENROLLMENT_MIN_SECONDS"] and not current_app.testing:
        return AUTOMATED
    return PASSED if _hit(RateLimitItemPerSecond(1, _max_age()), "apply-stamp", nonce) else SPENT


def within_pace(public_id: str) -> bool:
    """Count a send that passed its stamp against the program's usual pace; False beyond it."""
    items = parse_many(current_app.config["ENROLLMENT_LIMIT_PROGRAM"])
    return all([_hit(item, "apply-pace", public_id) for item in items])  # every window counts the send


def _hit(item, *identifiers: str) -> bool:
    """One atomic hit in the site's limit storage (this process's memory while that storage is down, or when
    the limits are switched off: RATELIMIT_ENABLED, as the benchmarks run)."""
    if not limiter.enabled:
        return _fallback().hit(item, *identifiers)
    try:
        return limiter.limiter.hit(item, *identifiers)
    except Exception as problem:  # Redis down: the form keeps working, counted per process meanwhile
        log.warning("Rate limit storage unreachable (%s); the application form counts per process meanwhile",
                    problem)
        return _fallback().hit(item, *identifiers)


def _fallback() -> RateLimiter:
    if _FALLBACK not in current_app.extensions:
        current_app.extensions[_FALLBACK] = FixedWindowRateLimiter(MemoryStorage())
    return current_app.extensions[_FALLBACK]
