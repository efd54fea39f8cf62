"""Creating engines and sessions from a database URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, sessionmaker

from un1540.errors import DatabaseUnavailable
from un1540.settings import masked_url


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets the portal read while a writer works.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, *, create_directory: bool = True) -> Engine:
    """An engine for SQLite or PostgreSQL, with the SQLite pragmas we rely on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if create_directory and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def finish_reads(session: Session) -> None:
    """End a PostgreSQL transaction that only read with COMMIT instead of the ROLLBACK that
    closing the session sends (and leave any other as it is: closing rolls it back).

    For PostgreSQL the two are the same for a transaction that wrote nothing, but psycopg
    forgets every server-side prepared statement of the connection at each ROLLBACK (it cannot
    tell what a rolled-back transaction changed): a web request's reads, which all ended that
    way, were parsed and planned again every time, and PostgreSQL spent as much CPU planning
    them as running them (docs/performance.md "Prepared statements"). Committed, the statements
    a connection runs often (five times: psycopg's `prepare_threshold`) stay prepared and
    PostgreSQL reuses their plans.

    Only for a session of `make_session_factory` bound to an engine (which notes what its
    transaction did: `_note_writes`); if the COMMIT fails (a statement failed and the
    transaction is aborted), it is rolled back as closing would."""
    transaction = session.get_transaction()
    bind = session.get_bind()
    if (
        transaction is None
        or not transaction.is_active
        or not isinstance(bind, Engine)  # the tests' sessions joined to a connection
        or bind.dialect.name != "postgresql"
        or not session.info.get(_NOTES_WRITES)
        or session.info.get(_WROTE)
        or session.new
        or session.dirty
        or session.deleted
    ):
        return
    try:
        session.commit()
    except SQLAlchemyError:
        session.rollback()


# session.info: whether the session's current transaction may have written (set by a flush, a
# statement other than an ORM SELECT, or a savepoint; forgotten when the transaction ends), in
# the sessions of `make_session_factory`, which say they keep it (`_NOTES_WRITES`).
_WROTE = "un1540.wrote"
_NOTES_WRITES = "un1540.notes_writes"


def _note_writes(sessions: sessionmaker[Session]) -> None:
    """Keep `_WROTE` for the sessions of `sessions`. Conservative: a SELECT written as text
    counts as a write too. Writes on the session's connection below the ORM are not seen: the
    code makes none outside a savepoint (the job queue's) or an action, which commits."""

    @event.listens_for(sessions, "after_transaction_create")
    def _began(session: Session, transaction: SessionTransaction) -> None:
        if transaction.nested:
            session.info[_WROTE] = True

    @event.listens_for(sessions, "after_transaction_end")
    def _ended(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:
            session.info.pop(_WROTE, None)

    @event.listens_for(sessions, "after_flush")
    def _flushed(session: Session, _context: Any) -> None:
        session.info[_WROTE] = True

    @event.listens_for(sessions, "do_orm_execute")
    def _executed(state: ORMExecuteState) -> None:
        if not state.is_select:
            state.session.info[_WROTE] = True


def session_url(session: Session) -> str:
    """The database a session talks to, as a string (for cache keys)."""
    return str(session.get_bind().engine.url)


def reads_without_transaction(session: Session) -> None:
    """Let a new session that only reads run each statement on its own, with no BEGIN and
    ROLLBACK around them: on PostgreSQL that saves two of a short read's round trips (an
    uncached matrix JSON made six: the pool's ping, BEGIN, three reads, ROLLBACK). It changes
    nothing that a reader sees: at PostgreSQL's READ COMMITTED (the default, which we keep)
    every statement of a transaction already reads its own snapshot, and a transaction that
    writes nothing holds nothing for the next statement. SQLite is left as it is (pysqlite
    issues no BEGIN before a read anyway). Only for a session bound to an engine, before its
    first statement: one bound to a connection (the tests' joined sessions) is left alone."""
    bind = session.get_bind()
    if (
        isinstance(bind, Engine)
        and bind.dialect.name == "postgresql"
        and not session.in_transaction()
    ):
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    sessions = sessionmaker(bind=engine, expire_on_commit=False, info={_NOTES_WRITES: True})
    _note_writes(sessions)
    return sessions


def check_connection(engine: Engine) -> None:
    """Raise DatabaseUnavailable, naming the URL with its password masked, if we cannot connect."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        url = masked_url(engine.url.render_as_string(hide_password=False))
        raise DatabaseUnavailable(f"cannot connect to database {url}: {reason}") from error


# The driver's errors, as the web layer names them when it maps an unavailable database to 503.
DatabaseError = DBAPIError

# Connection failures, the server shutting down or refusing connections (PostgreSQL SQLSTATE
# classes 08 and 57P, 53300 too many connections), SQLite busy past its timeout.
_UNAVAILABLE_SQLSTATES = ("08", "57P", "53300")
_SQLITE_BUSY = {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_TIMEOUT"}


def database_unavailable(error: BaseException) -> bool:
    """Whether this error means the database could not answer now (try again later), rather
    than a bug of ours: a lost or refused connection, a server shutting down, SQLite busy."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None) or ""
    if sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
        return True
    if isinstance(error, OperationalError) and type(original).__module__.startswith("psycopg"):
        return not sqlstate  # no answer from the server at all: the connection failed
    return getattr(original, "sqlite_errorname", None) in _SQLITE_BUSY
