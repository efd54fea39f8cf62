"""A real server and a real headless Chromium (Debian's /usr/bin/chromium, never a download)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import Engine

from tests.conftest import DatabaseFactory, settings_for
from tests.factories import make_user
from tests.pg_cluster import free_port
from un1540.db.engine import make_session_factory
from un1540.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
# As root, Chromium needs --no-sandbox; the rest keep it from calling out to the network.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


LIVE_ENGINE: list[Engine] = []  # the live server's database, once it is built


@pytest.fixture(scope="session")
def live_database(live_server: str) -> Engine:
    """The live server's database, for journeys that set up what they are not about."""
    return LIVE_ENGINE[-1]


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, evidence_model_dir: Path
) -> Iterator[str]:
    """The portal on a free port over its own SQLite demo database. A law's page shows an
    expert its suggestions: from the session's small evidence model (tests/conftest.py), trained
    at the first such page, never the whole one."""
    engine = DatabaseFactory("sqlite", None, tmp_path_factory.mktemp("browser")).create(demo=True)
    LIVE_ENGINE.append(engine)  # for journeys that set up what they are not about
    with make_session_factory(engine)() as session, session.begin():
        for role, iso3 in (("expert", None), ("committee", None), ("state_poc", "NGA")):
            make_user(session, role=role, email=f"{role}@example.org", iso3=iso3)
        make_user(session, role="provider", email="provider@example.org", org="unodc")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings_for(engine), engine=engine),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian Chromium is missing at /usr/bin/chromium; "
            "`make test` installs it (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield instance
        instance.close()
