"""`un1540 serve` killed with SIGKILL while writers edit cells over HTTP, on SQLite and PostgreSQL.

Four threads, each an expert with an API token, edit their own cell (one per State's draft)
as fast as the server answers, sending back the version each answer gave; two more race for one
shared cell (the loser of each version is answered 409 and goes on from the winner's). The
server is killed at a seeded random moment once every writer has had a few answers. Then:

- the database passes the integrity check;
- every write answered 2xx before the kill is stored: the cell holds the last acknowledged
  version, or the one after it (the request in flight when the server died may have committed
  without its answer), and the audit log holds an event for every acknowledged write;
- the audit log and the cells agree: one event per version of each cell;
- each version of the shared cell was won once (no two 2xx answers for one version);
- the server starts again and answers the stored values; the writers go on from there, and the
  next round kills it again.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from tests.crash.harness import SEED, assert_sound, command_env, kill
from tests.factories import make_user
from tests.pg_cluster import free_port
from un1540.db.engine import make_session_factory
from un1540.models import AuditEvent, CellDefinition, CellEntry, MatrixEdition, State
from un1540.services.accounts.actions import issue_token
from un1540.services.matrix.actions.editions import open_draft

WRITER_STATES = ["BRA", "FRA", "NGA", "TCD"]  # one writer per State's draft
RACE_STATE = "POL"  # two writers race for one cell of its draft
CELL = "op2.use:bw:enforcement"
ROUNDS = 2  # kills per backend
ACKS_BEFORE_KILL = 3  # every writer has been answered this often before the kill
MARKS = ["X", "?", "NA", ""]


@dataclass
class Writer:
    name: str
    iso3: str
    token: str
    number: int
    racing: bool = False  # shares its cell with the other racer
    version: int = 1
    acknowledged: list[tuple[str, int]] = field(default_factory=list)  # remark, version
    in_flight: str | None = None
    conflicts: int = 0
    error: str | None = None

    @property
    def path(self) -> str:
        return f"/api/v1/states/{self.iso3}/editions/{self.number}/cells/{CELL}"

    def write_until_the_server_dies(self, base: str, round_number: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            for index in range(100_000):
                remark = f"{self.name} round {round_number} write {index}"
                body = {"mark": MARKS[index % 4], "remark": remark, "version": self.version}
                self.in_flight = remark
                try:
                    answer = client.patch(self.path, json=body)
                except httpx.TransportError:
                    return  # the server is gone; this write was not acknowledged
                if self.racing and answer.status_code == 409:
                    # Lost the race for this version: go on from the winner's.
                    self.conflicts += 1
                    self.version = int(answer.json()["error"]["details"]["current"]["version"])
                    continue
                if not answer.is_success:
                    self.error = f"{answer.status_code} {answer.text[:300]}"
                    return
                self.version = int(answer.json()["version"])
                self.acknowledged.append((remark, self.version))
                self.in_flight = None


class Server:
    """`un1540 serve` as its own process, its output in a file."""

    def __init__(self, engine: Engine, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "un1540", "serve", "--port", str(self.port)],
            env=command_env(engine),
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 120
        while True:
            assert self.process.poll() is None, log.read_text(errors="replace")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def stored_cell(engine: Engine, iso3: str) -> tuple[str, int]:
    with make_session_factory(engine)() as session:
        row = session.execute(
            select(CellEntry.remark, CellEntry.revision)
            .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
            .join(State, State.id == MatrixEdition.state_id)
            .join(CellDefinition, CellDefinition.id == CellEntry.cell_id)
            .where(State.iso3 == iso3, CellDefinition.key == CELL)
        ).one()
    return row[0], row[1]


def audited(engine: Engine, writer: Writer) -> list[dict[str, Any]]:
    with make_session_factory(engine)() as session:
        return [
            after or {}
            for after in session.scalars(
                select(AuditEvent.after)
                .where(
                    AuditEvent.action == "cell.update",
                    AuditEvent.entity_id == f"{writer.iso3}/{writer.number}/{CELL}",
                )
                .order_by(AuditEvent.id)
            )
        ]


def check_every_acknowledged_write(engine: Engine, writers: list[Writer]) -> int:
    """Every acknowledged write is stored and audited; returns how many there were."""
    total = 0
    for writer in writers:
        if writer.racing:
            continue
        assert writer.error is None, writer.error
        remark, version = stored_cell(engine, writer.iso3)
        last_remark, last_version = writer.acknowledged[-1]
        assert version in (last_version, last_version + 1), (writer.iso3, version, last_version)
        # The write in flight at the kill may have committed without its answer: then it is the
        # one stored, never anything else.
        assert remark == (last_remark if version == last_version else writer.in_flight)
        events = audited(engine, writer)
        assert len(events) == version - 1  # one event per version: audit and data agree
        assert [event["version"] for event in events] == list(range(2, version + 1))
        audited_remarks = {event["remark"] for event in events}
        missing = [r for r, _ in writer.acknowledged if r not in audited_remarks]
        assert not missing, f"acknowledged writes lost: {missing}"
        total += len(writer.acknowledged)
        writer.version = version
    return total + check_the_race(engine, [writer for writer in writers if writer.racing])


def check_the_race(engine: Engine, racers: list[Writer]) -> int:
    """Two writers raced for one cell: each version has exactly one winner, and every win
    acknowledged is stored and audited as that version."""
    assert all(racer.error is None for racer in racers), [racer.error for racer in racers]
    won = [(remark, version) for racer in racers for remark, version in racer.acknowledged]
    versions = [version for _, version in won]
    assert len(versions) == len(set(versions)), "a version was won twice"
    _, stored_version = stored_cell(engine, racers[0].iso3)
    assert stored_version >= max(versions)
    events = audited(engine, racers[0])
    assert [event["version"] for event in events] == list(range(2, stored_version + 1))
    audited_wins = {(event["remark"], event["version"]) for event in events}
    assert not set(won) - audited_wins, f"acknowledged wins lost: {set(won) - audited_wins}"
    for racer in racers:
        racer.version = stored_version
    return len(won)


def answer_stored_values(server: Server, writers: list[Writer], engine: Engine) -> None:
    """The server (started again after a kill) serves each cell as it is stored."""
    for writer in writers:
        answer = httpx.get(
            f"{server.base}{writer.path}",
            headers={"Authorization": f"Bearer {writer.token}"},
            timeout=30,
        ).json()
        assert (answer["remark"], answer["version"]) == stored_cell(engine, writer.iso3)


@pytest.fixture
def writers(fresh_engine: Engine) -> list[Writer]:
    found = []
    with make_session_factory(fresh_engine)() as session, session.begin():
        for name, iso3, racing in [(iso3, iso3, False) for iso3 in WRITER_STATES] + [
            (f"{RACE_STATE}-{side}", RACE_STATE, True) for side in ("a", "b")
        ]:
            email = f"writer-{name.lower()}@example.org"
            expert = make_user(session, role="expert", email=email)
            if not racing or name.endswith("-a"):
                number = open_draft(session, viewer=expert, iso3=iso3).number
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            found.append(Writer(name=name, iso3=iso3, token=token, number=number, racing=racing))
    return found


def test_acknowledged_writes_survive_the_server_killed_under_writers(
    fresh_engine: Engine, writers: list[Writer], backend: str, tmp_path: Path
) -> None:
    chooser = random.Random(f"{SEED}-serve-{backend}")
    log = tmp_path / "server.log"
    seen = []
    for round_number in range(1, ROUNDS + 1):
        server = Server(fresh_engine, log)
        if round_number > 1:
            answer_stored_values(server, writers, fresh_engine)  # restarted after the kill
        for writer in writers:
            writer.acknowledged, writer.in_flight = [], None
        threads = [
            threading.Thread(
                target=writer.write_until_the_server_dies, args=(server.base, round_number)
            )
            for writer in writers
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while any(len(w.acknowledged) < ACKS_BEFORE_KILL for w in writers if not w.racing) or (
            sum(len(w.acknowledged) for w in writers if w.racing) < ACKS_BEFORE_KILL
        ):
            assert all(w.error is None for w in writers), [w.error for w in writers]
            assert time.monotonic() < deadline, "the writers made no progress"
            time.sleep(0.01)
        delay = chooser.uniform(0.0, 0.5)
        time.sleep(delay)
        assert kill(server.process)
        server.log.close()
        for thread in threads:
            thread.join(timeout=60)
            assert not thread.is_alive()
        assert_sound(fresh_engine)
        acknowledged = check_every_acknowledged_write(fresh_engine, writers)
        conflicts = sum(writer.conflicts for writer in writers)
        seen.append(
            f"round {round_number}: killed {delay:.2f} s later; {acknowledged} acknowledged "
            f"writes, {conflicts} lost races so far"
        )
    # After the last kill too, the server starts again and serves what is stored.
    server = Server(fresh_engine, log)
    try:
        answer_stored_values(server, writers, fresh_engine)
    finally:
        server.stop()
    print(f"seed {SEED} ({backend}):", *seen, sep="\n  ")
    assert sum(writer.conflicts for writer in writers) > 0  # the racers did race
