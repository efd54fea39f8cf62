"""Builds run by the web server's own job worker run in a child process (io/builds.py
`build_in_child`, io/build_child.py): the files and the bookkeeping are as before, the build's
memory leaves with the child, a failure in the child is recorded with the child's own error."""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from tests.conftest import settings_for
from tests.services.test_jobs import builds, queue_app, wait_until
from un1540.io.builds import ChildBuildFailed, build_in_child, builds_in_child
from un1540.models import BuildStatus
from un1540.services.kernel.jobs import JobRun


def test_the_server_worker_builds_the_open_data_in_a_child_process(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[str]] = []
    real_popen = subprocess.Popen

    def recording_popen(args: list[str], **options: Any) -> Any:
        started.append(list(args))
        return real_popen(args, **options)

    monkeypatch.setattr(subprocess, "Popen", recording_popen)  # the module io/builds.py calls
    app = queue_app(fresh_engine, tmp_path / "files")
    with TestClient(app) as client:
        client.get("/api/v1/downloads")  # asks for the build
        wait_until(lambda: client.get("/api/v1/downloads").json()["items"], "the open-data build")
        package = client.get("/api/v1/downloads/datapackage.zip")
    assert package.status_code == 200
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        assert "datapackage.json" in archive.namelist()
    assert [command[1:] for command in started] == [["-m", "un1540.io.build_child"]]
    [build] = builds(fresh_engine)
    assert (build.kind, build.status, build.progress) == ("open_data", BuildStatus.ready, 100)
    assert build.details["bytes"] > 0


def test_a_failure_in_the_child_is_its_own_error(fresh_engine: Engine, tmp_path: Path) -> None:
    settings = settings_for(fresh_engine).model_copy(update={"files_dir": tmp_path})
    run = JobRun(sessionmaker(bind=fresh_engine), settings, in_server=True)
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("not a folder")
    with pytest.raises(ChildBuildFailed) as failure:
        build_in_child(run, kind="open_data", audience="public", build_id=1, folder=not_a_folder)
    # the child's exception type and message, not "ChildBuildFailed"
    assert str(failure.value).startswith(("NotADirectoryError", "FileExistsError", "OSError"))


def test_which_runs_build_in_a_child(fresh_engine: Engine) -> None:
    settings = settings_for(fresh_engine)
    sessions = sessionmaker(bind=fresh_engine)
    assert builds_in_child(JobRun(sessions, settings, in_server=True))
    assert not builds_in_child(JobRun(sessions, settings))  # `un1540 worker`: its own process
    off = settings.model_copy(update={"builds_in_child_process": False})
    assert not builds_in_child(JobRun(sessions, off, in_server=True))
    in_memory = settings.model_copy(update={"database_url": "sqlite://"})
    assert not builds_in_child(JobRun(sessions, in_memory, in_server=True))


def test_the_child_builds_at_a_lower_cpu_priority(
    fresh_engine: Engine, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # The child lowers its own priority (io/build_child.py `lower_priority`), so a busy server's
    # requests come before the build on a shared core; it says so on its standard error, which
    # it shares with the server.
    settings = settings_for(fresh_engine).model_copy(
        update={"files_dir": tmp_path, "build_niceness": 7}
    )
    run = JobRun(sessionmaker(bind=fresh_engine), settings, in_server=True)
    folder = tmp_path / "build"
    folder.mkdir()
    details = build_in_child(run, kind="open_data", audience="public", build_id=1, folder=folder)
    assert details["bytes"] > 0
    expected = min(19, os.nice(0) + 7)
    assert f"building open_data for public at niceness {expected}" in capfd.readouterr().err
