"""Background jobs: one set of task definitions, queued and run by procrastinate.

Where a job waits depends on the database (docs/jobs.md):

- PostgreSQL: in procrastinate's tables (created by our migrations). A job is queued in the
  transaction of the write that asks for it (a savepoint on the session's own connection), so
  it is queued if and only if the write commits, and it waits there, across restarts, until a
  worker (`un1540 worker`, or the one inside `un1540 serve`) runs it.
- SQLite: procrastinate has no SQLite connector, so the queue is procrastinate's in-memory
  one, run by a worker thread inside the server. A job is queued once the write has committed.
  Jobs waiting there are lost when the server stops; what they were for is in the database
  (the build records, the e-mails still pending) and is asked for again after a restart.
- Inline (UN1540_JOBS_INLINE, the tests; the command line on SQLite, which has no worker): the
  job runs at once, after the commit, in the thread that asked for it.

A task is a function `(run: JobRun, **arguments)` registered with `@job_task(name)`; services
queue it by name with `defer_job`, so a lower layer can ask for a task defined higher up (the
open-data build lives in io/). The worker (kernel/workers.py) runs every registered task.

A job may be delayed (`delay_seconds`: procrastinate's `schedule_in`, which its in-memory queue
honours too): the open-data rebuild a write asks for waits `UN1540_REBUILD_DELAY_SECONDS` under
a queueing lock of its own, so that a burst of writes leaves one job waiting (kernel/builds.py).
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued, JobAborted
from procrastinate.testing import InMemoryConnector
from sqlalchemy.orm import Session, sessionmaker

from un1540.services.kernel.unit_of_work import action, after_commit
from un1540.settings import Settings

LOGGER = logging.getLogger("un1540.jobs")
JOBS_KEY = "un1540.jobs"
Arguments = dict[str, str | int | None]
TaskFunction = Callable[..., object]
F = TypeVar("F", bound=TaskFunction)


def _never() -> bool:
    return False


@dataclass(frozen=True)
class JobRun:
    """What a task is given: the sessions and settings of the process running it, and whether
    it has been asked to stop (the worker is shutting down): long tasks check between steps."""

    sessions: sessionmaker[Session]
    settings: Settings
    should_stop: Callable[[], bool] = field(default=_never)
    # The worker runs in a thread of the web server (`un1540 serve`): a long task that would
    # hold the server's memory or its interpreter lock (the builds) runs in a child process.
    in_server: bool = False

    def stop_if_asked(self) -> None:
        """Raise JobAborted if the worker is stopping; the job is queued again (a retry)."""
        if self.should_stop():
            raise JobAborted("the worker is stopping; the job will run again")


@dataclass(frozen=True)
class TaskDefinition:
    name: str
    function: TaskFunction
    priority: int  # higher runs first
    # A periodic task: its cron schedule from the settings ("" or None: not periodic). The
    # workers queue it on that schedule (procrastinate's periodic deferrer; on PostgreSQL once
    # for all workers), and it is given the scheduled time as `timestamp` (Unix seconds).
    schedule: Callable[[Settings], str] | None = None


TASKS: dict[str, TaskDefinition] = {}


def job_task(
    name: str, *, priority: int = 0, schedule: Callable[[Settings], str] | None = None
) -> Callable[[F], F]:
    """Register `function(run: JobRun, **arguments)` as the task `name`; with `schedule`, also
    queued by the workers on the cron schedule it gives for the settings."""

    def register(function: F) -> F:
        TASKS[name] = TaskDefinition(
            name=name, function=function, priority=priority, schedule=schedule
        )
        return function

    return register


def run_task(name: str, run: JobRun, arguments: Arguments) -> None:
    """Run a task here and now (the worker and the inline mode both end here)."""
    definition = TASKS.get(name)
    if definition is None:
        raise LookupError(f"no job task named {name!r}; registered: {sorted(TASKS)}")
    definition.function(run, **arguments)


@dataclass(frozen=True)
class Queueing:
    """How one job is queued.

    `lock`: two jobs with the same lock never run at once. `queueing_lock`: a second job is not
    queued beside one with the same queueing lock not yet started. `priority`: higher runs
    first. `delay_seconds`: the job waits this long before a worker may take it.
    """

    lock: str | None = None
    queueing_lock: str | None = None
    priority: int = 0
    delay_seconds: float = 0.0

    def options(self) -> dict[str, Any]:
        """procrastinate's `configure_task` options."""
        options: dict[str, Any] = {
            "lock": self.lock,
            "queueing_lock": self.queueing_lock,
            "priority": self.priority,
        }
        if self.delay_seconds > 0:
            options["schedule_in"] = {"seconds": self.delay_seconds}
        return options


class Jobs(ABC):
    """How this process queues jobs; one per process, kept in its sessions' info.

    `rebuild_delay_seconds`: how long the rebuild a write asks for waits, so that the writes of
    that while ask for one (UN1540_REBUILD_DELAY_SECONDS; 0: at once, as any other job).
    """

    inline = False

    def __init__(self, *, rebuild_delay_seconds: float = 0.0) -> None:
        self.rebuild_delay_seconds = rebuild_delay_seconds

    @abstractmethod
    def queue(self, session: Session, task: str, queueing: Queueing, arguments: Arguments) -> None:
        """Queue `task` to run after the session's transaction commits."""


class InlineJobs(Jobs):
    """Run each job after the commit, in the thread that asked for it (never delayed)."""

    inline = True

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        super().__init__()
        self.run = JobRun(sessions=sessions, settings=settings)

    def queue(self, session: Session, task: str, queueing: Queueing, arguments: Arguments) -> None:
        def effect(_: Session) -> None:
            run_task(task, self.run, arguments)

        after_commit(session, effect, key=_effect_key(task, queueing, arguments))


def _effect_key(task: str, queueing: Queueing, arguments: Arguments) -> str:
    """One after-commit effect per job: asking twice in one write queues it once."""
    return f"job:{task}:{queueing}:{sorted(arguments.items())}"


def _priority(task: str) -> int:
    definition = TASKS.get(task)
    return definition.priority if definition is not None else 0


class PostgresJobs(Jobs):
    """procrastinate's tables, written on the session's own connection (one transaction)."""

    def __init__(self, *, rebuild_delay_seconds: float = 0.0) -> None:
        super().__init__(rebuild_delay_seconds=rebuild_delay_seconds)
        # Never opened: every job is deferred on the connection of the session that asks.
        self.app = procrastinate.App(connector=procrastinate.SyncPsycopgConnector())

    def queue(self, session: Session, task: str, queueing: Queueing, arguments: Arguments) -> None:
        try:
            # A savepoint: a job already waiting under the same lock must not break the write.
            with session.begin_nested():
                # Asked for inside the savepoint, so that it is emitted: SQLAlchemy emits the
                # SAVEPOINT only when the session next uses its connection, and procrastinate
                # writes on the driver's connection. Without it, the refused insert aborted the
                # whole transaction, whose COMMIT then silently rolled the write back.
                connection = session.connection().connection.driver_connection
                deferrer = self.app.configure_task(
                    task, connection=connection, **queueing.options()
                )
                deferrer.defer(**arguments)
        except AlreadyEnqueued:
            LOGGER.debug("a %s job is already waiting (%s)", task, queueing.queueing_lock)


class MemoryJobs(Jobs):
    """procrastinate's in-memory queue (SQLite), shared with the worker thread of this process."""

    def __init__(self, *, rebuild_delay_seconds: float = 0.0) -> None:
        super().__init__(rebuild_delay_seconds=rebuild_delay_seconds)
        self.connector = InMemoryConnector()
        self.app = procrastinate.App(connector=self.connector)
        self.worker_loop: asyncio.AbstractEventLoop | None = None  # set by the worker thread

    def queue(self, session: Session, task: str, queueing: Queueing, arguments: Arguments) -> None:
        def effect(_: Session) -> None:
            self.defer_now(task, queueing, arguments)

        after_commit(session, effect, key=_effect_key(task, queueing, arguments))

    def defer_now(self, task: str, queueing: Queueing, arguments: Arguments) -> None:
        deferrer = self.app.configure_task(task, **queueing.options())
        try:
            loop = self.worker_loop
            if loop is not None and loop.is_running():
                # On the worker's own event loop, so that it hears of the job at once.
                future = asyncio.run_coroutine_threadsafe(deferrer.defer_async(**arguments), loop)
                future.result(timeout=30)
            else:
                deferrer.defer(**arguments)
        except AlreadyEnqueued:
            LOGGER.debug("a %s job is already waiting (%s)", task, queueing.queueing_lock)


def configure_jobs(sessions: sessionmaker[Session], jobs: Jobs | None) -> None:
    """Sessions from this factory queue their jobs with `jobs` (None: no queue, the callers
    do the work themselves, as the command line on SQLite does)."""
    info: dict[str, Any] = dict(sessions.kw.get("info") or {})
    info[JOBS_KEY] = jobs
    sessions.configure(info=info)


def jobs_of(session: Session) -> Jobs | None:
    jobs: Jobs | None = session.info.get(JOBS_KEY)
    return jobs


@action
def defer_job(
    session: Session,
    task: str,
    *,
    arguments: Arguments | None = None,
    lock: str | None = None,
    queueing_lock: str | None = None,
    priority: int = 0,
    delay_seconds: float = 0.0,
    when_inline: Literal["run", "skip"] = "run",
) -> bool:
    """Queue `task` with the write in progress (or on its own, committed here).

    `lock` both keeps a second job from waiting beside one not yet started (procrastinate's
    queueing lock: a burst of writes asks for one job) and keeps two jobs from running at once;
    `queueing_lock`, if given, is the queueing lock instead (a delayed job and an immediate
    one of the same work wait side by side, and still never run at once). `priority` is added
    to the task's. `delay_seconds`: the job waits this long first (not in the inline mode).
    Returns False when this process has no queue: the caller then does the work itself.
    `when_inline="skip"` leaves out, in the inline mode, work that can wait for a visit (the
    rebuilds after every write), so that inline writes stay quick.
    """
    jobs = jobs_of(session)
    if jobs is None:
        return False
    if jobs.inline and when_inline == "skip":
        return True
    queueing = Queueing(
        lock=lock,
        queueing_lock=queueing_lock if queueing_lock is not None else lock,
        priority=_priority(task) + priority,
        delay_seconds=delay_seconds,
    )
    jobs.queue(session, task, queueing, dict(arguments or {}))
    return True


def jobs_for(settings: Settings, sessions: sessionmaker[Session]) -> Jobs:
    """The queue of a server process: inline if asked, else procrastinate's, on the database's
    tables (PostgreSQL) or in memory (SQLite)."""
    if settings.jobs_inline:
        return InlineJobs(sessions, settings)
    delay = float(settings.rebuild_delay_seconds)
    if settings.is_sqlite:
        return MemoryJobs(rebuild_delay_seconds=delay)
    return PostgresJobs(rebuild_delay_seconds=delay)
