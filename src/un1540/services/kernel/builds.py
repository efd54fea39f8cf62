"""The record of what background jobs built: one build per kind, audience and data version.

A build is asked for (`request_build`) when someone needs the files of the data as it is now
and none exists for this data version: after a write (the open data), or on demand (a visit).
Asking twice for the same version finds the first request (a unique row), so many visitors
start one build. The worker claims the newest request, writes the files into a temporary
folder and renames it into place when complete (`build_folder`), then marks the build ready;
readers only ever open the folder of a ready build, so a half-built file is never served, and
they keep serving the previous ready build while a newer one runs.

A write's request waits (`UN1540_REBUILD_DELAY_SECONDS`): its job is delayed, under a queueing
lock of its own, so that the writes of that while leave one job waiting, which builds the data
as it is when it runs. Its row is marked `after_write` until a worker claims it; a visitor who
finds only such a request waiting queues the build at once (`current_build`), and the delayed
job then finds it built. Both jobs share the build's lock: two builds never run at once.

An audience is who may see what the files hold: "public", "provider", "committee" (every
Committee-side role sees the same records) or "state:ID" (a State's points of contact).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from un1540.errors import NotFound, text
from un1540.models import Build, BuildStatus, Role
from un1540.models.base import utc_now
from un1540.reference.languages import N_
from un1540.schemas.builds import BuildRead
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.data_version import data_version
from un1540.services.kernel.jobs import JobRun, defer_job, jobs_of
from un1540.services.kernel.unit_of_work import action, after_commit
from un1540.services.kernel.upserts import dialect_insert
from un1540.settings import Settings

BUILD_TASK = "un1540.build"
KEEP_READY = 2  # ready builds kept per kind and audience: the newest, and the one before
RETRY_FAILED_AFTER = timedelta(minutes=10)
PUBLIC_AUDIENCE = "public"
PENDING = (BuildStatus.queued, BuildStatus.running)
AFTER_WRITE = "after_write"  # in the details of a queued build only a delayed job waits for
# On PostgreSQL procrastinate holds a job behind any job of the same lock queued before it with
# the same or a higher priority, due or not: the delayed job gets a lower one, so that a
# visitor's immediate job, queued after it, is not held behind it.
DELAYED_PRIORITY = -1


def audience_of(viewer: Viewer) -> str:
    """Who a build made for this viewer may be shown to (viewers who see the same records)."""
    if viewer.is_committee_side:
        return "committee"
    if viewer.role is Role.state_poc and viewer.state_id is not None:
        return f"state:{viewer.state_id}"
    if viewer.role is Role.provider:
        return "provider"
    return PUBLIC_AUDIENCE


def viewer_of(audience: str) -> Viewer:
    """A viewer who sees exactly what the audience sees (the worker builds as this viewer)."""
    if audience == "committee":
        return Viewer(role=Role.expert, actor="worker", user_id=0, can_write=False)
    if audience == "provider":
        return Viewer(role=Role.provider, actor="worker", user_id=0, can_write=False)
    if audience.startswith("state:"):
        state_id = int(audience.removeprefix("state:"))
        return Viewer(
            role=Role.state_poc, state_id=state_id, actor="worker", user_id=0, can_write=False
        )
    if audience != PUBLIC_AUDIENCE:
        raise ValueError(f"unknown audience {audience!r}")
    return PUBLIC


def version_label(session: Session) -> str:
    """The data version as a short stable text (the key of a build)."""
    return hashlib.sha256(repr(data_version(session)).encode()).hexdigest()[:16]


def build_lock(kind: str, audience: str) -> str:
    return f"build:{kind}:{audience}"


def delayed_lock(kind: str, audience: str) -> str:
    """The queueing lock of the delayed build a write asks for (one waits at a time)."""
    return f"{build_lock(kind, audience)}:after-write"


def waits_for_delayed_job(build: Build) -> bool:
    """A queued build that only a write's delayed job is for (no one asked for it at once)."""
    return build.status is BuildStatus.queued and bool((build.details or {}).get(AFTER_WRITE))


@dataclass(frozen=True)
class BuildState:
    """What can be served now, and what is coming."""

    version: str  # the data version now
    ready: Build | None  # the newest ready build, perhaps of an older version
    pending: Build | None  # a build queued or running for a newer version
    failed: Build | None  # the build of the current version, if it failed

    @property
    def up_to_date(self) -> bool:
        return self.ready is not None and self.ready.data_version == self.version


def _for(kind: str, audience: str) -> Any:
    return (Build.kind == kind) & (Build.audience == audience)


def build_state(session: Session, *, kind: str, audience: str) -> BuildState:
    version = version_label(session)
    ready = session.scalars(
        select(Build)
        .where(_for(kind, audience), Build.status == BuildStatus.ready)
        .order_by(Build.id.desc())
        .limit(1)
    ).first()
    current = session.scalars(
        select(Build).where(_for(kind, audience), Build.data_version == version)
    ).first()
    pending = session.scalars(
        select(Build)
        .where(_for(kind, audience), Build.status.in_(PENDING))
        .order_by(Build.id.desc())
        .limit(1)
    ).first()
    failed = current if current is not None and current.status is BuildStatus.failed else None
    return BuildState(version=version, ready=ready, pending=pending, failed=failed)


def _wanted(state: BuildState) -> bool:
    """A build of the current version is needed and not yet asked for at once (or failed a
    while ago): a write's delayed request does not count, a visitor does not wait for it."""
    if state.up_to_date:
        return False
    if state.pending and state.pending.data_version == state.version:
        return waits_for_delayed_job(state.pending)
    if state.failed is not None:
        finished = state.failed.finished_at or state.failed.queued_at
        return utc_now() - finished > RETRY_FAILED_AFTER
    return True


@action
def request_build(session: Session, *, kind: str, audience: str, after_write: bool = False) -> None:
    """Ask for a build of the data as it is now, unless one is asked for already.

    `after_write`: asked by a write rather than by someone waiting for the files; then nothing
    is asked in the inline mode or in a process without a queue (the command line on SQLite):
    the next visit asks. Otherwise the job waits the queue's `rebuild_delay_seconds` (if not 0),
    and one delayed job waits at a time. Asked without `after_write` while only a delayed job
    waits for the current version, the build is queued at once.
    """
    jobs = jobs_of(session)
    if after_write and (jobs is None or jobs.inline):
        return
    delay = jobs.rebuild_delay_seconds if after_write and jobs is not None else 0.0
    version = version_label(session)
    inserted = session.execute(
        dialect_insert(session, Build)
        .values(
            kind=kind,
            audience=audience,
            data_version=version,
            status=BuildStatus.queued,
            progress=0,
            queued_at=utc_now(),
            attempts=0,
            error="",
            location="",
            size=0,
            details={AFTER_WRITE: True} if delay > 0 else {},
        )
        .on_conflict_do_nothing(index_elements=["kind", "audience", "data_version"])
        .returning(Build.id)
    ).first()
    if inserted is None and not _asked_again(session, kind, audience, version, delay):
        return
    _defer_build(session, kind=kind, audience=audience, delay=delay)


def _defer_build(session: Session, *, kind: str, audience: str, delay: float) -> None:
    """Queue the build job: at once (one waits at a time), or delayed (one delayed job waits at
    a time, beside an immediate one); both hold the build's lock while they run."""
    if delay > 0:
        defer_job(
            session,
            BUILD_TASK,
            arguments={"kind": kind, "audience": audience},
            lock=build_lock(kind, audience),
            queueing_lock=delayed_lock(kind, audience),
            priority=DELAYED_PRIORITY,
            delay_seconds=delay,
        )
    else:
        defer_job(
            session,
            BUILD_TASK,
            arguments={"kind": kind, "audience": audience},
            lock=build_lock(kind, audience),
        )


def _asked_again(session: Session, kind: str, audience: str, version: str, delay: float) -> bool:
    """The build of this version is asked for already: whether to queue a job for it anyway
    (it failed a while ago: it is queued again; or only a delayed job waits for it and this
    request, `delay` 0, must not wait: it is marked as asked for at once)."""
    retried = session.execute(
        update(Build)
        .where(
            _for(kind, audience),
            Build.data_version == version,
            Build.status == BuildStatus.failed,
            Build.finished_at < utc_now() - RETRY_FAILED_AFTER,
        )
        .values(
            status=BuildStatus.queued,
            progress=0,
            queued_at=utc_now(),
            details={AFTER_WRITE: True} if delay > 0 else {},
        )
    )
    if retried.rowcount:  # type: ignore[attr-defined]
        return True
    if delay > 0:
        return False
    build = session.scalars(
        select(Build).where(_for(kind, audience), Build.data_version == version)
    ).first()
    if build is None or not waits_for_delayed_job(build):
        return False
    build.details = {}
    return True


def current_build(session: Session, *, kind: str, audience: str) -> BuildState:
    """What can be served now; asks for a build of the current data if there is none yet."""
    state = build_state(session, kind=kind, audience=audience)
    if _wanted(state):
        request_build(session, kind=kind, audience=audience)
        state = build_state(session, kind=kind, audience=audience)
    return state


def request_public_builds(session: Session) -> None:
    """The after-commit effect of every write: rebuild the open data of the new version."""
    request_build(session, kind="open_data", audience=PUBLIC_AUDIENCE, after_write=True)


def queue_public_builds_after_commit(session: Session) -> None:
    after_commit(session, request_public_builds, key="public-builds")


def resume_builds(session: Session) -> int:
    """Queue again the jobs of builds left waiting or running (at a server's start: on SQLite
    the queue was in the memory of the process that stopped). Returns how many."""
    pending = session.scalars(select(Build).where(Build.status.in_(PENDING))).all()
    for build in pending:
        _requeue(
            session,
            kind=build.kind,
            audience=build.audience,
            delayed=waits_for_delayed_job(build),
        )
    return len(pending)


@action
def _requeue(session: Session, *, kind: str, audience: str, delayed: bool) -> None:
    # The row keeps its status: a build still running in another process finishes as it is,
    # and the job queued here then finds it ready (same lock: it waits for it first). A write's
    # delayed request is queued delayed again (on PostgreSQL its job is still there: this one
    # is not queued beside it).
    jobs = jobs_of(session)
    delay = jobs.rebuild_delay_seconds if delayed and jobs is not None else 0.0
    _defer_build(session, kind=kind, audience=audience, delay=delay)


# The worker's side.


@action
def claim_build(session: Session, *, kind: str, audience: str) -> Build | None:
    """The build of the current data, marked running; None if it is built (or failed) already.

    Requests for older versions still waiting are dropped: this build supersedes them.
    """
    version = version_label(session)
    build = session.scalars(
        select(Build).where(_for(kind, audience), Build.data_version == version)
    ).first()
    if build is None:
        build = Build(kind=kind, audience=audience, data_version=version, details={})
        session.add(build)
        session.flush()
    elif build.status in (BuildStatus.ready, BuildStatus.failed):
        return None
    build.status = BuildStatus.running
    build.details = {}  # no longer only a delayed job's: it runs now
    build.started_at = utc_now()
    build.attempts = (build.attempts or 0) + 1
    build.progress, build.error = 0, ""
    session.execute(
        delete(Build).where(
            _for(kind, audience), Build.status == BuildStatus.queued, Build.id < build.id
        )
    )
    return build


@action
def set_progress(session: Session, *, build_id: int, percent: int) -> None:
    session.execute(update(Build).where(Build.id == build_id).values(progress=percent))


def progress_reporter(run: JobRun, build_id: int) -> Callable[[float], None]:
    """A callback for builders: records the fraction done (at most once a second, in a
    session of its own) and stops the build there if the worker is stopping."""
    last = [0.0]

    def report(fraction: float) -> None:
        run.stop_if_asked()
        now = time.monotonic()
        if now - last[0] < 1.0:
            return
        last[0] = now
        with run.sessions() as session:
            set_progress(session, build_id=build_id, percent=max(0, min(99, int(fraction * 100))))

    return report


@action
def finish_build(
    session: Session, *, build_id: int, root: Path, location: str, details: dict[str, Any]
) -> None:
    """Mark the build ready (its folder `root/location` is complete) and forget the builds it
    replaces (their folders are removed once that is committed)."""
    build = session.get(Build, build_id)
    assert build is not None
    build.status, build.progress, build.finished_at = BuildStatus.ready, 100, utc_now()
    build.location, build.details = location, details
    build.size = details.get("bytes", 0)
    older = session.scalars(
        select(Build)
        .where(_for(build.kind, build.audience), Build.status == BuildStatus.ready)
        .order_by(Build.id.desc())
        .offset(KEEP_READY)
    ).all()
    gone = [item.location for item in older if item.location]
    for item in older:
        session.delete(item)
    if gone:
        after_commit(session, lambda _s: _remove_folders(root, gone))


@action
def fail_build(session: Session, *, build_id: int, error: str) -> None:
    session.execute(
        update(Build)
        .where(Build.id == build_id)
        .values(status=BuildStatus.failed, finished_at=utc_now(), error=error[:2000])
    )


@action
def release_build(session: Session, *, build_id: int) -> None:
    """The worker stopped mid-build: the build waits again (its job is queued again)."""
    session.execute(
        update(Build).where(Build.id == build_id).values(status=BuildStatus.queued, progress=0)
    )


def builds_root(settings: Settings) -> Path:
    return settings.files_dir / "builds"


def build_path(settings: Settings, build: Build, name: str) -> Path:
    """A file of a ready build."""
    if build.status is not BuildStatus.ready or not build.location:
        raise ValueError(f"build {build.id} is not ready")
    return builds_root(settings) / build.location / name


@contextmanager
def build_folder(root: Path, name: str) -> Iterator[Path]:
    """A temporary folder to write the files into; renamed to `root/name` in one step when the
    block ends without error, removed otherwise."""
    root.mkdir(parents=True, exist_ok=True)
    _sweep_leftovers(root)
    temporary = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        yield temporary
        final = root / name
        if final.exists():  # a retry of a build whose first attempt was renamed, not recorded
            shutil.rmtree(final)
        os.replace(temporary, final)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _sweep_leftovers(root: Path, older_than: float = 3600) -> None:
    """Temporary folders of builds whose worker was killed mid-way."""
    limit = time.time() - older_than
    for path in root.glob(".*"):
        if path.is_dir() and path.stat().st_mtime < limit:
            shutil.rmtree(path, ignore_errors=True)


def _remove_folders(root: Path, locations: list[str]) -> None:
    for location in locations:
        shutil.rmtree(root / location, ignore_errors=True)


def matrices_parts(kind: str) -> tuple[str, str] | None:
    """(format, language) of a build of every State's matrices ("matrices.pdf" is English,
    "matrices.pdf.fr" French); None for another kind."""
    parts = kind.split(".")
    if parts[0] != "matrices" or len(parts) not in (2, 3):
        return None
    return parts[1], parts[2] if len(parts) == 3 else "en"


def build_url(build: Build) -> str:
    """Where the files of a ready build are served."""
    parts = matrices_parts(build.kind)
    if parts is None:
        return "/api/v1/downloads"
    fmt, language = parts
    return f"/api/v1/matrices.{fmt}" + ("" if language == "en" else f"?lang={language}")


def build_read(build: Build, *, viewer: Viewer) -> BuildRead:
    ready = build.status is BuildStatus.ready
    parts = matrices_parts(build.kind)
    return BuildRead(
        id=build.id,
        kind=build.kind,
        format=parts[0] if parts else None,
        language=parts[1] if parts else None,
        data_version=build.data_version,
        status=build.status.value,
        progress=build.progress,
        queued_at=build.queued_at,
        started_at=build.started_at,
        finished_at=build.finished_at,
        error=(build.error or None) if viewer.is_committee_side else None,
        url=build_url(build) if ready else None,
        bytes=build.size if ready else None,
    )


def visible_build(session: Session, *, viewer: Viewer, build_id: int) -> Build:
    """A build the viewer may see: the public's, or their own audience's."""
    build = session.get(Build, build_id)
    if build is None or build.audience not in (PUBLIC_AUDIENCE, audience_of(viewer)):
        raise NotFound(
            text(
                N_("no build %(build_id)s"),
                build_id=build_id,
            )
        )
    return build
