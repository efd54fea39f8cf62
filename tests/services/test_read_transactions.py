"""How a web request's transaction ends (db/engine.py `finish_reads`): one that only read is
committed, so that psycopg keeps the statements it prepared on PostgreSQL (it forgets them all
at each ROLLBACK); anything that wrote, or failed, is rolled back as before."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, event, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.conftest import settings_for
from un1540.db.engine import finish_reads, make_session_factory
from un1540.models import State


def _ends(engine: Engine) -> list[str]:
    """The ways the engine's transactions end from now on ("commit" or "rollback")."""
    ends: list[str] = []
    event.listen(engine, "commit", lambda _connection: ends.append("commit"))
    event.listen(engine, "rollback", lambda _connection: ends.append("rollback"))
    return ends


def _read_france(session: Session) -> None:
    assert session.scalars(select(State.iso3).where(State.iso3 == "FRA")).one() == "FRA"


def _prepared_statements(engine: Engine) -> int:
    with make_session_factory(engine)() as session:
        return session.scalar(text("SELECT count(*) FROM pg_prepared_statements")) or 0


@pytest.mark.parametrize("finished", [True, False], ids=["finished", "closed"])
def test_reads_committed_keep_their_prepared_statements(
    fresh_engine: Engine, finished: bool
) -> None:
    if fresh_engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    fresh_engine.dispose()  # one pooled connection, used by every session below in turn
    sessions = make_session_factory(fresh_engine)
    ends = _ends(fresh_engine)
    for _ in range(8):  # more than psycopg's prepare_threshold (5)
        with sessions() as session:
            _read_france(session)
            if finished:
                finish_reads(session)
    assert set(ends) == ({"commit"} if finished else {"rollback"})
    # Ended by COMMIT, the read was prepared after its fifth run and stays so; each ROLLBACK
    # made psycopg deallocate everything and count again from zero.
    assert (_prepared_statements(fresh_engine) > 0) is finished


def test_on_sqlite_the_session_is_left_to_close(fresh_engine: Engine) -> None:
    if fresh_engine.dialect.name != "sqlite":
        pytest.skip("the SQLite case")
    with make_session_factory(fresh_engine)() as session:
        _read_france(session)
        finish_reads(session)
        assert session.in_transaction()  # untouched: close() ends it, as before


def test_a_flushed_write_is_not_committed(fresh_engine: Engine) -> None:
    sessions = make_session_factory(fresh_engine)
    with sessions() as session:
        state = session.scalars(select(State).where(State.iso3 == "FRA")).one()
        state.note = "flushed, never committed"
        session.flush()
        finish_reads(session)
    with sessions() as session:
        assert session.scalars(select(State.note).where(State.iso3 == "FRA")).one() != (
            "flushed, never committed"
        )


def test_a_pending_change_is_not_flushed_by_a_commit(fresh_engine: Engine) -> None:
    sessions = make_session_factory(fresh_engine)
    with sessions() as session:
        state = session.scalars(select(State).where(State.iso3 == "FRA")).one()
        state.note = "pending"
        finish_reads(session)  # a COMMIT would flush it first
    with sessions() as session:
        assert session.scalars(select(State.note).where(State.iso3 == "FRA")).one() != "pending"


def test_a_core_write_is_not_committed(fresh_engine: Engine) -> None:
    sessions = make_session_factory(fresh_engine)
    with sessions() as session:
        session.execute(text("UPDATE state SET note = 'core write' WHERE iso3 = 'DEU'"))
        finish_reads(session)
    with sessions() as session:
        assert session.scalars(select(State.note).where(State.iso3 == "DEU")).one() != (
            "core write"
        )


def test_a_savepoint_or_a_foreign_session_is_left_to_close(fresh_engine: Engine) -> None:
    if fresh_engine.dialect.name != "postgresql":
        pytest.skip("finish_reads commits on PostgreSQL only")
    ends = _ends(fresh_engine)
    with make_session_factory(fresh_engine)() as session:
        with session.begin_nested():  # the job queue writes in one, below the ORM
            _read_france(session)
        finish_reads(session)
    with Session(fresh_engine) as session:  # not one of make_session_factory: nothing noted
        _read_france(session)
        finish_reads(session)
    assert ends == ["rollback", "rollback"]


def test_a_write_earlier_in_the_session_does_not_block_later_reads(fresh_engine: Engine) -> None:
    """The mark of a write belongs to one transaction: the next one starts clean."""
    if fresh_engine.dialect.name != "postgresql":
        pytest.skip("finish_reads commits on PostgreSQL only")
    fresh_engine.dispose()
    sessions = make_session_factory(fresh_engine)
    ends = _ends(fresh_engine)
    with sessions() as session:
        session.execute(text("UPDATE state SET note = note WHERE iso3 = 'DEU'"))
        finish_reads(session)  # left to close
        session.rollback()
        _read_france(session)
        finish_reads(session)
    assert ends == ["rollback", "commit"]


def test_a_failed_transaction_is_rolled_back_and_the_connection_still_works(
    fresh_engine: Engine,
) -> None:
    sessions = make_session_factory(fresh_engine)
    with sessions() as session:
        with pytest.raises(DBAPIError):
            session.execute(text("SELECT no_such_column FROM state"))
        finish_reads(session)  # neither raises nor leaves the session unusable
    with sessions() as session:
        _read_france(session)


def test_a_web_request_ends_its_reads_with_commit(fresh_engine: Engine) -> None:
    """The request's session (web/deps.py) is finished this way; a failed request is not."""
    from fastapi.testclient import TestClient

    from un1540.web.app import create_app

    ends = _ends(fresh_engine)
    app = create_app(settings_for(fresh_engine), engine=fresh_engine)
    with TestClient(app) as client:
        ends.clear()
        assert client.get("/states/FRA").status_code == 200
        read = list(ends)
        ends.clear()
        assert client.get("/states/XXX").status_code == 404
        failed = list(ends)
    if fresh_engine.dialect.name == "postgresql":
        assert read
        assert set(read) == {"commit"}
        assert failed
        assert set(failed) == {"rollback"}
    else:  # SQLite: as before
        assert "commit" not in read + failed
