"""Every process serves a write at once: the caches of two processes on one database.

One process is a real `un1540 serve` started for the test; the other is this test process (an
in-process app with its own cache, and actions run here as the command line would). Each
process's cache is warm before every write; the read right after the write, in the other
process, must show it (the versions of the data come from the database on every request).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import settings_for
from tests.factories import make_edition, make_user
from tests.pg_cluster import free_port
from un1540.db.engine import make_session_factory
from un1540.services.accounts.actions import issue_token
from un1540.services.kernel.cache import CACHE
from un1540.services.matrix.inputs import CellInput
from un1540.web.app import create_app

CELL = "op2.manufacture:cw:legal_framework"  # "?" in make_edition's edition
UN1540 = Path(sys.executable).parent / "un1540"


@pytest.fixture
def server(fresh_engine: Engine, tmp_path: Path) -> Iterator[httpx.Client]:
    """`un1540 serve` over the test's database, as a process of its own."""
    port = free_port()
    environment = {
        **os.environ,
        "UN1540_DATABASE_URL": fresh_engine.url.render_as_string(hide_password=False),
        "UN1540_FILES_DIR": str(tmp_path / "files"),
        "UN1540_WARM_UP": "false",  # about 5 s of CPU per start that this test does not need
    }
    process = subprocess.Popen(
        [UN1540, "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        deadline = time.monotonic() + 90  # the machine may be busy
        while True:
            if process.poll() is not None:
                assert process.stderr is not None
                pytest.fail(f"un1540 serve exited: {process.stderr.read().decode()}")
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("un1540 serve did not answer within 90 s")
            time.sleep(0.1)
        yield client
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=30)


def _mark(matrix: dict[str, Any], cell: str) -> str:
    for section in matrix["sections"]:
        for field in section["fields"]:
            for entry in field["cells"]:
                if entry["id"] == cell:
                    mark: str = entry["mark"]
                    return mark
    raise AssertionError(f"no cell {cell}")


def test_a_write_in_one_process_is_served_at_once_by_the_other(
    fresh_engine: Engine, server: httpx.Client
) -> None:
    sessions = make_session_factory(fresh_engine)
    with sessions() as session:
        make_edition(session, iso3="TCD")
        make_user(session, role="expert", email="expert@example.org")
        _, token = issue_token(session, email="expert@example.org", scope="write", actor="tests")
    expert = {"Authorization": f"Bearer {token}"}
    app = create_app(settings_for(fresh_engine), engine=fresh_engine)
    with TestClient(app) as here:
        readers: dict[str, httpx.Client | TestClient] = {"server": server, "here": here}

        def edition_everywhere(number: int, measures: int) -> None:
            for name, reader in readers.items():
                matrix = reader.get("/api/v1/states/TCD/matrix").json()
                assert matrix["edition"]["number"] == number, name
                assert f"Matrix, edition {number}" in reader.get("/states/TCD").text, name
                coverage = reader.get("/api/v1/coverage?by=state").json()  # over all States
                assert [row["tally"]["measures"] for row in coverage["items"]] == [measures]

        edition_everywhere(1, measures=1)
        hits = CACHE.counts["hits"]
        edition_everywhere(1, measures=1)  # from the caches now
        assert CACHE.counts["hits"] > hits

        with sessions() as session:  # a write by a third process (as `un1540` commands do)
            marks = {"op1.npt:any:adherence": "X", CELL: "?", "op2.use:nw:legal_framework": "X"}
            make_edition(
                session, iso3="TCD", cells=[CellInput(key=k, mark=m) for k, m in marks.items()]
            )
        edition_everywhere(2, measures=2)

        opened = server.post("/api/v1/states/TCD/editions", headers=expert)  # through the server
        assert opened.status_code == 201, opened.text
        draft = opened.json()["edition"]["number"]
        matrix, cell = f"/api/v1/states/TCD/matrix?edition={draft}", f"{draft}/cells/{CELL}"
        for reader in readers.values():
            assert _mark(reader.get(matrix, headers=expert).json(), CELL) == "?"

        version = here.get(f"/api/v1/states/TCD/editions/{cell}", headers=expert).json()
        edited = server.patch(
            f"/api/v1/states/TCD/editions/{cell}",
            headers=expert,
            json={"mark": "X", "version": version["version"]},
        )
        assert edited.status_code == 200, edited.text
        assert _mark(here.get(matrix, headers=expert).json(), CELL) == "X"  # at once, here

        edited = here.patch(  # and the other way round
            f"/api/v1/states/TCD/editions/{cell}",
            headers=expert,
            json={"mark": "NA", "version": edited.json()["version"]},
        )
        assert edited.status_code == 200, edited.text
        assert _mark(server.get(matrix, headers=expert).json(), CELL) == "NA"
