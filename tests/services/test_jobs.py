"""The job queue (procrastinate) on both backends, and the files it builds.

These tests turn the queue on (the other tests run jobs inline): on PostgreSQL jobs wait in
procrastinate's tables, on SQLite in procrastinate's in-memory queue, and a worker (a thread of
the server, or `un1540 worker` in a process of its own) runs them. Each uses a fresh database:
the worker's sessions must see what the requests committed.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from tests.api.test_notifications_api import Inbox
from tests.conftest import settings_for
from tests.factories import make_user
from tests.pg_cluster import free_port
from un1540.db.engine import make_session_factory
from un1540.models import Build, BuildStatus, Notification, UserAccount
from un1540.schemas.assistance import AssistanceRequestCreate
from un1540.services.assistance.actions.requests import submit_request
from un1540.services.documents.actions import DocumentInput, attach_document
from un1540.services.kernel.builds import (
    BUILD_TASK,
    build_folder,
    request_build,
    version_label,
)
from un1540.services.kernel.jobs import MemoryJobs, PostgresJobs, configure_jobs
from un1540.services.kernel.unit_of_work import action
from un1540.services.kernel.workers import BackgroundWorker, WorkerOptions
from un1540.services.notifications.actions import notify
from un1540.web.app import create_app

WAIT = 120  # seconds: a build of the reference-only database takes one or two, plus the
# start of its child process (io/build_child.py), which a loaded machine can make long


def wait_until(condition: Callable[[], object], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def queue_app(engine: Engine, files: Path, **update: object) -> FastAPI:
    settings = settings_for(engine).model_copy(
        update={"jobs_inline": False, "files_dir": files, "worker_stalled_seconds": 2, **update}
    )
    return create_app(settings, engine=engine)


def builds(engine: Engine) -> list[Build]:
    with make_session_factory(engine)() as session:
        return list(session.scalars(select(Build).order_by(Build.id)))


def waiting_build_jobs(app: FastAPI, engine: Engine) -> int:
    """Jobs of the build task waiting in the queue (procrastinate's table or its memory)."""
    jobs = app.state.jobs
    if isinstance(jobs, MemoryJobs):
        return sum(
            1
            for job in jobs.connector.jobs.values()
            if job["task_name"] == BUILD_TASK and job["status"] == "todo"
        )
    with engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM procrastinate_jobs "
                    "WHERE task_name = :task AND status = 'todo'"
                ),
                {"task": BUILD_TASK},
            ).scalar_one()
        )


def start_worker(app: FastAPI, engine: Engine) -> BackgroundWorker:
    jobs = app.state.jobs
    worker = BackgroundWorker(
        engine=engine,
        settings=app.state.settings,
        memory=jobs if isinstance(jobs, MemoryJobs) else None,
        options=WorkerOptions(stalled_seconds=2),
    )
    worker.start()
    return worker


@action
def _change_something(session: Session, *, email: str, files_dir: Path) -> None:
    """A write to the public data (an expert registers a law) moves its data version."""
    expert = make_user(session, role="expert", email=email)
    attach_document(
        session,
        viewer=expert,
        document=DocumentInput(
            kind="legislation",
            title="Export control act",
            language="en",
            iso3="NER",
            url="https://example.org/act",
        ),
        upload=None,
        files_dir=files_dir,
        max_bytes=10_000_000,
    )


def test_the_open_data_is_built_in_the_background(fresh_engine: Engine, tmp_path: Path) -> None:
    with TestClient(queue_app(fresh_engine, tmp_path)) as client:
        first = client.get("/api/v1/downloads").json()
        # The first visit never waits for the build: the list is empty, the build under way.
        assert first["items"] == []
        assert first["newer_build"]["status"] in ("queued", "running")

        def listed() -> bool:
            return bool(client.get("/api/v1/downloads").json()["items"])

        wait_until(listed, "the open-data build")
        body = client.get("/api/v1/downloads").json()
        assert body["newer_build"] is None
        package = client.get("/api/v1/downloads/datapackage.zip")
        assert package.status_code == 200
        assert package.headers["X-Data-Version"] == body["data_version"]
        with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
            assert "datapackage.json" in archive.namelist()
        assert client.get("/api/v1/downloads/states.csv").text.startswith("iso3,")
        page = client.get("/downloads").text
        assert f"Data version {body['data_version']}" in page
        build_id = first["newer_build"]["id"]
        status = client.get(f"/api/v1/builds/{build_id}").json()["build"]
        assert (status["status"], status["progress"], status["url"]) == (
            "ready",
            100,
            "/api/v1/downloads",
        )
    assert [(b.kind, b.status) for b in builds(fresh_engine)] == [("open_data", BuildStatus.ready)]


def test_one_build_per_data_version_and_the_previous_one_served_meanwhile(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    # No worker at first (on SQLite the server's is stopped; on PostgreSQL none is started):
    # the jobs wait in the queue.
    postgresql = fresh_engine.dialect.name == "postgresql"
    app = queue_app(fresh_engine, tmp_path, worker_in_process=not postgresql)
    with TestClient(app) as client:
        if app.state.worker is not None:
            app.state.worker.stop()
        with ThreadPoolExecutor(max_workers=8) as pool:
            pages = list(pool.map(lambda _: client.get("/downloads"), range(16)))
        assert {page.status_code for page in pages} == {200}
        assert all("being built" in page.text for page in pages)
        assert len(builds(fresh_engine)) == 1  # sixteen visitors, one build
        assert waiting_build_jobs(app, fresh_engine) == 1  # and one job
        worker = start_worker(app, fresh_engine)
        try:
            wait_until(lambda: client.get("/api/v1/downloads").json()["items"], "the first build")
            first_version = client.get("/api/v1/downloads").json()["data_version"]
        finally:
            worker.stop()

        # The data changes; the new build waits (no worker), the previous one is served.
        with app.state.sessions() as session:
            _change_something(session, email="writer@example.org", files_dir=tmp_path)
            assert version_label(session) != first_version
        listing = client.get("/api/v1/downloads").json()
        assert listing["data_version"] == first_version
        assert listing["newer_build"]["status"] == "queued"
        served = client.get("/api/v1/downloads/datapackage.zip")
        assert served.status_code == 200
        assert served.headers["X-Data-Version"] == first_version
        assert served.headers["X-Newer-Build"] == f"/api/v1/builds/{listing['newer_build']['id']}"
        assert "Newer data is being packaged" in client.get("/downloads").text

        worker = start_worker(app, fresh_engine)
        try:
            wait_until(
                lambda: client.get("/api/v1/downloads").json()["data_version"] != first_version,
                "the build of the new data",
            )
        finally:
            worker.stop()
        assert client.get("/api/v1/downloads").json()["newer_build"] is None
    assert [b.status for b in builds(fresh_engine)] == [BuildStatus.ready, BuildStatus.ready]


def test_a_half_built_folder_is_never_in_place(tmp_path: Path) -> None:
    root = tmp_path / "builds"

    def fail_mid_way() -> None:
        with build_folder(root, "open-data-1") as folder:
            (folder / "datapackage.zip").write_bytes(b"half of a zip")
            raise RuntimeError("the worker failed mid-way")

    with pytest.raises(RuntimeError):
        fail_mid_way()
    assert list(root.iterdir()) == []  # neither the folder nor its temporary
    with build_folder(root, "open-data-2") as folder:
        (folder / "datapackage.zip").write_bytes(b"a whole zip")
        assert not (root / "open-data-2").exists()  # not in place until complete
    assert [p.name for p in root.iterdir()] == ["open-data-2"]
    assert (root / "open-data-2" / "datapackage.zip").read_bytes() == b"a whole zip"


def _worker_process(engine: Engine, files: Path, log: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "UN1540_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "UN1540_FILES_DIR": str(files),
        "UN1540_WORKER_STALLED_SECONDS": "2",
    }
    command = [sys.executable, "-c", "from un1540.cli import main; main()", "worker"]
    return subprocess.Popen(
        command, env=environment, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


# procrastinate's durable queue is PostgreSQL's (on SQLite the queue lives in the server).
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_job_survives_the_death_of_its_worker(fresh_engine: Engine, tmp_path: Path) -> None:
    engine = fresh_engine
    sessions = make_session_factory(engine)
    configure_jobs(sessions, PostgresJobs())
    with sessions() as session:
        request_build(session, kind="open_data", audience="public")
    [queued] = builds(engine)
    # Hold the build's row so that the first worker, once it has taken the job, waits there.
    holder = engine.connect()
    holder.execute(text("SELECT id FROM build WHERE id = :id FOR UPDATE"), {"id": queued.id})
    first = _worker_process(engine, tmp_path / "files", tmp_path / "first.log")
    try:

        def taken() -> bool:
            with engine.connect() as connection:
                status = connection.execute(
                    text("SELECT status FROM procrastinate_jobs WHERE task_name = :task"),
                    {"task": BUILD_TASK},
                ).scalar_one()
                return bool(status == "doing")

        wait_until(taken, "the first worker to take the job")
        first.send_signal(signal.SIGKILL)  # no goodbye: the job stays "doing"
        first.wait(timeout=10)
    finally:
        holder.rollback()
        holder.close()
        if first.poll() is None:
            first.kill()
    second = _worker_process(engine, tmp_path / "files", tmp_path / "second.log")
    try:
        wait_until(lambda: builds(engine)[0].status is BuildStatus.ready, "the second worker")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    assert "queued again" in (tmp_path / "second.log").read_text()
    [built] = builds(engine)
    assert (tmp_path / "files" / "builds" / built.location / "datapackage.zip").exists()
    with engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one()
    assert left == 0  # finished jobs are deleted; nothing waits or runs


def _tell(session: Session, *, email: str) -> None:
    """A State's request, and a notification of it to the account (an expert may see it)."""
    poc = make_user(session, role="state_poc", email="poc@example.org", iso3="NER")
    request = submit_request(
        session,
        viewer=poc,
        data=AssistanceRequestCreate(
            title="Border monitors",
            consent="committee",
            items=[{"description": "Advice", "help_types": ["regulatory_advice"]}],
        ),
    )
    _notify(session, email=email, request_id=request.id)


@action
def _notify(session: Session, *, email: str, request_id: int) -> None:
    account = session.scalars(select(UserAccount).where(UserAccount.email == email)).one()
    notify(session, [account], kind="match", entity_type="assistance_request", entity_id=request_id)


@pytest.fixture
def mail_inbox() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_notification_emails_are_sent_by_the_worker(
    fresh_engine: Engine, tmp_path: Path, mail_inbox: tuple[Inbox, int]
) -> None:
    inbox = mail_inbox
    app = queue_app(
        fresh_engine,
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=inbox[1],
        smtp_sender="un1540@test",
    )
    with TestClient(app):
        with app.state.sessions() as session:
            make_user(session, role="expert", email="reader@example.org")
            session.commit()
            _tell(session, email="reader@example.org")  # the e-mail is a job now
        wait_until(lambda: inbox[0].messages, "the e-mail")
    assert inbox[0].messages[0]["To"] == "reader@example.org"
    with make_session_factory(fresh_engine)() as session:
        sent = session.scalars(select(Notification.emailed_at)).all()
    assert len(sent) == 1
    assert sent[0] is not None


def test_builds_left_waiting_are_queued_again_when_the_server_restarts(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    """On SQLite the queue lives in the server's memory: a restart loses the job, not the build
    record, from which the next server queues it again (on PostgreSQL the job itself waits)."""
    postgresql = fresh_engine.dialect.name == "postgresql"
    first = queue_app(fresh_engine, tmp_path, worker_in_process=not postgresql)
    with TestClient(first) as client:
        if first.state.worker is not None:
            first.state.worker.stop()
        assert client.get("/api/v1/downloads").json()["newer_build"]["status"] == "queued"
    with TestClient(queue_app(fresh_engine, tmp_path)) as client:
        wait_until(lambda: client.get("/api/v1/downloads").json()["items"], "the resumed build")
    assert [b.status for b in builds(fresh_engine)] == [BuildStatus.ready]


def test_documents_read_with_older_patterns_are_read_again_when_the_server_starts(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    """After an upgrade that reads laws better (newer heading patterns), the next server reads
    the documents read before again in a background job, without an operator."""
    from tests.analytics.test_provisions import ENGLISH
    from un1540.models import AuditEvent, DocumentText, Provision
    from un1540.services.documents.actions import UploadedFile
    from un1540.services.library.actions import READ_STALE_TASK, ingest_document

    sessions = make_session_factory(fresh_engine)
    with sessions() as session:
        law = ingest_document(
            session,
            viewer=make_user(session, role="expert", email="reader@un.org"),
            document=DocumentInput(kind="legislation", title="Act", language="en", iso3="NER"),
            upload=UploadedFile(name="act.txt", content=ENGLISH.encode()),
            files_dir=tmp_path,
            max_bytes=10_000_000,
        )
        law_id = law.id
        stored = session.get(DocumentText, law_id)
        assert stored is not None
        of_law = select(Provision.id).where(Provision.document_id == law_id)
        today, before = stored.patterns_version, set(session.scalars(of_law))
        assert len(before) > 3
        stored.patterns_version = "0"  # as an older version left it
        session.commit()

    def read_again() -> bool:
        with sessions() as session:
            stored = session.get(DocumentText, law_id)
            return stored is not None and stored.patterns_version == today

    with TestClient(queue_app(fresh_engine, tmp_path)):
        wait_until(read_again, f"the {READ_STALE_TASK} job")
    with sessions() as session:
        assert len(session.scalars(of_law).all()) == len(before)  # split again, whole
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "document.read_again")
        ).one()
        assert event.entity_id == str(law_id)
        assert event.actor.startswith("system")
