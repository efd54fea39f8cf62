"""The import of a matrix workbook runs a bounded number of SQL statements, whatever the number
of States, rows and cells: every statement is a round trip to PostgreSQL, and statements per row
or per cell made the import of all 193 matrices slow there (issue 14). The audit trail stays
complete: one event per changed cell, one per draft opened and one per State imported."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.io.matrix_export import ExportFormat, export_matrices
from un1540.io.matrix_import import import_matrix_file
from un1540.io.xlsx_layout import FIRST_DATA_ROW
from un1540.models import AuditEvent
from un1540.services.kernel.access import system_viewer

# 48 for every State's workbook today (the benchmark's 193 States as the tests' few): the
# parse issues none, the import a fixed few per step. A statement per row or per cell would be
# hundreds here.
MAX_STATEMENTS = 60
MAX_STATEMENTS_PER_CELL = 0.05


def _changed_workbook(content: bytes) -> tuple[bytes, int]:
    """The export with the first mark of every row changed (X <-> ?)."""
    workbook = load_workbook(io.BytesIO(content))
    changed = 0
    for sheet in workbook.worksheets[1:]:
        for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
            cell = sheet.cell(row=row, column=7)
            if cell.value in ("X", "?", "", None):
                cell.value = "?" if cell.value == "X" else "X"
                changed += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), changed


def test_the_import_of_every_state_runs_a_bounded_number_of_statements(session: Session) -> None:
    workbook = export_matrices(
        session, viewer=system_viewer("test"), iso3=None, fmt=ExportFormat.xlsx
    ).content
    edited, changed_in_file = _changed_workbook(workbook)
    expert = make_user(session, role="expert")
    statements: list[str] = []

    def count(*arguments: object) -> None:
        statements.append(str(arguments[2]))

    events_before = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    connection = session.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        report = import_matrix_file(
            session,
            viewer=expert,
            content=edited,
            file_name="every-state.xlsx",
            only=None,
            dry_run=False,
            max_bytes=50_000_000,
        )
    finally:
        event.remove(connection, "before_cursor_execute", count)
    cells = report.changed + report.unchanged
    assert len(report.states) >= 5  # the tests' demo States with editions
    assert report.changed >= changed_in_file * 0.9 > 100  # a real import, not a no-op
    assert len(statements) <= MAX_STATEMENTS, "\n".join(s.split("\n")[0] for s in statements)
    assert len(statements) / cells < MAX_STATEMENTS_PER_CELL
    # Batched, the audit trail is still one event per changed cell, per draft, per State.
    actions = dict(
        session.execute(
            select(AuditEvent.action, func.count())
            .where(AuditEvent.actor == expert.actor)
            .group_by(AuditEvent.action)
        ).all()
    )
    opened = sum(state.opened_draft for state in report.states)
    assert actions.get("cell.import") == report.changed
    assert actions.get("edition.import") == len(report.states)
    assert actions.get("edition.open_draft") == opened
    events_after = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    assert events_after - events_before == report.changed + len(report.states) + opened + (
        report.treaty_changed
    )
