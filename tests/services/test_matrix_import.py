"""The import writes cells through the cell writer, with its version check."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.errors import Conflict
from un1540.models import AuditEvent, Framework
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import open_draft
from un1540.services.matrix.actions.imports import (
    ImportedCell,
    apply_changes,
    current_cells,
    import_cells,
    plan_changes,
)
from un1540.services.matrix.inputs import CellChange
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.editions import entry_for

CELL = "op2.use:bw:enforcement"


def test_an_import_planned_on_a_stale_version_refuses_naming_the_cell(session: Session) -> None:
    expert = make_user(session, role="expert")
    draft = open_draft(session, viewer=expert, iso3="TCD")
    framework = session.get(Framework, draft.framework_id)
    assert framework is not None
    layout = framework_layout(session, framework)
    cells = [ImportedCell("TCD", CELL, "X", "from the file", "line 2")]
    plan = plan_changes(cells, current_cells(session, draft, layout), layout)
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
        apply_changes(session, expert, state, draft, plan, "file.csv", "")
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
