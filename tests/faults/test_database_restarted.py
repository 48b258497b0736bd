"""PostgreSQL restarted (pg_ctl stop -m fast; start) while visitors search and a provider saves.

Errors come only while it is down, and they are the Russian 503 page or the API's JSON 503, never a
500; the site recovers by itself within 10 s; every save that was answered "saved" is in the database
and in each worker's search index afterwards, and wrote exactly one outbox entry.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from sqlalchemy import func, select, text

from navigator.catalogue.models import OutboxEntry, Program
from navigator.db import make_engine
from tests.faults.traffic import Provider, Visitors, with_free_places

pytestmark = pytest.mark.faults

DOWN_S = 3.0
RECOVERY_S = 10.0


def test_database_restart_gives_503_then_recovers_without_losing_saves(stack, visitor_urls, organization,
                                                                        provider):
    engine = make_engine(stack.database_url())  # pre-ping: it reconnects after the restart too
    try:
        _restart_during_traffic(stack, engine, visitor_urls, organization, provider)
    finally:
        engine.dispose()


def _restart_during_traffic(stack, engine, visitor_urls, organization, provider) -> None:
    with engine.connect() as connection:
        first_sequence = connection.execute(select(func.max(OutboxEntry.sequence))).scalar() or 0
    saves: list[tuple[str, int, str, object]] = []
    stop_saving = threading.Event()
    saver = threading.Thread(target=_save_every_half_second, args=(provider, organization[1], saves, stop_saving))
    with Visitors(stack.base, visitor_urls, threads=3) as visitors:
        saver.start()
        time.sleep(2)
        stopping = time.monotonic()
        stack.pg_ctl("-m", "fast", "stop")
        time.sleep(DOWN_S)
        stack.pg_ctl("start")
        started = time.monotonic()
        time.sleep(RECOVERY_S + 2)
        stop_saving.set()
        saver.join(60)
    answers = visitors.answers
    bad = [answer for answer in answers if answer.status != 200]
    late = [answer for answer in bad if answer.asked > started + RECOVERY_S]
    print(f"\nPostgreSQL down from +0.0 s to +{started - stopping:.1f} s; {len(answers)} requests: "
          f"{Visitors.summary(answers)}; errors asked from {_span(bad, stopping)}")
    print(f"   provider saves: {len(saves)}, "
          f"{Visitors.summary([answer for *_rest, answer in saves])}")
    assert bad, "no request met the stopped database: the scenario did not test anything"
    assert all(answer.status == 503 for answer in bad), [answer.describe() for answer in bad if answer.status != 503]
    for answer in bad:
        if answer.api:
            assert json.loads(answer.body)["error"]["status"] == 503
        else:
            assert "text/html" in answer.content_type and "База данных временно недоступна" in answer.body
    assert all(stopping - 1 <= answer.asked for answer in bad)
    assert not late, f"errors more than {RECOVERY_S:.0f} s after the restart: {[a.describe() for a in late]}"

    saved = [(public_id, seats, schedule) for public_id, seats, schedule, answer in saves if answer.status == 302]
    assert any(answer.status == 503 for *_rest, answer in saves), "no save met the stopped database"
    assert all(answer.status in (302, 503) for *_rest, answer in saves)
    expected = {public_id: (seats, schedule) for public_id, seats, schedule in saved}  # the last save of each
    with engine.connect() as connection:
        stored = {public_id: (seats, schedule) for public_id, seats, schedule in connection.execute(
            select(Program.public_id, Program.seats_free, Program.schedule)
            .where(Program.public_id.in_(expected)))}
        entries = connection.execute(text("SELECT count(*) FROM change_outbox WHERE sequence > :first"),
                                     {"first": first_sequence}).scalar()
    print(f"   {len(saved)} saves answered 302; {entries} outbox entries written meanwhile")
    assert stored == expected
    assert entries == len(saved), "a save wrote no outbox entry, or one was written twice"
    free = {public_id for public_id, (seats, _schedule) in expected.items() if seats}
    _wait_until_indexed(stack.base, organization[0], set(organization[1]), free)
    stack.wait_ready(RECOVERY_S)


def _save_every_half_second(provider: Provider, programs: list[str], saves: list, stop: threading.Event) -> None:
    """Quick edits round the programs, alternating free places 0 and 5, each with a distinct schedule."""
    number = 0
    while not stop.is_set():
        public_id = programs[number % len(programs)]
        seats = 5 * ((number // len(programs)) % 2)
        schedule = f"Пн 10:00 (отказ базы, сохранение {number})"
        saves.append((public_id, seats, schedule, provider.quick_edit(public_id, seats, schedule)))
        number += 1
        stop.wait(0.5)


def _wait_until_indexed(base: str, organization: str, programs: set[str], free: set[str], seconds=10.0) -> None:
    """Every worker's search (several answers in a row) agrees with the database on free places."""
    deadline, streak, seen = time.monotonic() + seconds, 0, set()
    while streak < 6:
        seen = with_free_places(base, organization) & programs
        streak = streak + 1 if seen == free else 0
        assert time.monotonic() < deadline, f"the index says {sorted(seen)} have free places, the database {free}"
        time.sleep(0.1)


def _span(answers, origin: float) -> str:
    if not answers:
        return "nowhere"
    return f"+{min(a.asked for a in answers) - origin:.1f} s to +{max(a.asked for a in answers) - origin:.1f} s"
