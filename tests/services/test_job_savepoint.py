"""On PostgreSQL a job is queued in the transaction of the write that asks for it: a job refused
because one waits already under its queueing lock must not take the write down with it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.db.engine import make_session_factory
from un1540.models import UserAccount
from un1540.services.kernel.jobs import PostgresJobs, configure_jobs, defer_job
from un1540.services.kernel.unit_of_work import action


@action
def _write_and_queue(session: Session, *, email: str) -> None:
    make_user(session, role="expert", email=email)
    defer_job(session, "un1540.test.noop", lock="one-at-a-time")


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_write_whose_job_waits_already_is_stored(fresh_engine: Engine) -> None:
    """The job a write queues with it is refused when one waits under the same queueing lock:
    the refusal is undone in a savepoint, and the write commits (it was silently rolled back:
    the savepoint was never emitted, and PostgreSQL turns the COMMIT of an aborted transaction
    into a ROLLBACK)."""
    sessions = make_session_factory(fresh_engine)
    configure_jobs(sessions, PostgresJobs())
    with sessions() as session:
        _write_and_queue(session, email="first@example.org")
        _write_and_queue(session, email="second@example.org")  # its job waits already
    with sessions() as session:
        emails = set(session.scalars(select(UserAccount.email)))
    assert {"first@example.org", "second@example.org"} <= emails
    with fresh_engine.connect() as connection:
        waiting = connection.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE queueing_lock = 'one-at-a-time'")
        ).scalar_one()
    assert waiting == 1
