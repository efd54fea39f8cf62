"""The background build job: the open data and every State's matrices, built as files.

`un1540.build(kind, audience)` builds the files of the data as it is when the job starts
(services/kernel/builds.py keeps the record): a write anywhere asks for the open data again;
every State's matrices are built when a signed-in account first asks for them at a data
version. Importing this module registers the task (the server and the worker do).
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from procrastinate.exceptions import JobAborted
from sqlalchemy.orm import Session

from un1540.errors import Unauthenticated
from un1540.io.downloads import OPEN_DATA, write_open_data
from un1540.io.matrix_export import LANGUAGE_FORMATS, ExportFormat, write_every_matrix
from un1540.models import Build
from un1540.reference.languages import UN_LANGUAGES
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.builds import (
    BUILD_TASK,
    BuildState,
    audience_of,
    build_folder,
    build_path,
    build_state,
    builds_root,
    claim_build,
    current_build,
    fail_build,
    finish_build,
    progress_reporter,
    release_build,
    viewer_of,
)
from un1540.services.kernel.jobs import JobRun, job_task
from un1540.services.kernel.quotas import count_use
from un1540.settings import Settings

LOGGER = logging.getLogger("un1540.builds")
Builder = Callable[[Session, Viewer, Path, Callable[[float], None]], dict[str, Any]]
MATRICES = "matrices."


def matrices_kind(fmt: ExportFormat, language: str = "en") -> str:
    """The kind of build of every State's matrices in `fmt` and `language`: one build per data
    version, format and language ("matrices.pdf", "matrices.pdf.fr"), so that a file in one
    language is never served to a reader of another. CSV and JSON are the same in every
    language: one build each."""
    if language == "en" or fmt not in LANGUAGE_FORMATS:
        return f"{MATRICES}{fmt.value}"
    return f"{MATRICES}{fmt.value}.{language}"


def _matrices(fmt: ExportFormat, language: str) -> Builder:
    def build(
        session: Session, viewer: Viewer, folder: Path, progress: Callable[[float], None]
    ) -> dict[str, Any]:
        return write_every_matrix(session, viewer, fmt, folder, progress, language)

    return build


BUILDERS: dict[str, Builder] = {
    OPEN_DATA: write_open_data,
    **{
        matrices_kind(fmt, language): _matrices(fmt, language)
        for fmt in ExportFormat
        for language in UN_LANGUAGES
    },
}


def _folder_name(kind: str, audience: str, build_id: int) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", f"{kind}-{audience}-{build_id}")


@job_task(BUILD_TASK)
def run_build(run: JobRun, *, kind: str, audience: str) -> None:
    """Build `kind` for `audience` from the data as it is now, unless built already."""
    builder = BUILDERS[kind]
    with run.sessions() as session:
        build = claim_build(session, kind=kind, audience=audience)
        if build is None:
            return
        build_id = build.id
        root = builds_root(run.settings)
        name = _folder_name(kind, audience, build_id)
        try:
            with build_folder(root, name) as folder:
                if builds_in_child(run):
                    details = build_in_child(
                        run, kind=kind, audience=audience, build_id=build_id, folder=folder
                    )
                else:
                    details = builder(
                        session, viewer_of(audience), folder, progress_reporter(run, build_id)
                    )
        except JobAborted:
            with run.sessions() as bookkeeping:
                release_build(bookkeeping, build_id=build_id)
            raise
        except Exception as error:
            LOGGER.exception("the %s build for %s failed", kind, audience)
            message = f"{type(error).__name__}: {error}"
            if isinstance(error, ChildBuildFailed):
                message = str(error)  # the child's own "Type: message"
            with run.sessions() as bookkeeping:
                fail_build(bookkeeping, build_id=build_id, error=message)
            raise
        session.rollback()  # end the build's read transaction before the bookkeeping write
        finish_build(session, build_id=build_id, root=root, location=name, details=details)


class ChildBuildFailed(Exception):
    """The build failed in its child process; the message is the child's own error."""


# How often the parent looks whether the worker is stopping while a child builds.
CHILD_POLL_SECONDS = 0.5


def builds_in_child(run: JobRun) -> bool:
    """Whether this run builds in a child process: when the worker is the web server's own
    (a build there would hold the server's memory afterwards, ~130 MB at 10x history, and
    compete with its requests for the interpreter lock) and a child can open the database."""
    settings = run.settings
    return (
        run.in_server
        and settings.builds_in_child_process
        and (not settings.is_sqlite or settings.sqlite_path() is not None)
    )


def build_in_child(
    run: JobRun, *, kind: str, audience: str, build_id: int, folder: Path
) -> dict[str, Any]:
    """Run the builder of `kind` in a new Python process (io/build_child.py), which writes the
    files into `folder` and the build's progress into the database, and return its details.
    If the worker is asked to stop meanwhile, the child is stopped and JobAborted raised (the
    job runs again, as for a build in this process)."""
    request = json.dumps(
        {
            "settings": run.settings.model_dump(mode="json"),
            "kind": kind,
            "audience": audience,
            "build_id": build_id,
            "folder": str(folder),
        }
    )
    child = subprocess.Popen(
        [sys.executable, "-m", "un1540.io.build_child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,  # one JSON line: the details, or the error
        text=True,
        encoding="utf-8",
    )
    with child:
        sent: str | None = request
        while True:
            try:
                output, _ = child.communicate(sent, timeout=CHILD_POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                sent = None  # sent with the first call; the output is kept across calls
                if run.should_stop():
                    child.terminate()
                    child.wait()
                    raise JobAborted("the worker is stopping; the job will run again") from None
    answer = _child_answer(output)
    if child.returncode != 0 or "details" not in answer:
        raise ChildBuildFailed(
            str(answer.get("error") or f"the build process ended with code {child.returncode}")
        )
    details: dict[str, Any] = answer["details"]
    return details


def _child_answer(output: str) -> dict[str, Any]:
    """The child's last line of output, read as JSON ({} if there is none)."""
    lines = output.strip().splitlines()
    if not lines:
        return {}
    try:
        answer = json.loads(lines[-1])
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


EVERY_STATE = "every State's matrices at once"


def every_matrix_build(
    session: Session,
    *,
    viewer: Viewer,
    fmt: ExportFormat,
    settings: Settings,
    language: str = "en",
) -> BuildState:
    """Every State's latest matrix in `fmt` and `language`, for signed-in accounts only, a
    limited number of times an hour: where its build stands (one is asked for if the data
    changed since)."""
    if viewer.user_id is None:
        raise Unauthenticated(
            f"sign in or send an API token to download {EVERY_STATE}; each State's matrix is "
            "public at /api/v1/states/{iso3}/matrix.{format}"
        )
    count_use(session, viewer=viewer, what=EVERY_STATE, limit=settings.export_requests_per_hour)
    return current_build(session, kind=matrices_kind(fmt, language), audience=audience_of(viewer))


def every_matrix_builds(
    session: Session, *, viewer: Viewer, language: str = "en"
) -> dict[ExportFormat, BuildState]:
    """Where the viewer's builds of every State's matrices in `language` stand, per format
    (asks for none)."""
    audience = audience_of(viewer)
    return {
        fmt: build_state(session, kind=matrices_kind(fmt, language), audience=audience)
        for fmt in ExportFormat
    }


def ready_file(settings: Settings, build: Build) -> tuple[Path, str, str]:
    """(path, download name, media type) of a ready build of every State's matrices."""
    details = build.details
    path = build_path(settings, build, str(details["stored_as"]))
    return path, str(details["file_name"]), str(details["media_type"])
