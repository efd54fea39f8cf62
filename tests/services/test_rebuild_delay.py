"""The open-data rebuild a write asks for waits and coalesces (UN1540_REBUILD_DELAY_SECONDS).

On both backends (procrastinate's tables on PostgreSQL, its in-memory queue on SQLite): a burst
of writes leaves one delayed job; a visitor does not wait for it (their request queues the build
at once); the delayed job and the immediate one never run at once; and when the delay is over
the data as it is then is built once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tests.services.test_jobs import _change_something, builds, queue_app, wait_until
from un1540.db.engine import make_session_factory
from un1540.io.builds import BUILDERS
from un1540.io.downloads import OPEN_DATA
from un1540.models import BuildStatus
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.builds import (
    AFTER_WRITE,
    BUILD_TASK,
    build_lock,
    delayed_lock,
    version_label,
)
from un1540.services.kernel.jobs import MemoryJobs
from un1540.services.kernel.workers import BackgroundWorker, WorkerOptions

LOCK = build_lock(OPEN_DATA, "public")
DELAYED = delayed_lock(OPEN_DATA, "public")


@dataclass(frozen=True)
class WaitingJob:
    queueing_lock: str | None
    lock: str | None
    scheduled_at: datetime | None
    status: str


def build_jobs(app: FastAPI, engine: Engine) -> list[WaitingJob]:
    """The build jobs in the queue (waiting or running), oldest first."""
    jobs = app.state.jobs
    if isinstance(jobs, MemoryJobs):
        return [
            WaitingJob(job["queueing_lock"], job["lock"], job["scheduled_at"], job["status"])
            for _, job in sorted(jobs.connector.jobs.items())
            if job["task_name"] == BUILD_TASK and job["status"] in ("todo", "doing")
        ]
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT queueing_lock, lock, scheduled_at, status::text FROM procrastinate_jobs "
                "WHERE task_name = :task AND status IN ('todo', 'doing') ORDER BY id"
            ),
            {"task": BUILD_TASK},
        ).all()
    return [WaitingJob(*row) for row in rows]


def write(app: FastAPI, files: Path, number: int) -> str:
    """A write to the public data; returns the data version it made."""
    with app.state.sessions() as session:
        _change_something(session, email=f"writer{number}@example.org", files_dir=files)
        return version_label(session)


def stop_own_worker(app: FastAPI) -> None:
    if app.state.worker is not None:
        app.state.worker.stop()


def start_worker(app: FastAPI, engine: Engine, concurrency: int = 1) -> BackgroundWorker:
    jobs = app.state.jobs
    worker = BackgroundWorker(
        engine=engine,
        settings=app.state.settings,
        memory=jobs if isinstance(jobs, MemoryJobs) else None,
        options=WorkerOptions(stalled_seconds=2, concurrency=concurrency),
    )
    worker.start()
    return worker


def no_worker_app(engine: Engine, files: Path, **update: object) -> FastAPI:
    """A queue without a worker (on SQLite the server's is stopped once it has started; on
    PostgreSQL none is started): the jobs wait."""
    postgresql = engine.dialect.name == "postgresql"
    return queue_app(engine, files, worker_in_process=not postgresql, **update)


def test_a_burst_of_writes_leaves_one_delayed_job(fresh_engine: Engine, tmp_path: Path) -> None:
    app = no_worker_app(fresh_engine, tmp_path, rebuild_delay_seconds=60)
    with TestClient(app):
        stop_own_worker(app)
        before = datetime.now(UTC)
        versions = [write(app, tmp_path, number) for number in range(5)]
        assert len(set(versions)) == 5  # five writes, five data versions
        [job] = build_jobs(app, fresh_engine)  # one job for the five
        assert (job.queueing_lock, job.lock, job.status) == (DELAYED, LOCK, "todo")
        assert job.scheduled_at is not None
        assert before + timedelta(seconds=59) <= job.scheduled_at
        assert job.scheduled_at <= datetime.now(UTC) + timedelta(seconds=60)
        # Each write recorded its version as asked for by a write only.
        rows = builds(fresh_engine)
        assert [row.data_version for row in rows] == versions
        assert all(row.status is BuildStatus.queued for row in rows)
        assert all(row.details == {AFTER_WRITE: True} for row in rows)

    # A restart queues the delayed request again, delayed (on PostgreSQL the job is still there
    # and is not queued twice).
    again = no_worker_app(fresh_engine, tmp_path, rebuild_delay_seconds=60)
    with TestClient(again):
        stop_own_worker(again)
        [job] = build_jobs(again, fresh_engine)
        assert (job.queueing_lock, job.lock, job.status) == (DELAYED, LOCK, "todo")
        assert job.scheduled_at is not None
        assert job.scheduled_at > datetime.now(UTC) + timedelta(seconds=30)


def test_without_a_delay_a_write_queues_its_build_at_once(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    app = no_worker_app(fresh_engine, tmp_path, rebuild_delay_seconds=0)
    with TestClient(app):
        stop_own_worker(app)
        write(app, tmp_path, 1)
        write(app, tmp_path, 2)
        [job] = build_jobs(app, fresh_engine)
        assert (job.queueing_lock, job.lock, job.scheduled_at) == (LOCK, LOCK, None)
        assert all(row.details == {} for row in builds(fresh_engine))


def test_a_visitor_does_not_wait_for_the_delayed_job(fresh_engine: Engine, tmp_path: Path) -> None:
    app = queue_app(fresh_engine, tmp_path, rebuild_delay_seconds=600)
    with TestClient(app) as client:
        wait_until(lambda: client.get("/api/v1/downloads").json()["items"], "the first build")
        first = client.get("/api/v1/downloads").json()["data_version"]

        new = write(app, tmp_path, 1)
        [delayed] = build_jobs(app, fresh_engine)
        assert delayed.queueing_lock == DELAYED
        asked = time.monotonic()
        listing = client.get("/api/v1/downloads").json()
        # The previous build is served, the new one is under way...
        assert listing["data_version"] == first
        assert listing["newer_build"]["status"] in ("queued", "running")
        # ...by a job of its own, not the delayed one (which would run in ten minutes).
        wait_until(
            lambda: client.get("/api/v1/downloads").json()["data_version"] == new,
            "the visitor's build",
        )
        assert time.monotonic() - asked < 120
        assert client.get("/api/v1/downloads").json()["newer_build"] is None
        # The delayed job still waits; when it runs it will find the data built.
        [still] = build_jobs(app, fresh_engine)
        assert (still.queueing_lock, still.status) == (DELAYED, "todo")
        assert still.scheduled_at is not None
        assert still.scheduled_at > datetime.now(UTC) + timedelta(seconds=300)
    assert [(b.data_version, b.status) for b in builds(fresh_engine)] == [
        (first, BuildStatus.ready),
        (new, BuildStatus.ready),
    ]


@dataclass
class SlowBuilds:
    """The open-data builder, slowed down, counting the builds and how many run at once."""

    seconds: float
    versions: list[str] = field(default_factory=list)
    running: int = 0
    most_at_once: int = 0
    guard: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, real: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        def build(
            session: Session, viewer: Viewer, folder: Path, progress: Callable[[float], None]
        ) -> dict[str, Any]:
            with self.guard:
                self.running += 1
                self.most_at_once = max(self.most_at_once, self.running)
                self.versions.append(version_label(session))
            try:
                time.sleep(self.seconds)
                return real(session, viewer, folder, progress)
            finally:
                with self.guard:
                    self.running -= 1

        return build


def test_the_delayed_and_the_immediate_build_never_run_at_once_and_the_data_is_built_once(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = SlowBuilds(seconds=4)
    monkeypatch.setitem(BUILDERS, OPEN_DATA, slow.wrap(BUILDERS[OPEN_DATA]))
    # builds in the worker's thread: the slowed builder is patched into this process
    app = no_worker_app(
        fresh_engine, tmp_path, rebuild_delay_seconds=2, builds_in_child_process=False
    )
    with TestClient(app) as client:
        stop_own_worker(app)
        # A worker that could run two jobs at once: only the build's lock keeps them apart.
        worker = start_worker(app, fresh_engine, concurrency=2)
        try:

            def served() -> str:
                return str(client.get("/api/v1/downloads").json()["data_version"])

            def queue_empty() -> bool:
                return not build_jobs(app, fresh_engine)

            client.get("/api/v1/downloads")  # the first build, asked for by a visitor
            wait_until(lambda: client.get("/api/v1/downloads").json()["items"], "the first build")
            wait_until(queue_empty, "the first build's job to end")

            # A write (its job waits 2 s), then a visitor at once (their job runs now, 4 s):
            # the delayed job falls due while the visitor's build runs, and waits for it.
            new = write(app, tmp_path, 1)
            client.get("/api/v1/downloads")
            wait_until(lambda: served() == new, "the visitor's build")
            wait_until(queue_empty, "the delayed job to end")
            assert slow.versions[1:] == [new]  # the delayed job found it built

            # A burst of writes and no visitor: once the delay is over, one build of the data
            # as it is then.
            last = [write(app, tmp_path, number) for number in range(2, 6)][-1]
            wait_until(lambda: served() == last, "the delayed build")
            wait_until(queue_empty, "the delayed job to end")
        finally:
            worker.stop()
    assert slow.versions[1:] == [new, last]
    assert slow.most_at_once == 1
    with make_session_factory(fresh_engine)() as session:
        assert version_label(session) == last
    assert [b.status for b in builds(fresh_engine)] == [BuildStatus.ready, BuildStatus.ready]
