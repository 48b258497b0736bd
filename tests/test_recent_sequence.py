"""The outbox sequence a process trusts for a second: its own commits show at once, another process's
within the interval, and a quiet catalogue costs no round trip per page."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import sessionmaker

from navigator.catalogue import changes
from navigator.catalogue.changes import latest_sequence, mark_programs_changed, recent_sequence, record_changes
from navigator.catalogue.models import Program
from navigator.extensions import database
from tests.factories import load_programs, make_row


@pytest.fixture
def catalogue(app, tmp_path):
    load_programs(app, [make_row(1), make_row(2)], tmp_path)
    return app


@pytest.fixture
def other_process(catalogue, database_url):
    """Sessions of a second engine on the same database: what another worker's commits look like here."""
    engine = create_engine(database_url)
    factory = sessionmaker(engine)
    record_changes(factory)
    yield factory
    engine.dispose()


def _save(factory, public_id: str, seats_free: int) -> None:
    with factory() as session:
        program = session.scalar(select(Program).where(Program.public_id == public_id))
        program.seats_free = seats_free
        mark_programs_changed(session, [program.id])
        session.commit()


def _statements(app) -> list[str]:
    seen: list[str] = []
    event.listen(database(app).engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_the_sequence_is_read_once_per_interval(catalogue, session, sequence_clock):
    first = recent_sequence(session)
    assert first == latest_sequence(session) > 0
    statements = _statements(catalogue)
    sequence_clock.now += changes.RECHECK_SECONDS / 2
    assert recent_sequence(session) == first and statements == []
    sequence_clock.now += changes.RECHECK_SECONDS
    assert recent_sequence(session) == first and len(statements) == 1


def test_this_process_commit_shows_at_once(catalogue, session, sequence_clock):
    before = recent_sequence(session)
    _save(database(catalogue).session_factory, "p1", 0)
    statements = _statements(catalogue)
    assert recent_sequence(session) == before + 1 and statements == []


def test_another_process_commit_shows_when_the_interval_is_over(catalogue, session, sequence_clock, other_process):
    before = recent_sequence(session)
    _save(other_process, "p1", 0)
    assert recent_sequence(session) == before  # trusted for the interval
    sequence_clock.now += changes.RECHECK_SECONDS
    assert recent_sequence(session) == before + 1


def test_frequent_own_commits_do_not_hide_other_processes(catalogue, session, sequence_clock, other_process):
    """A worker that saves often still reads the database once its interval is over."""
    before = recent_sequence(session)
    _save(other_process, "p2", 0)
    for step in range(3):
        sequence_clock.now += changes.RECHECK_SECONDS / 2
        _save(database(catalogue).session_factory, "p1", step)
        recent_sequence(session)
    assert recent_sequence(session) == latest_sequence(session) == before + 4


def test_a_page_tag_follows_another_process_save_within_the_interval(catalogue, sequence_clock, other_process):
    client = catalogue.test_client()
    tag = client.get("/search", query_string={"q": "программа"}).headers["ETag"]
    statements = _statements(catalogue)
    unchanged = client.get("/search", query_string={"q": "программа"}, headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and statements == []  # a revalidation without a round trip
    _save(other_process, "p1", 0)
    sequence_clock.now += changes.RECHECK_SECONDS
    changed = client.get("/search", query_string={"q": "программа"}, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
