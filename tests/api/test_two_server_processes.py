"""Several `un1540 serve` processes on one PostgreSQL database, as several web processes (or hosts)
behind a load balancer: a write through one is seen at once by every read through the other,
whose caches were warm (the State page, the matrix JSON, coverage).

Each process keeps its own cache, keyed by the data versions it reads from the database in
every request (services/kernel/data_version.py): nothing is shared in memory, and nothing needs
to be. PostgreSQL only: `un1540 serve --workers N` refuses SQLite (tests/cli/test_commands.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tests.crash.harness import command_env
from tests.factories import make_user
from tests.pg_cluster import free_port
from un1540.db.engine import make_session_factory
from un1540.services.accounts.actions import issue_token

ISO3 = "TCD"  # no edition before the test
CELL = "op2.use:bw:enforcement"


class Server:
    """`un1540 serve --no-worker --workers N` as its own process, its output in a file."""

    def __init__(self, engine: Engine, log: Path, workers: int = 1) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "un1540", "serve", "--no-worker"),
                *("--workers", str(workers), "--port", str(port)),
            ],
            env=command_env(engine),
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,  # its worker processes are stopped with it
        )
        self.client = httpx.Client(base_url=self.base, timeout=60)
        deadline = time.monotonic() + 120
        while True:
            assert self.process.poll() is None, log.read_text(errors="replace")
            try:
                if self.client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)

    def reads(self) -> dict[str, Any]:
        """What an anonymous visitor reads: the State page, its matrix, coverage."""
        page = self.client.get(f"/states/{ISO3}")
        matrix = self.client.get(f"/api/v1/states/{ISO3}/matrix")
        coverage = self.client.get("/api/v1/coverage", params={"by": "state"})
        assert page.status_code == 200
        assert coverage.status_code == 200
        return {
            # The page names its own address (the credit under its charts, the citation's
            # publisher and address): each server's port.
            "page": page.text.replace(str(self.client.base_url).rstrip("/"), "SERVER").replace(
                self.base.removeprefix("http://"), "SERVER"
            ),
            "matrix": matrix.json() if matrix.status_code == 200 else matrix.status_code,
            "coverage": coverage.json(),
        }

    def stop(self) -> None:
        self.client.close()
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        finally:
            with contextlib.suppress(ProcessLookupError):  # all ended already
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            self.log.close()


def publish(server: Server, tokens: dict[str, str], mark: str, remark: str) -> int:
    """Through this server: open a draft, write the cell, share, approve; the new number."""
    expert = {"Authorization": f"Bearer {tokens['expert']}"}
    opened = server.client.post(f"/api/v1/states/{ISO3}/editions", headers=expert, json={})
    assert opened.status_code == 201, opened.text
    number = int(opened.json()["edition"]["number"])
    base = f"/api/v1/states/{ISO3}/editions/{number}"
    cell = server.client.get(f"{base}/cells/{CELL}", headers=expert).json()
    written = server.client.patch(
        f"{base}/cells/{CELL}",
        headers=expert,
        json={"mark": mark, "remark": remark, "version": cell["version"]},
    )
    assert written.status_code == 200, written.text
    assert server.client.post(f"{base}/share", headers=expert).status_code == 200
    # The cell's X cites no document: waive the evidence rule (not what this test is about).
    check = server.client.get(f"{base}/evidence", headers=expert).json()
    for problem in check["problems"]:
        waived = server.client.post(
            f"{base}/cells/{problem['cell']}/waivers",
            headers=expert,
            json={"rule": problem["rule"], "reason": "not what this test is about"},
        )
        assert waived.status_code == 201, waived.text
    approved = server.client.post(
        f"{base}/approve",
        headers={"Authorization": f"Bearer {tokens['committee']}"},
        json={"reason": "meeting"},
    )
    assert approved.status_code == 200, approved.text
    return number


def coverage_row(reads: dict[str, Any]) -> dict[str, Any] | None:
    rows = [row for row in reads["coverage"]["items"] if ISO3 in str(row)]
    return rows[0] if rows else None


@pytest.fixture
def postgresql_only(backend: str) -> None:
    """Skips SQLite before any database is made for the test."""
    if backend == "sqlite":
        pytest.skip("several server processes need PostgreSQL (serve refuses --workers on SQLite)")


def test_a_write_through_one_process_is_read_at_once_through_another(
    postgresql_only: None, fresh_engine: Engine, tmp_path: Path
) -> None:
    tokens = {}
    with make_session_factory(fresh_engine)() as session, session.begin():
        for role in ("expert", "committee"):
            email = f"{role}@example.org"
            make_user(session, role=role, email=email)
            tokens[role] = issue_token(session, email=email, scope="write", actor="tests")[1]
    # The writer is `serve --workers 2` (a write lands on either of its processes), the reader
    # another server: three processes, each with its own cache.
    writer = Server(fresh_engine, tmp_path / "a.log", workers=2)
    reader = Server(fresh_engine, tmp_path / "b.log")
    try:
        before = reader.reads()
        assert before == reader.reads()  # the reader's caches are warm (and stable)
        assert before["matrix"] == 404  # no edition yet
        for round_number, mark in enumerate(["X", "?"], start=1):
            remark = f"Act {round_number} of the two-process test"
            number = publish(writer, tokens, mark, remark)
            after = reader.reads()  # at once: no wait, no retry
            assert isinstance(after["matrix"], dict)
            assert after["matrix"]["edition"]["number"] == number
            assert remark in json.dumps(after["matrix"]), "the reader's matrix is outdated"
            assert remark in after["page"]
            assert after["coverage"] != before["coverage"]
            assert after["coverage"]["states_with_editions"] == 1
            # The same as the writer's (its first read of coverage and the page: computed afresh).
            assert after["coverage"] == writer.reads()["coverage"]
            assert after["page"] == writer.reads()["page"]
            before = after
        assert coverage_row(before) is not None
    finally:
        writer.stop()
        reader.stop()
