"""Database engine and sessions, usable with or without Flask (the CLI, benchmarks and tests share it)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, cast

from sqlalchemy import MetaData, Table, create_engine, event
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql import Executable

# Deterministic constraint names, so that migrations can alter constraints on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    #: Every model here is mapped to a Table (SQLAlchemy types it as any FromClause): Core inserts and deletes use it.
    __table__: ClassVar[Table]


def make_engine(url: str) -> Engine:
    """An engine for url; SQLite gets foreign keys and a busy timeout, as PostgreSQL behaves by default."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url)
    event.listen(engine, "checkin", _note_checkin)

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("checked_in_at", 0.0) < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as problem:  # the pool throws this connection away and checks out a new one
            raise DisconnectionError(f"a pooled connection was lost ({type(problem).__name__})") from problem

    return engine


#: A pooled connection unused for longer than this is pinged before use (it may have been cut: a database
#: restart, a firewall). SQLAlchemy's pool_pre_ping pinged at every checkout: a round trip per request, 5 %
#: of a worker's time under load. A connection in steady use that the database dropped fails its request
#: once (503); the pool then renews every connection it holds, so the site recovers at once.
PING_AFTER_IDLE_S = 2.0


def _note_checkin(_dbapi_connection, record) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # WAL lets the site read while an import writes.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def changed_rows(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE in the session's transaction; the number of rows it changed.

    Session.execute returns a CursorResult for these, which has rowcount, but is typed to return any Result.
    """
    return cast("CursorResult[Any]", session.execute(statement)).rowcount


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(factory, "before_flush", lambda session, *_: _transaction_for_writing(session))
    event.listen(factory, "do_orm_execute", _before_statement)
    return factory


#: Marks a session opened by open_reading_session whose connection starts in autocommit.
_READING = "navigator.reading"
#: The engine behind a reading session's autocommit bind, for separate_session.
_ENGINE = "navigator.engine"


def reading_bind(engine: Engine) -> Engine | None:
    """The engine's connections in autocommit, for open_reading_session (None where it gains nothing: SQLite
    sends no BEGIN before a read)."""
    return engine.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql" else None


def open_reading_session(factory: sessionmaker[Session], bind: Engine | None) -> Session:
    """A session for a request that normally only reads (a GET): on PostgreSQL its reads go without BEGIN and
    ROLLBACK, two of a page's four or five round trips. Under READ COMMITTED every statement sees its own
    snapshot anyway, so reads lose nothing outside a transaction. Before its first write (a flush, or any
    statement that is not a plain SELECT: an INSERT, an advisory lock) the connection leaves autocommit, so
    what the request writes commits or rolls back whole, as in any other session."""
    if bind is None:
        return factory()
    session = factory(bind=bind)
    session.info[_READING] = True
    session.info[_ENGINE] = factory.kw["bind"]
    return session


def separate_session(session: Session) -> Session:
    """A new session on session's database, for a short transaction of its own that commits without
    committing session's (a cache written while a GET is answered: the request's session commits nothing).
    Its transaction is a real one even where session reads in autocommit (open_reading_session)."""
    return Session(bind=session.info.get(_ENGINE) or session.get_bind(), expire_on_commit=False)


@contextmanager
def committing(session: Session) -> Iterator[Session]:
    """Commit the block's writes at its end: the layer that serves a request or a command commits, domain
    functions never do. An error in the block or in the commit rolls back before it goes on, so the session
    can still read (an error page)."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _before_statement(state) -> None:
    if not state.is_select:
        _transaction_for_writing(state.session)


def _transaction_for_writing(session: Session) -> None:
    if session.info.get(_READING):
        dbapi_connection = session.connection().connection.dbapi_connection
        if dbapi_connection.autocommit:  # idle between statements, so psycopg allows the switch
            dbapi_connection.autocommit = False
