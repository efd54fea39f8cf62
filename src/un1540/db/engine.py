"""Creating engines and sessions from a database URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

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
    return sessionmaker(bind=engine, expire_on_commit=False)


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
