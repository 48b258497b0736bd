"""A GET's session reads outside a transaction on PostgreSQL, and still writes whole."""

from __future__ import annotations

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from navigator.catalogue.changes import mark_programs_changed
from navigator.catalogue.models import OutboxEntry, Program
from navigator.extensions import db_session
from navigator.geocoding.models import GeocodeCache
from tests.factories import load_programs, make_row


def _cache_row(key: str) -> GeocodeCache:
    return GeocodeCache(key=key, query=key, status="not_found")


def _transaction_status(session):
    return session.connection().connection.dbapi_connection.info.transaction_status


@pytest.mark.postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize(("method", "in_transaction"), [("GET", False), ("HEAD", False), ("POST", True)])
def test_only_a_get_reads_outside_a_transaction(app, method, in_transaction):
    with app.test_request_context("/", method=method):
        session = db_session()
        session.execute(select(func.count(Program.id))).scalar()
        assert (_transaction_status(session) == TransactionStatus.INTRANS) is in_transaction


def test_a_get_that_writes_rolls_back_whole(app, session):
    with app.test_request_context("/search", method="GET"):
        reading = db_session()
        reading.execute(select(func.count(GeocodeCache.id))).scalar()
        reading.add(_cache_row("первый"))
        reading.flush()  # one statement written; the next one fails
        reading.add(_cache_row("первый"))
        with pytest.raises(IntegrityError):
            reading.flush()
        reading.rollback()
    assert session.scalar(select(func.count(GeocodeCache.id))) == 0


def test_a_get_that_writes_commits_its_change_and_the_outbox_entry_together(app, session, tmp_path):
    load_programs(app, [make_row(1)], tmp_path)
    before = session.scalar(select(func.max(OutboxEntry.sequence)))
    with app.test_request_context("/search", method="GET"):
        reading = db_session()
        program = reading.scalars(select(Program)).one()
        program.seats_free = 7
        mark_programs_changed(reading, [program.id])
        reading.flush()
        if reading.get_bind().dialect.name == "postgresql":
            assert _transaction_status(reading) == TransactionStatus.INTRANS
        reading.commit()
        reading.execute(select(func.count(Program.id))).scalar()  # a read after the commit: autocommit again
        if reading.get_bind().dialect.name == "postgresql":
            assert _transaction_status(reading) == TransactionStatus.IDLE
    entry = session.scalars(select(OutboxEntry).where(OutboxEntry.sequence > before)).one()
    assert entry.program_ids == str(program.id)
    assert session.get(Program, program.id).seats_free == 7
