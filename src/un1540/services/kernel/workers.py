"""Running jobs: procrastinate's worker over every task registered with `@job_task`.

A worker is `un1540 worker` (PostgreSQL, in the foreground), or a thread inside `un1540 serve`
(BackgroundWorker; on SQLite always, on PostgreSQL unless told not to). Each worker sends a
heartbeat; a job left running by a worker that stopped sending one (killed, or its machine
lost) is queued again by any other worker, so on PostgreSQL every job survives the end of any
worker. A worker asked to stop lets its jobs finish their current step, then queues them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate.exceptions import JobAborted
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from un1540.services.kernel.jobs import TASKS, JobRun, MemoryJobs, run_task
from un1540.settings import Settings

LOGGER = logging.getLogger("un1540.worker")
# A job interrupted by a stopping worker is queued again, a few times at most.
RETRY = procrastinate.RetryStrategy(max_attempts=5, wait=1, retry_exceptions={JobAborted})


@dataclass(frozen=True)
class WorkerOptions:
    stalled_seconds: float = 60.0  # no heartbeat for this long: the worker is gone
    concurrency: int = 1
    name: str = "un1540"

    @property
    def heartbeat_seconds(self) -> float:
        return max(0.2, self.stalled_seconds / 6)


def postgres_conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def worker_app(
    connector: procrastinate.BaseConnector,
    sessions: sessionmaker[Session],
    settings: Settings,
    *,
    in_server: bool = False,
) -> procrastinate.App:
    """A procrastinate app that knows every registered task, each given a JobRun (`in_server`:
    the worker runs in a thread of the web server)."""
    app = procrastinate.App(connector=connector)
    for definition in TASKS.values():
        task = app.task(
            name=definition.name, pass_context=True, retry=RETRY, priority=definition.priority
        )(_adapter(definition.name, sessions, settings, in_server))
        cron = definition.schedule(settings) if definition.schedule else ""
        if cron:
            app.periodic(cron=cron, periodic_id=definition.name)(task)
    return app


def _adapter(
    name: str, sessions: sessionmaker[Session], settings: Settings, in_server: bool
) -> Callable[..., None]:
    def run(context: procrastinate.JobContext, **arguments: Any) -> None:
        job_run = JobRun(sessions, settings, should_stop=context.should_abort, in_server=in_server)
        run_task(name, job_run, arguments)

    run.__name__ = name.replace(".", "_")
    return run


async def _retry_stalled_jobs(app: procrastinate.App, options: WorkerOptions) -> None:
    """Queue again the jobs of workers that stopped sending heartbeats (checked now and then)."""
    while True:
        for job in await app.job_manager.get_stalled_jobs(
            seconds_since_heartbeat=options.stalled_seconds
        ):
            try:
                await app.job_manager.retry_job(job)
                LOGGER.warning("job %s of a worker that stopped is queued again", job.id)
            except Exception:  # another worker retried it first
                LOGGER.debug("job %s was not retried", job.id, exc_info=True)
        await asyncio.sleep(options.heartbeat_seconds)


async def work(
    app: procrastinate.App,
    options: WorkerOptions,
    *,
    install_signal_handlers: bool,
    started: Callable[[], None] | None = None,
) -> None:
    """Run the worker until it is cancelled (or, with signal handlers, until SIGINT/SIGTERM)."""
    async with app.open_async():
        recovery = asyncio.create_task(_retry_stalled_jobs(app, options))
        if started is not None:
            started()
        try:
            await app.run_worker_async(
                name=options.name,
                concurrency=options.concurrency,
                install_signal_handlers=install_signal_handlers,
                update_heartbeat_interval=options.heartbeat_seconds,
                stalled_worker_timeout=options.stalled_seconds,
                shutdown_graceful_timeout=5,
                delete_jobs="successful",
            )
        finally:
            recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recovery


def postgres_worker_app(
    settings: Settings, sessions: sessionmaker[Session], *, in_server: bool = False
) -> procrastinate.App:
    connector = procrastinate.PsycopgConnector(
        conninfo=postgres_conninfo(settings.database_url), min_size=1, max_size=3
    )
    return worker_app(connector, sessions, settings, in_server=in_server)


class BackgroundWorker:
    """A worker on an event loop of its own, in a thread of this process (the server's)."""

    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        memory: MemoryJobs | None,
        options: WorkerOptions,
        configure: Callable[[sessionmaker[Session]], None] = lambda _sessions: None,
    ) -> None:
        sessions = sessionmaker(bind=engine, expire_on_commit=False)
        configure(sessions)
        self.memory = memory
        self.app = (
            worker_app(memory.connector, sessions, settings, in_server=True)
            if memory is not None
            else postgres_worker_app(settings, sessions, in_server=True)
        )
        self.options = options
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="un1540-worker", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout=30):
            raise RuntimeError("the job worker did not start within 30 s")

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception:
            LOGGER.exception("the job worker stopped on an error")
        finally:
            self._ready.set()

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()

        def started() -> None:
            if self.memory is not None:
                self.memory.worker_loop = self._loop
            self._ready.set()

        try:
            await work(self.app, self.options, install_signal_handlers=False, started=started)
        except asyncio.CancelledError:
            pass
        finally:
            if self.memory is not None:
                # Jobs queued from now on wait for the next worker, unannounced.
                self.memory.worker_loop = None
                self.memory.connector.on_notification = None

    def stop(self, timeout: float = 15) -> None:
        """Stop taking jobs, let the running one stop at its next step, and wait."""
        loop, task = self._loop, self._task
        if loop is not None and task is not None and loop.is_running():
            loop.call_soon_threadsafe(task.cancel)
        if self._thread is not None:
            self._thread.join(timeout)
