"""What the crash tests share: running `un1540` as a process, seeing a write in progress, killing.

The kill points are random but seeded: UN1540_CRASH_SEED (default 1540) replays a run exactly
as far as the choice of points goes (the machine's speed decides the rest); every test prints
its seed and points.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, text

from un1540.db.integrity import check_integrity

SEED = int(os.environ.get("UN1540_CRASH_SEED", "1540"))


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def command_env(engine: Engine, files_dir: Path | None = None) -> dict[str, str]:
    # No warm-up of the OpenAPI document and the review page (about 5 s of CPU per server start):
    # these tests time nothing and the warm-up has tests of its own (tests/portal/test_warm_up.py).
    env = {**os.environ, "UN1540_DATABASE_URL": url_of(engine), "UN1540_WARM_UP": "false"}
    if files_dir is not None:
        env["UN1540_FILES_DIR"] = str(files_dir)
    return env


def start(engine: Engine, *args: str, files_dir: Path | None = None) -> subprocess.Popen[bytes]:
    """`un1540 ARGS` as its own process, as an operator (or a timer) starts it."""
    return subprocess.Popen(
        [sys.executable, "-m", "un1540", *args],
        env=command_env(engine, files_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def run(
    engine: Engine, *args: str, files_dir: Path | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "un1540", *args],
        env=command_env(engine, files_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def kill(process: subprocess.Popen[bytes]) -> bool:
    """SIGKILL (no handler, no clean-up, no flush: what a power cut leaves of a process); False
    if the process had already ended by itself."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    return process.returncode == -signal.SIGKILL


def writing(engine: Engine) -> bool:
    """Does another connection hold an open write transaction on the database right now?

    SQLite: the write lock is taken (a probe's BEGIN IMMEDIATE, with no waiting, is refused).
    PostgreSQL: another backend on the database has a transaction id (it has written).
    """
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        assert database
        probe = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                return True
            raise
        finally:
            probe.close()
    with engine.connect() as connection:
        count = connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
            )
        )
    return bool(count)


def wait_for_write(
    engine: Engine, process: subprocess.Popen[bytes], timeout: float = 120
) -> float | None:
    """Seconds until the process began writing; None if it finished before we saw it write."""
    started = time.monotonic()
    while process.poll() is None:
        if writing(engine):
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"no write seen in {timeout} s")
        time.sleep(0.02)
    return None


def assert_sound(engine: Engine) -> None:
    """The database passes the integrity check from a new connection (as after a restart)."""
    engine.dispose()
    report = check_integrity(engine)
    assert report.ok, report.problems
    assert report.foreign_keys > 40  # the check really looked at the schema's foreign keys
