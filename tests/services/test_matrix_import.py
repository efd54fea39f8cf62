"""The import writes cells through the cell writer, with its version check."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.errors import Conflict
from un1540.models import AuditEvent, Framework
from un1540.schemas.workflow import ImportReport
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import open_draft
from un1540.services.matrix.actions.imports import (
    ImportedCell,
    ImportTarget,
    apply_changes,
    current_cells,
    import_cells,
    plan_changes,
)
from un1540.services.matrix.inputs import CellChange
from un1540.services.matrix.layout import FrameworkLayout, framework_layout
from un1540.services.matrix.reads.editions import entry_for

CELL = "op2.use:bw:enforcement"


def test_an_import_planned_on_a_stale_version_refuses_naming_the_cell(session: Session) -> None:
    expert = make_user(session, role="expert")
    draft = open_draft(session, viewer=expert, iso3="TCD")
    framework = session.get(Framework, draft.framework_id)
    assert framework is not None
    layout = framework_layout(session, framework)
    cells = [ImportedCell("TCD", CELL, "X", "from the file", "line 2")]
    plan = plan_changes(cells, current_cells(session, [draft], layout)[0], layout)
    assert [change.current.version for change in plan] == [1]
    # Someone saves the cell between the import's reading and its writing.
    update_cell(
        session,
        viewer=expert,
        iso3="TCD",
        number=draft.number,
        cell_key=CELL,
        change=CellChange(mark="?", remark="meanwhile", version=1),
    )
    state = state_by_iso3(session, "TCD")
    with pytest.raises(Conflict, match=rf"TCD cell {CELL} \(line 2\) was changed by someone else"):
        apply_changes(session, expert, [(ImportTarget(state, draft, None), plan)], "file.csv", "")
    entry = entry_for(session, draft, CELL)
    assert (entry.mark.value, entry.remark, entry.revision) == ("?", "meanwhile", 2)


def test_an_imported_cell_is_written_and_audited_like_an_edit(session: Session) -> None:
    expert = make_user(session, role="expert")
    draft = open_draft(session, viewer=expert, iso3="TCD")
    framework = session.get(Framework, draft.framework_id)
    assert framework is not None
    layout = framework_layout(session, framework)
    report = import_cells(
        session,
        viewer=expert,
        cells=[ImportedCell("TCD", CELL, "X", "Act 12", "line 2")],
        layout=layout,
        file_name="file.csv",
        only="TCD",
        edition=draft.number,
    )
    assert report.changed == 1
    entry = entry_for(session, draft, CELL)
    assert (entry.mark.value, entry.remark, entry.revision) == ("X", "Act 12", 2)
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "cell.import",
            AuditEvent.entity_id == f"TCD/{draft.number}/{CELL}",
        )
    ).one()
    assert event.before is not None
    assert event.after is not None
    assert (event.before["version"], event.after["version"]) == (1, 2)
    assert event.after["mark"] == "X"
    assert event.reason == "imported from file.csv (line 2)"


def _many_cells(layout: FrameworkLayout, count: int) -> list[ImportedCell]:
    return [
        ImportedCell("TCD", cell.key, "X", f"Act {index}", f"line {index + 2}")
        for index, cell in enumerate(layout.cells[:count])
    ]


def _statements(session: Session, work: Callable[[], object]) -> int:
    seen: list[str] = []

    def count(*arguments: object) -> None:
        seen.append(str(arguments[2]))

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(connection, "before_cursor_execute", count)
    return len(seen)


def test_an_import_writes_a_state_in_the_same_few_statements_for_3_cells_or_300(
    session: Session,
) -> None:
    expert = make_user(session, role="expert")
    counts = {}
    for iso3, size in (("TCD", 3), ("NER", 300)):
        draft = open_draft(session, viewer=expert, iso3=iso3)
        framework = session.get(Framework, draft.framework_id)
        assert framework is not None
        layout = framework_layout(session, framework)
        cells = [
            ImportedCell(iso3, c.key, c.mark, c.remark, c.where) for c in _many_cells(layout, size)
        ]
        plan = plan_changes(cells, current_cells(session, [draft], layout)[0], layout)
        changed = list(plan)
        state = state_by_iso3(session, iso3)
        counts[size] = (
            len(changed),
            _statements(
                session,
                lambda: apply_changes(
                    session,
                    expert,
                    [(ImportTarget(state, draft, None), changed)],  # noqa: B023
                    "file.csv",
                    "",
                ),
            ),
        )
    assert counts[3][0] == 3
    assert counts[300][0] > 250  # most of the 300 cells really change
    assert counts[300][1] == counts[3][1]  # one batch per State, not statements per cell


def test_one_stale_cell_among_many_refuses_the_whole_batch_naming_that_cell(
    session: Session,
) -> None:
    expert = make_user(session, role="expert")
    draft = open_draft(session, viewer=expert, iso3="TCD")
    framework = session.get(Framework, draft.framework_id)
    assert framework is not None
    layout = framework_layout(session, framework)
    plan = plan_changes(_many_cells(layout, 40), current_cells(session, [draft], layout)[0], layout)
    stale = plan[len(plan) // 2].cell
    update_cell(
        session,
        viewer=expert,
        iso3="TCD",
        number=draft.number,
        cell_key=stale.key,
        change=CellChange(mark="?", remark="meanwhile", version=1),
    )
    state = state_by_iso3(session, "TCD")
    with pytest.raises(Conflict, match=rf"TCD cell {stale.key} \({stale.where}\)") as refused:
        apply_changes(session, expert, [(ImportTarget(state, draft, None), plan)], "file.csv", "")
    assert refused.value.details is not None
    assert refused.value.details["current"]["remark"] == "meanwhile"
    # The action rolled back: none of the other cells was written either.
    for planned in plan:
        if planned.cell.key != stale.key:
            entry = entry_for(session, draft, planned.cell.key)
            assert entry.revision == 1, planned.cell.key


def test_an_import_of_many_states_takes_the_statements_of_one(session: Session) -> None:
    """Every State of a file is imported in the same few statements (drafts opened, cells read
    and written, audited, all batched): a statement is a round trip to PostgreSQL, and one per
    State made the import of all 193 matrices twice as slow there as on SQLite."""
    expert = make_user(session, role="expert")
    framework = session.scalars(select(Framework).where(Framework.is_default)).one()
    layout = framework_layout(session, framework)
    counts: dict[int, int] = {}
    reports: dict[int, ImportReport] = {}
    # Each time States with a demo edition (copied into the draft) and States without (blank).
    for states in (["TCD", "FRA"], ["NER", "MLI", "BRA", "CHN", "POL", "USA"]):
        cells = [
            ImportedCell(iso3, c.key, c.mark, c.remark, c.where)
            for iso3 in states
            for c in _many_cells(layout, 30)
        ]

        def run(cells: list[ImportedCell] = cells, size: int = len(states)) -> None:
            reports[size] = import_cells(
                session, viewer=expert, cells=cells, layout=layout, file_name="file.csv"
            )

        counts[len(states)] = _statements(session, run)
    assert [len(report.states) for report in reports.values()] == [2, 6]
    assert all(state.opened_draft for report in reports.values() for state in report.states)
    assert reports[6].changed >= 6 * 20  # most of the 30 cells of each State change
    for iso3 in ("NER", "MLI", "BRA", "CHN", "POL", "USA"):
        events = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_id.like(f"{iso3}/%"))
        ).all()
        assert events.count("edition.open_draft") == 1
        assert events.count("edition.import") == 1
        report = next(found for found in reports[6].states if found.state.iso3 == iso3)
        assert events.count("cell.import") == len(report.changes)
    assert counts[6] == counts[2], counts
