"""Two experts edit the same cell at the same time on PostgreSQL: one wins, the other gets 409."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.conftest import DatabaseFactory
from tests.factories import make_user
from tests.pg_cluster import TemporaryCluster
from un1540.db.engine import make_session_factory
from un1540.errors import Conflict
from un1540.services.kernel.access import Viewer
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import open_draft
from un1540.services.matrix.inputs import CellChange
from un1540.services.matrix.reads.editions import entry_for, find_edition

CELL = "op2.use:bw:enforcement"


@pytest.fixture
def postgresql_engine(
    postgresql_cluster: TemporaryCluster | None, tmp_path: Path
) -> Iterator[Engine]:
    if postgresql_cluster is None:
        pytest.skip("UN1540_TEST_POSTGRESQL_URL points at a single database")
    # A real database, not the rolled-back test connection: the race needs two connections,
    # each with its own transaction, that see each other's commits.
    engine = DatabaseFactory("postgresql", postgresql_cluster, tmp_path).create(demo=False)
    yield engine
    engine.dispose()


def test_a_stale_concurrent_edit_is_refused_not_lost(postgresql_engine: Engine) -> None:
    sessions = make_session_factory(postgresql_engine)
    with sessions() as session, session.begin():
        expert: Viewer = make_user(session, role="expert")
        number = open_draft(session, viewer=expert, iso3="TCD").number
    with sessions() as session:
        _, edition = find_edition(session, viewer=expert, iso3="TCD", number=number)
        version = entry_for(session, edition, CELL).revision

    first_updated = threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        with sessions() as session:
            update_cell(
                session,
                viewer=expert,
                iso3="TCD",
                number=number,
                cell_key=CELL,
                change=CellChange(mark="X", remark="first", version=version),
            )
            first_updated.set()
            time.sleep(0.5)  # hold the row lock while the second edit arrives
            session.commit()
            outcome["first"] = "committed"

    def second() -> None:
        first_updated.wait(timeout=10)
        with sessions() as session:
            try:
                update_cell(
                    session,
                    viewer=expert,
                    iso3="TCD",
                    number=number,
                    cell_key=CELL,
                    change=CellChange(mark="?", remark="second", version=version),
                )
                session.commit()
                outcome["second"] = "committed"
            except Conflict as error:
                session.rollback()
                outcome["second"] = error

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcome["first"] == "committed"
    conflict = outcome["second"]
    assert isinstance(conflict, Conflict)
    assert conflict.details is not None
    assert conflict.details["current"]["remark"] == "first"
    assert conflict.details["yours"]["remark"] == "second"
    assert time.monotonic() - started >= 0.5  # the second edit really waited for the first
    with Session(postgresql_engine) as session:
        _, edition = find_edition(session, viewer=expert, iso3="TCD", number=number)
        entry = entry_for(session, edition, CELL)
        assert (entry.mark.value, entry.remark, entry.revision) == ("X", "first", version + 1)
