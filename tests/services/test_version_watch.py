"""The versions of a SQLite file watched with `PRAGMA data_version` (kernel/data_version.py
`SqliteVersionWatch`, used by web/warm_reads.py): as fresh as `current_versions`, and without
reading the versions while no connection has committed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from un1540.db.engine import make_session_factory
from un1540.services.kernel.data_version import (
    GLOBAL,
    SqliteVersionWatch,
    current_versions,
    state_scope,
    touch,
)


@pytest.fixture
def watch(fresh_engine: Engine) -> Iterator[SqliteVersionWatch]:
    if not SqliteVersionWatch.applies(fresh_engine):
        pytest.skip("a SQLite file only: PostgreSQL reads the versions in each request")
    watch = SqliteVersionWatch(fresh_engine)
    yield watch
    watch.close()


def test_the_watch_reads_the_versions_only_after_a_commit(
    fresh_engine: Engine, watch: SqliteVersionWatch
) -> None:
    sessions = make_session_factory(fresh_engine)
    first = watch.current()
    statements: list[str] = []
    watch._connection.set_trace_callback(statements.append)
    assert watch.current() is first
    assert watch.current() is first
    assert statements == ["PRAGMA data_version"] * 2  # nothing committed: no SELECT

    with sessions() as session, session.begin():  # another connection commits a write
        touch(session, state_scope("FRA"))
    statements.clear()
    after = watch.current()
    assert after.of(state_scope("FRA")) > first.of(state_scope("FRA"))
    assert after.of(GLOBAL) > first.of(GLOBAL)
    assert statements[0] == "PRAGMA data_version"
    assert any(statement.startswith("SELECT") for statement in statements[1:])
    with sessions() as session:  # what a request's own session reads, the same versions
        assert current_versions(session).values == after.values
    statements.clear()
    assert watch.current() is after
    assert statements == ["PRAGMA data_version"]


def test_a_commit_that_raises_nothing_costs_one_read_of_global(
    fresh_engine: Engine, watch: SqliteVersionWatch
) -> None:
    sessions = make_session_factory(fresh_engine)
    first = watch.current()
    with sessions() as session, session.begin():  # a write no cache reads (a sign-in's)
        session.connection().exec_driver_sql("CREATE TABLE scratch (x INTEGER)")
    statements: list[str] = []
    watch._connection.set_trace_callback(statements.append)
    again = watch.current()
    assert again.values == first.values
    assert len(statements) == 2  # the pragma, then `global` alone (unchanged: no full read)
    assert "scope = 'global'" in statements[1]
