"""The versions watched for the requests answered before routing (kernel/data_version.py, used
by web/warm_reads.py), as fresh as `current_versions`:

- on a SQLite file (`SqliteVersionWatch`), with `PRAGMA data_version`: no read of the versions
  while no connection has committed;
- on PostgreSQL (`PostgresVersionWatch`), on an async connection of its own: a write committed
  by another connection or process is seen by the very next read; concurrent requests share
  one read, never one that started before they arrived (proved step by step, not by timing);
  a lost connection is replaced, and a watch that cannot read answers None (the caller then
  reads the versions in a session, as before).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from un1540.db.engine import make_engine, make_session_factory
from un1540.services.kernel.data_version import (
    GLOBAL,
    PostgresVersionWatch,
    SqliteVersionWatch,
    Versions,
    current_versions,
    state_scope,
    touch,
)

FRA = state_scope("FRA")


@pytest.fixture
def watch(fresh_engine: Engine) -> Iterator[SqliteVersionWatch]:
    if not SqliteVersionWatch.applies(fresh_engine):
        pytest.skip("a SQLite file only: PostgreSQL has a watch of its own (below)")
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


# PostgreSQL -----------------------------------------------------------------------------------


@pytest.fixture
def pg_watch(fresh_engine: Engine) -> Iterator[PostgresVersionWatch]:
    if not PostgresVersionWatch.applies(fresh_engine):
        pytest.skip("PostgreSQL only: a SQLite file is watched with PRAGMA data_version")
    watch = PostgresVersionWatch(fresh_engine)
    yield watch
    watch.close()


def commit_a_write(engine: Engine, *scopes: str) -> None:
    """A write committed by another connection (the versions of these scopes raised)."""
    with make_session_factory(engine)() as session, session.begin():
        touch(session, *scopes)


def present(*answers: Versions | None) -> list[Versions]:
    """The watch's answers, each one versions (None: it could not read them)."""
    assert None not in answers
    return [versions for versions in answers if versions is not None]


def test_the_postgres_watch_sees_a_write_committed_elsewhere_at_once(
    fresh_engine: Engine, pg_watch: PostgresVersionWatch
) -> None:
    async def scenario() -> list[Versions | None]:
        seen = [await pg_watch.current()]
        commit_a_write(fresh_engine, FRA)  # another connection of this process
        seen.append(await pg_watch.current())
        # Another process (another server) commits a write to Germany.
        url = fresh_engine.url.render_as_string(hide_password=False)
        subprocess.run(
            [sys.executable, "-c", WRITE_IN_ANOTHER_PROCESS, url, state_scope("DEU")], check=True
        )
        seen.append(await pg_watch.current())
        commit_a_write(fresh_engine)  # a write that raises no version: `global` unchanged
        seen.append(await pg_watch.current())
        return seen

    first, after_fra, after_deu, after_nothing = present(*asyncio.run(scenario()))
    assert after_fra.of(FRA) > first.of(FRA)
    assert after_fra.of(GLOBAL) > first.of(GLOBAL)
    assert after_deu.of(state_scope("DEU")) > after_fra.of(state_scope("DEU"))
    assert after_deu.of(FRA) == after_fra.of(FRA)
    assert after_nothing.values is after_deu.values  # `global` read alone: the same versions
    with make_session_factory(fresh_engine)() as session:  # what a request's session reads
        assert current_versions(session).values == after_deu.values
    assert pg_watch.reads == 4


WRITE_IN_ANOTHER_PROCESS = """
import sys
from un1540.db.engine import make_engine, make_session_factory
from un1540.services.kernel.data_version import touch
engine = make_engine(sys.argv[1])
with make_session_factory(engine)() as session, session.begin():
    touch(session, sys.argv[2])
engine.dispose()
"""


def test_waiting_requests_share_one_read_never_one_started_before_they_came(
    fresh_engine: Engine, pg_watch: PostgresVersionWatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Request A's read has run its SELECT (and is held before it answers); a write commits;
    then B and C arrive. They must not be answered by A's read (it started before the write),
    but by the next one, one read for both."""
    select = pg_watch._select
    selected: list[asyncio.Event] = []
    release: list[asyncio.Event] = []

    async def held_select(connection: Any) -> Versions:
        versions = await select(connection)
        selected.append(asyncio.Event())
        release.append(asyncio.Event())
        selected[-1].set()
        await release[-1].wait()
        return versions

    async def until(condition: Any) -> None:
        for _ in range(10_000):
            if condition():
                return
            await asyncio.sleep(0.001)
        raise AssertionError("never happened")

    async def scenario() -> tuple[Versions | None, ...]:
        monkeypatch.setattr(pg_watch, "_select", held_select)
        a = asyncio.create_task(pg_watch.current())
        await until(lambda: len(selected) == 1)  # A's read has selected, not yet answered
        commit_a_write(fresh_engine, FRA)  # committed before B and C arrive
        b = asyncio.create_task(pg_watch.current())
        c = asyncio.create_task(pg_watch.current())
        for _ in range(20):  # B and C are waiting, and no second read starts yet
            await asyncio.sleep(0)
        assert [a.done(), b.done(), c.done()] == [False] * 3
        assert len(selected) == 1
        release[0].set()  # A's read answers A only; the next read starts for B and C
        answer_a = await a
        await until(lambda: len(selected) == 2)
        assert [b.done(), c.done()] == [False] * 2
        d = asyncio.create_task(pg_watch.current())  # arrives while B and C's read runs
        await asyncio.sleep(0)
        release[1].set()
        answer_b, answer_c = await b, await c
        await until(lambda: len(selected) == 3)
        assert not d.done()  # it waits for a read of its own
        release[2].set()
        return answer_a, answer_b, answer_c, await d

    answer_a, answer_b, answer_c, answer_d = present(*asyncio.run(scenario()))
    assert answer_b is answer_c  # one read answered both
    assert answer_b.of(FRA) > answer_a.of(FRA)  # B saw the write committed before it came
    assert answer_d is not answer_b
    assert pg_watch.reads == 3


def test_a_lost_connection_is_replaced_and_no_connection_means_no_answer(
    fresh_engine: Engine, pg_watch: PostgresVersionWatch
) -> None:
    async def scenario() -> tuple[Versions | None, Versions | None, int, int]:
        first = await pg_watch.current()
        assert pg_watch._connection is not None
        pid = pg_watch._connection.info.backend_pid
        with fresh_engine.connect() as connection:  # the server ends the watch's connection
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        commit_a_write(fresh_engine, FRA)
        after = await pg_watch.current()  # read on a new connection
        assert pg_watch._connection is not None
        return first, after, pid, pg_watch._connection.info.backend_pid

    first_answer, after_answer, old_pid, new_pid = asyncio.run(scenario())
    first, after = present(first_answer, after_answer)
    assert new_pid != old_pid
    assert after.of(FRA) > first.of(FRA)
    pg_watch.close()  # at shutdown: no answer, and no new connection, from then on
    assert asyncio.run(pg_watch.current()) is None
    assert pg_watch._connection is None

    # A database the watch cannot reach: no versions at all (the caller reads them in a
    # session), and for `retry_after` seconds no new attempt.
    unreachable = make_engine(
        fresh_engine.url.set(database="no_such_database").render_as_string(hide_password=False)
    )
    broken = PostgresVersionWatch(unreachable, retry_after=3600)
    attempts: list[int] = []
    connect = broken._connect

    async def counted_connect() -> Any:
        attempts.append(1)
        return await connect()

    broken._connect = counted_connect  # type: ignore[method-assign]

    async def twice() -> list[Versions | None]:
        return [await broken.current(), await broken.current()]

    try:
        assert asyncio.run(twice()) == [None, None]
        assert attempts == [1]
        assert broken.reads == 0
        broken.retry_after = 0
        broken._retry_at = float("-inf")
        assert asyncio.run(broken.current()) is None
        assert attempts == [1, 1]
    finally:
        broken.close()
        unreachable.dispose()
