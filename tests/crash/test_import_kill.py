"""`un1540 import matrix --all` killed with SIGKILL at random points, on SQLite and PostgreSQL.

After every kill: the database passes the integrity check; the import is all or nothing (either
none of its cells, audit events and drafts is stored, or all of them are, and the audit log
agrees cell by cell with what is stored); the same import then runs to the end.

The imports alternate between two files that change every cell of STATES States (all "X", then
all "?"), so each import has the same, whole, amount of work. The first import also opens each
State's draft. Each kill waits until the import is seen writing (harness.writing), then a seeded
random part of the time the previous complete run of the import spent writing (up to 1.3 of it,
so some kills land after the commit, while the process exits).
"""

from __future__ import annotations

import csv
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from tests.crash.harness import SEED, assert_sound, kill, run, start, wait_for_write, writing
from un1540.db.engine import make_session_factory
from un1540.io.matrix_import import import_matrix_file
from un1540.models import AuditEvent, CellDefinition, CellEntry, MatrixEdition, State
from un1540.models.matrix import EditionStatus
from un1540.services.kernel.access import system_viewer
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

STATES = 10  # States in the import: 3,410 cells, long enough to be killed while it writes
KILLS = 3  # kill points per backend
FIRST_WINDOW = 0.3  # seconds: before any complete run is measured, kill early in the writing


@dataclass(frozen=True)
class Stored:
    """What the database holds of the import's States (open drafts) and its audit log."""

    cells: dict[tuple[str, str], tuple[str, str, int]]  # (iso3, key) -> mark, remark, version
    editions: int
    last_audit: int


def stored(engine: Engine, states: list[str]) -> Stored:
    with make_session_factory(engine)() as session:
        rows = session.execute(
            select(
                State.iso3, CellDefinition.key, CellEntry.mark, CellEntry.remark, CellEntry.revision
            )
            .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
            .join(State, State.id == MatrixEdition.state_id)
            .join(CellDefinition, CellDefinition.id == CellEntry.cell_id)
            .where(State.iso3.in_(states), MatrixEdition.status != EditionStatus.approved)
        )
        cells = {
            (iso3, key): (mark.value, remark, version) for iso3, key, mark, remark, version in rows
        }
        editions = session.scalar(select(func.count()).select_from(MatrixEdition)) or 0
        last_audit = session.scalar(select(func.max(AuditEvent.id))) or 0
    return Stored(cells=cells, editions=editions, last_audit=last_audit)


def audit_since(engine: Engine, last_id: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    with make_session_factory(engine)() as session:
        return [
            (action, entity_id, after)
            for action, entity_id, after in session.execute(
                select(AuditEvent.action, AuditEvent.entity_id, AuditEvent.after)
                .where(AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
            )
        ]


def write_import(
    path: Path, states: list[str], keys: list[str], mark: str
) -> dict[tuple[str, str], tuple[str, str]]:
    """A CSV that sets every cell of the States to `mark`; returns what it asks for."""
    wanted = {(iso3, key): (mark, f"{mark} for {iso3} {key}") for iso3 in states for key in keys}
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["iso3", "cell", "mark", "remark"])
        writer.writerows([iso3, key, *value] for (iso3, key), value in wanted.items())
    return wanted


def outcome(
    engine: Engine, before: Stored, wanted: dict[tuple[str, str], tuple[str, str]], drafts: int
) -> str:
    """ "nothing" or "all" of the import is stored; anything in between fails the test."""
    after = stored(engine, sorted({iso3 for iso3, _ in wanted}))
    events = audit_since(engine, before.last_audit)
    if after == before and not events:
        return "nothing"
    values = {cell: (mark, remark) for cell, (mark, remark, _) in after.cells.items()}
    assert values == wanted, (
        f"partial import: {sum(values.get(c) == v for c, v in wanted.items())} of {len(wanted)} "
        f"cells stored, {len(events)} audit events"
    )
    assert after.editions == before.editions + drafts
    by_action: dict[str, list[tuple[str, dict[str, Any] | None]]] = {}
    for action, entity_id, data in events:
        by_action.setdefault(action, []).append((entity_id, data))
    assert set(by_action) <= {"cell.import", "edition.import", "edition.open_draft"}
    assert len(by_action.get("edition.open_draft", [])) == drafts
    assert len(by_action["edition.import"]) == len({iso3 for iso3, _ in wanted})
    # One audit event per changed cell, saying exactly what the cell now holds.
    audited = {}
    for entity_id, data in by_action["cell.import"]:
        iso3, _, key = entity_id.split("/", 2)
        assert data is not None
        audited[(iso3, key)] = (data["mark"], data["remark"], data["version"])
    assert audited == after.cells
    return "all"


Wanted = dict[tuple[str, str], tuple[str, str]]
ImportFiles = tuple[list[str], list[Path], list[Wanted]]


@dataclass(frozen=True)
class Rerun:
    cells: int  # changed
    seconds: float


def rerun(engine: Engine, path: Path, *, by_command: bool) -> Rerun:
    """The import again, to the end: by `un1540 import matrix`, or by the function it calls."""
    started = time.monotonic()
    if by_command:
        done = run(engine, "import", "matrix", str(path), "--all")
        assert done.returncode == 0, done.stderr
        found = re.search(
            r"Imported\. (\d+) cell\(s\) and \d+ treaty status\(es\) changed", done.stdout
        )
        assert found, done.stdout
        return Rerun(int(found.group(1)), time.monotonic() - started)
    engine.dispose()  # new connections, as a new process would open
    with make_session_factory(engine)() as session:
        report = import_matrix_file(
            session,
            viewer=system_viewer("cli:tests"),
            content=path.read_bytes(),
            file_name=path.name,
            only=None,
            dry_run=False,
            max_bytes=100_000_000,
        )
    return Rerun(report.changed, time.monotonic() - started)


@pytest.fixture
def import_files(fresh_engine: Engine, tmp_path: Path) -> ImportFiles:
    with make_session_factory(fresh_engine)() as session:
        keys = [cell.key for cell in framework_layout(session, default_framework(session)).cells]
        states = list(session.scalars(select(State.iso3).order_by(State.iso3).limit(STATES)))
    paths = [tmp_path / "all-x.csv", tmp_path / "all-uncertain.csv"]
    wanted = [write_import(paths[0], states, keys, "X"), write_import(paths[1], states, keys, "?")]
    return states, paths, wanted


def test_an_import_killed_anywhere_is_all_or_nothing_and_runs_again(
    fresh_engine: Engine, import_files: ImportFiles, backend: str
) -> None:
    states, paths, wanted = import_files
    chooser = random.Random(f"{SEED}-import-{backend}")
    window = FIRST_WINDOW
    seen: list[str] = []
    point = 0
    # KILLS points; then, should none have landed while the import was writing (a very fast
    # machine), a few more, early in the writing, until one has.
    while point < KILLS or (
        point < KILLS + 3 and not any("while writing -> nothing" in line for line in seen)
    ):
        path, asked = paths[point % 2], wanted[point % 2]
        drafts = len(states) if point == 0 else 0
        before = stored(fresh_engine, states)
        fraction = chooser.uniform(0.0, 1.3) if 0 < point < KILLS else chooser.uniform(0.0, 0.5)
        process = start(fresh_engine, "import", "matrix", str(path), "--all")
        mid_write = False
        if wait_for_write(fresh_engine, process) is not None:
            time.sleep(fraction * window)
            mid_write = writing(fresh_engine)
        kill(process)
        result = outcome(fresh_engine, before, asked, drafts)
        seen.append(
            f"kill {point + 1} ({path.name}): {fraction:.2f} x {window:.2f} s after the first "
            f"write, {'while writing' if mid_write else 'not writing'} -> {result}"
        )
        assert_sound(fresh_engine)
        # The same import again, to the end (timed, for the next kill point): by the command
        # the last time, in process before (the same function, without the start-up's cost).
        middle = stored(fresh_engine, states)
        changed = rerun(fresh_engine, path, by_command=point == KILLS - 1)
        if result == "nothing":
            window = changed.seconds
            assert changed.cells == len(asked)
            assert outcome(fresh_engine, middle, asked, drafts) == "all"
        else:
            assert changed.cells == 0
            assert stored(fresh_engine, states) == middle
        assert_sound(fresh_engine)
        point += 1
    print(f"seed {SEED} ({backend}):", *seen, sep="\n  ")
    assert any("while writing -> nothing" in line for line in seen), seen
