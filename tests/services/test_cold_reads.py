"""Reads right after a write (issue 13, Performance; issue 14 items 1-2): what a write outdates,
and the costly reads computed once and shared.

- an edit of a draft's cell raises its State's scope only: the aggregates (the States list, the
  review, coverage) stay warm; an approval still outdates them;
- the review page's body is computed once however many readers ask at once, and served from
  the cache after a draft's edit;
- the action plans' matrix progress reads the cells of two editions once per data version;
- who does what where is shared only by readers who may see the same records.

The cache is the process's own (kernel/cache.py); every key names its database.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_edition, make_user
from un1540.db.engine import make_session_factory
from un1540.io import review_report
from un1540.models import Role, State
from un1540.services.action_plans.progress import approved_editions, marked_pairs
from un1540.services.assistance.reads.overview import who_what_where
from un1540.services.kernel.access import PUBLIC, Viewer, viewer_identity
from un1540.services.kernel.cache import CACHE
from un1540.services.kernel.data_version import GLOBAL, MATRIX, current_versions, state_scope
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import open_draft
from un1540.services.matrix.inputs import CellChange
from un1540.services.matrix.reads.editions import entry_for
from un1540.services.matrix.reads.states import list_states

CELL = "op2.manufacture:cw:legal_framework"
LISTING = ("list_states", "name", False, "en", PUBLIC.cache_key)


def _versions(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return dict(current_versions(session).values)


def _raised(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {scope for scope, version in after.items() if version != before.get(scope, 0)}


def test_a_draft_cell_edit_outdates_its_state_and_leaves_the_aggregates_warm(
    sessions: sessionmaker[Session], engine: Engine
) -> None:
    database = str(engine.url)
    with sessions() as session:
        expert = make_user(session, role="expert")
        draft = open_draft(session, viewer=expert, iso3="FRA")
        number, version = draft.number, entry_for(session, draft, CELL).revision
        listed = list_states(session, viewer=PUBLIC)
    held = CACHE.entries(database)[LISTING]

    before = _versions(sessions)
    with sessions() as session:
        update_cell(
            session,
            viewer=expert,
            iso3="FRA",
            number=number,
            cell_key=CELL,
            change=CellChange(mark="?", remark="speed7", version=version),
            reason="an expert's edit",
        )
    assert _raised(before, _versions(sessions)) == {state_scope("FRA"), GLOBAL}

    hits = CACHE.counts["hits"]
    with sessions() as session:
        assert list_states(session, viewer=PUBLIC) is listed  # the same value, not recomputed
    assert CACHE.counts["hits"] > hits
    assert CACHE.entries(database)[LISTING] == held

    # An approval is counted across States: the list is computed again and shows it.
    tcd = next(item for item in listed.items if item.iso3 == "TCD")
    with sessions() as session:
        make_edition(session, iso3="TCD", approved_on=date(2026, 1, 2))
    with sessions() as session:
        again = list_states(session, viewer=PUBLIC)
    assert again is not listed
    assert next(item for item in again.items if item.iso3 == "TCD").editions == tcd.editions + 1
    assert CACHE.entries(database)[LISTING][MATRIX] > held[MATRIX]


def test_the_review_page_is_computed_once_for_readers_arriving_together(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    readers, calls = 6, []
    computing = review_report.review_statistics

    def counted(session: Session, **arguments: Any) -> Any:
        calls.append(threading.get_ident())
        time.sleep(0.3)  # long enough for every reader to arrive while it computes
        return computing(session, **arguments)

    monkeypatch.setattr(review_report, "review_statistics", counted)
    sessions = make_session_factory(engine)
    period = {"start": date(2012, 3, 1), "end": date(2014, 3, 1)}  # a key no other test asks

    def read(_: int) -> tuple[str, bool]:
        with sessions() as session:
            return review_report.review_page_body(
                session, **period, language="en", locale="en", translations=None, label=_label
            )

    with ThreadPoolExecutor(readers) as pool:
        bodies = list(pool.map(read, range(readers)))
    assert len(calls) == 1
    assert all(body == bodies[0] for body in bodies)
    assert "<img" in bodies[0][0]  # the charts, as images (the portal's CSP)
    assert read(0) == bodies[0]
    assert len(calls) == 1  # served from the cache


def _label(dimension: str, key: str, fallback: str) -> str:
    return fallback


def test_the_action_plans_progress_reads_the_cells_once_per_version(
    session: Session,
) -> None:
    state_ids = list(session.scalars(State.__table__.select().with_only_columns(State.id)))
    editions = [
        ref for refs in approved_editions(session, PUBLIC, state_ids).values() for ref in refs
    ]
    chosen = editions[:6]
    statements: list[str] = []

    def count(*arguments: Any) -> None:
        statements.append(str(arguments[2]))

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        first = marked_pairs(session, PUBLIC, chosen)
        read_cells = sum("cell_entry" in statement for statement in statements)
        second = marked_pairs(session, PUBLIC, chosen)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert read_cells == 1
    assert sum("cell_entry" in statement for statement in statements) == 1  # not again
    assert second == first
    assert set(first) == {ref.id for ref in chosen}
    assert any(first.values())  # the demo's approved editions mark measures


def test_who_does_what_where_is_shared_only_by_readers_who_see_the_same(
    session: Session, engine: Engine
) -> None:
    public = who_what_where(session, viewer=PUBLIC)
    assert who_what_where(session, viewer=PUBLIC) is public  # computed once, then served
    one = Viewer(role=Role.provider, user_id=1, organisation_id=1)
    other = Viewer(role=Role.provider, user_id=2, organisation_id=2)
    assert one.cache_key == other.cache_key  # the matrix's key would not tell them apart
    assert who_what_where(session, viewer=one) is not who_what_where(session, viewer=other)
    keys = [key for key in CACHE.entries(str(engine.url)) if key[0] == "who_what_where"]
    assert {key[-1] for key in keys} >= {
        viewer_identity(PUBLIC),
        viewer_identity(one),
        viewer_identity(other),
    }
