"""Fixture strategy (read this before adding fixtures).

- Every database test runs twice, on SQLite and on PostgreSQL: the `engine` fixture is
  parametrised over both backends. PostgreSQL is a private throwaway cluster started once per
  test session (tests/pg_cluster.py); set UN1540_TEST_POSTGRESQL_URL to use another one.
- Each backend gets two databases per test session, migrated with the real Alembic migrations:
  `engine` holds the reference data and the demo for a few States (DEMO_STATES), `empty_engine`
  the reference data only (for empty states). Tests treat both as read-only: nothing a test
  writes through the fixtures below outlives the test.
- Writes are joined to a rolled-back connection (SQLAlchemy's "joining a session into an
  external transaction" recipe): `connection` opens a transaction that is rolled back after the
  test; `sessions` makes sessions bound to it with join_transaction_mode="create_savepoint", so
  an action's commit only releases a savepoint. `session` is one such session; `client` is an
  in-process HTTP client on create_app() whose every request uses such a session, so routes
  that commit are rolled back with the test as well. `empty_connection`, `empty_sessions`,
  `empty_session` and `empty_client` are the same over the empty database.
- Every database is a copy of a template (`DatabaseFactory`): the reference data, and the demo
  on top of it, are migrated and loaded once per backend and test process; each database after
  that is a copy (a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL), 0.05 s
  on SQLite and about 0.4 s on PostgreSQL instead of 5 to 20 s of migrating and loading.
- `fresh_engine` makes a new database (such a copy) for the test: only for tests that need data
  committed for real, seen from other connections (two sessions racing, the demo loader, the
  command line, e-mail sent by a server thread).
- Browser tests (marker `browser`) use `live_server`, a real uvicorn on a free port.
- Passwords are hashed with argon2id as in production, but with its cheapest cost parameters,
  so the many accounts the tests create do not dominate the run time.
- E-mail goes to a real SMTP server on loopback (aiosmtpd): the `inbox` fixture, or
  `running_inbox()` for a fixture of a wider scope; `Inbox.messages` holds what it received.
- The evidence-suggestion model is trained once per test process (`evidence_model_dir`, about
  10 to 20 s of CPU on a small part of the train split): a test that suggests requests that
  fixture rather than training a model of its own (only a test of training itself retrains).
- pytest-xdist (`make test PYTEST_WORKERS=2`, i.e. `pytest -n 2 --dist loadfile`): each worker
  is a test process of its own, with its own PostgreSQL cluster, templates, evidence model, live
  server and Chromium; `--dist loadfile` keeps a file's tests, and so its module fixtures (the
  security world, the crawl), in one worker. The summary adds up the workers' figures. Session
  fixtures must therefore not assume they are the only test process on the machine: ports from
  `free_port()`, directories from `tempfile`/`tmp_path_factory`, never fixed ones.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import resource
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

import un1540.services.accounts.credentials
from tests.pg_cluster import TemporaryCluster, free_port
from un1540.db.engine import make_engine, make_session_factory
from un1540.db.migrate import upgrade
from un1540.io.demo import load_demo
from un1540.io.sourced_events import load_sourced_event_records
from un1540.services.matrix.actions.frameworks import load_reference_data
from un1540.settings import Settings
from un1540.web.app import create_app

# A spread of States: every regional group, the special cases (Türkiye, the United States,
# Kiribati), an antimeridian State (Fiji). Chad is left without editions, for empty states.
DEMO_STATES = ["BRA", "CHN", "FJI", "FRA", "KIR", "NGA", "POL", "TUR", "USA"]
STATE_WITHOUT_EDITIONS = "TCD"
BACKENDS = ["sqlite", "postgresql"]
_DATABASE_NUMBERS = itertools.count(1)
un1540.services.accounts.credentials.PASSWORDS = PasswordHash(
    (Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),)
)
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# What a run costs, independent of the machine's load: reported at the end of the run.
FRESH_DATABASES = {backend: 0 for backend in BACKENDS}
MEASURES: dict[str, str] = {}  # e.g. the confidentiality crawl's request count


@pytest.fixture(scope="session")
def postgresql_cluster() -> Iterator[TemporaryCluster | None]:
    if os.environ.get("UN1540_TEST_POSTGRESQL_URL"):
        yield None
        return
    cluster = TemporaryCluster()
    cluster.start()
    try:
        yield cluster
    finally:
        MEASURES[f"PostgreSQL cluster CPU{_worker_suffix()}"] = f"{cluster.cpu_seconds():.0f} s"
        cluster.stop()


class DatabaseFactory:
    """Creates migrated databases on one backend, each a copy of a template.

    The first database of a kind (reference data only, or with the demo too) on a backend is
    migrated with the real Alembic migrations and loaded into a template, once per test process
    (per cluster on PostgreSQL); every database after that is a copy of it: a file copy on
    SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL. A copy takes a tenth of a second where
    migrating and loading took seconds, and holds exactly what they would write.
    """

    def __init__(self, backend: str, cluster: TemporaryCluster | None, directory: Path) -> None:
        self.backend, self.cluster, self.directory, self.count = backend, cluster, directory, 0

    def url(self) -> str:
        """The URL of a new, empty database (not migrated)."""
        self.count += 1
        if self.backend == "sqlite":
            return f"sqlite:///{self.directory / f'test-{self.count}.sqlite3'}"
        return self._cluster().create_database(f"un1540_test_{next(_DATABASE_NUMBERS)}")

    def _cluster(self) -> TemporaryCluster:
        if os.environ.get("UN1540_TEST_POSTGRESQL_URL"):
            raise pytest.UsageError(
                "UN1540_TEST_POSTGRESQL_URL holds one database; run one backend"
            )
        assert self.cluster is not None
        return self.cluster

    def create(self, *, demo: bool) -> Engine:
        FRESH_DATABASES[self.backend] += 1
        self.count += 1
        return make_engine(self._copy(self._template(demo=demo), f"test-{self.count}"))

    def _copy(self, template: str, name: str) -> str:
        """The URL of a new copy of a template (a SQLite file, a PostgreSQL database)."""
        if self.backend == "sqlite":
            target = self.directory / f"{name}.sqlite3"
            shutil.copyfile(template, target)
            return f"sqlite:///{target}"
        # Unique across factories: several may share the session's cluster.
        number = next(_DATABASE_NUMBERS)
        return self._cluster().create_database(f"un1540_test_{number}", template=template)

    def _template(self, *, demo: bool) -> str:
        """The template's file (SQLite) or database name (PostgreSQL), built on first use: the
        reference data on the migrated schema, and the demo on a copy of that."""
        key = (self.backend, str(self.cluster.root) if self.cluster else "", demo)
        if key in _TEMPLATES:
            return _TEMPLATES[key]
        kind = "demo" if demo else "reference"
        if demo:
            reference = DatabaseFactory(self.backend, self.cluster, _template_directory())
            engine = make_engine(reference._copy(self._template(demo=False), f"template-{kind}"))
        elif self.backend == "sqlite":
            engine = make_engine(f"sqlite:///{_template_directory() / f'template-{kind}.sqlite3'}")
        else:
            name = f"un1540_template_{next(_DATABASE_NUMBERS)}"
            engine = make_engine(self._cluster().create_database(name))
        if not demo:
            upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions() as session, session.begin():
            if demo:
                load_demo(session, only=DEMO_STATES)
            else:
                load_reference_data(session, actor="tests")
        if demo:  # the sourced (real) event records load apart from the demo, as `un1540 init`
            with sessions() as session, session.begin():
                load_sourced_event_records(session, actor="tests")
        if self.backend == "sqlite":
            # Everything into the main file, so that copying the file copies it all.
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()  # PostgreSQL copies only a database nobody is connected to
        _TEMPLATES[key] = engine.url.database or ""
        return _TEMPLATES[key]


# The templates DatabaseFactory copies, by (backend, cluster, demo), and where SQLite's live.
_TEMPLATES: dict[tuple[str, str, bool], str] = {}
_TEMPLATE_DIRECTORY: list[Path] = []


def _template_directory() -> Path:
    if not _TEMPLATE_DIRECTORY:
        directory = Path(tempfile.mkdtemp(prefix="un1540-templates-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        _TEMPLATE_DIRECTORY.append(directory)
    return _TEMPLATE_DIRECTORY[0]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture(scope="session")
def database_factory(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> DatabaseFactory:
    cluster = request.getfixturevalue("postgresql_cluster") if backend == "postgresql" else None
    return DatabaseFactory(backend, cluster, tmp_path_factory.mktemp(f"db-{backend}"))


@pytest.fixture(scope="session")
def engine(database_factory: DatabaseFactory) -> Iterator[Engine]:
    """The shared, read-only test database with reference and demo data."""
    engine = database_factory.create(demo=True)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def empty_engine(database_factory: DatabaseFactory) -> Iterator[Engine]:
    """The shared, read-only test database with reference data only (no demo)."""
    engine = database_factory.create(demo=False)
    yield engine
    engine.dispose()


@pytest.fixture
def fresh_engine(database_factory: DatabaseFactory) -> Iterator[Engine]:
    """A new database with reference data only, for writes that must really be committed."""
    engine = database_factory.create(demo=False)
    yield engine
    engine.dispose()


def rolled_back_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that is rolled back when the test ends.

    The test thread and the app's worker thread (TestClient runs the app in one) share this
    one connection. That is safe because they take turns: every TestClient call is
    synchronous, so the test never touches the connection while a request is using it.

    One limit: sessions on one connection share its stack of savepoints. A session opened
    while another is still open (a background task during a request) commits into the outer
    one's savepoint, and the outer session's close rolls that back. Such tests use
    `fresh_engine`, where each session has its own connection, as in production.
    """
    connection = engine.connect()
    sqlite = engine.dialect.name == "sqlite"
    driver = connection.connection.driver_connection
    if sqlite:
        # pysqlite opens transactions itself, lazily: the first SAVEPOINT would start the
        # transaction and its RELEASE commit it for good. Turn that off and open it ourselves.
        isolation_level = driver.isolation_level  # type: ignore[union-attr]
        driver.isolation_level = None  # type: ignore[union-attr]
    transaction = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    try:
        yield connection
    finally:
        transaction.rollback()
        if sqlite:
            driver.isolation_level = isolation_level  # type: ignore[union-attr]
        connection.close()


@contextmanager
def rolled_back_session(engine: Engine) -> Iterator[Session]:
    """A session on a connection of its own whose transaction is rolled back at the end, for
    trying an action and undoing it whatever happened (the rules agreement tests)."""
    with closing(rolled_back_connection(engine)) as connections:
        session = Session(
            bind=next(connections), join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            session.close()


def joined_sessions(connection: Connection) -> sessionmaker[Session]:
    """Sessions whose commits release a savepoint of the test's transaction, nothing more."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


def joined_client(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(settings_for(engine), engine=engine, sessions=sessions)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    yield from rolled_back_connection(engine)


@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    return joined_sessions(connection)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose writes are rolled back after the test."""
    with sessions() as session:
        yield session


@pytest.fixture
def client(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    """An HTTP client on the demo database; what its requests write is rolled back."""
    yield from joined_client(engine, sessions)


@pytest.fixture
def empty_connection(empty_engine: Engine) -> Iterator[Connection]:
    yield from rolled_back_connection(empty_engine)


@pytest.fixture
def empty_sessions(empty_connection: Connection) -> sessionmaker[Session]:
    return joined_sessions(empty_connection)


@pytest.fixture
def empty_session(empty_sessions: sessionmaker[Session]) -> Iterator[Session]:
    with empty_sessions() as session:
        yield session


@pytest.fixture
def empty_client(
    empty_engine: Engine, empty_sessions: sessionmaker[Session]
) -> Iterator[TestClient]:
    """An HTTP client on the empty database; what its requests write is rolled back."""
    yield from joined_client(empty_engine, empty_sessions)


def settings_for(engine: Engine) -> Settings:
    """Background jobs run inline (at once, in the request that asks): the tests of the queue
    itself (tests/services/test_jobs.py) turn the queue and its worker on."""
    return Settings(database_url=engine.url.render_as_string(hide_password=False), jobs_inline=True)


class Inbox:
    """What a loopback SMTP server received, in order."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [message for message in self.messages if message["To"] == address]


@contextmanager
def running_inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) on a free loopback port, and what it received."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with running_inbox() as running:
        yield running


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def scratch_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="un1540-tests-") as directory:
        yield Path(directory)


# What pytest-xdist's workers counted (each worker is a test process of its own, with its own
# templates): the controller adds them up for the summary.
WORKER_TEMPLATES = {backend: 0 for backend in BACKENDS}


def _worker_suffix() -> str:
    """` (gw0)` in a pytest-xdist worker, nothing in a single test process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f" ({worker})" if worker else ""


def pytest_sessionfinish(session: pytest.Session) -> None:
    # The CPU this test process used (user+sys), with its children (LibreOffice, the CLI's
    # subprocesses); Chromium and the PostgreSQL cluster are counted apart or not at all.
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    name = "xdist controller" if getattr(session.config.option, "numprocesses", 0) else "test"
    MEASURES[f"{name} process CPU{_worker_suffix()}"] = (
        f"{own.ru_utime + own.ru_stime:.0f} s, its subprocesses "
        f"{children.ru_utime + children.ru_stime:.0f} s"
    )
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: hand the figures to the controller
        templates = {b: sum(1 for key in _TEMPLATES if key[0] == b) for b in BACKENDS}
        workeroutput["un1540"] = json.dumps(
            {"fresh": FRESH_DATABASES, "templates": templates, "measures": MEASURES}
        )


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist's controller: a worker finished; add its figures to the summary's."""
    figures = json.loads(getattr(node, "workeroutput", {}).get("un1540", "{}"))
    for backend in BACKENDS:
        FRESH_DATABASES[backend] += figures.get("fresh", {}).get(backend, 0)
        WORKER_TEMPLATES[backend] += figures.get("templates", {}).get(backend, 0)
    MEASURES.update(figures.get("measures", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    created = ", ".join(f"{backend} {count}" for backend, count in FRESH_DATABASES.items())
    templates = ", ".join(
        f"{backend} {sum(1 for key in _TEMPLATES if key[0] == backend) + WORKER_TEMPLATES[backend]}"
        for backend in BACKENDS
    )
    terminalreporter.write_line(
        f"fresh databases (copies of a template): {created}; templates migrated: {templates}"
    )
    for name, value in MEASURES.items():
        terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="session")
def evidence_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One evidence-suggestion model for the whole session, trained (once, at first use) on a
    part of the real train split, so the tests of the suggestion routes and pages stay quick;
    the code path is the shipped one. Request it before any app or settings are made."""
    from tests.analytics.test_evidence_suggest import small_train_split
    from un1540.analytics.evidence import store
    from un1540.settings import get_settings

    directory = tmp_path_factory.mktemp("evidence-model-session")
    patch = pytest.MonkeyPatch()
    patch.setattr(store, "train_split", lambda directories=None: small_train_split())
    patch.setenv("UN1540_EVIDENCE_MODEL_DIR", str(directory))
    get_settings.cache_clear()
    yield directory
    patch.undo()
    get_settings.cache_clear()
