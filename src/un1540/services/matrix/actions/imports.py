"""Applying an imported matrix file to draft editions: all or nothing, audited, with a dry run.

Every changed cell is written by the same cell writer as an edit (`actions.cells.write_cells`),
with its version check: the import plans each State's changes from the cells' versions it reads
first, then writes each change against that version. A cell changed by someone else between the
plan and the write (another expert saving it meanwhile) refuses the whole import with 409 naming
the cell, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Conflict, InvalidData, Problem
from un1540.models import CellEntry, EditionStatus, MatrixEdition, State
from un1540.schemas.text import FILE_NAME, REASON, REMARK
from un1540.schemas.workflow import CellDifference, CellValue, ImportReport, StateImport
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix import shapes
from un1540.services.matrix.actions.cells import CellWrite, write_cells
from un1540.services.matrix.actions.editions import OPEN_STATUSES, open_draft
from un1540.services.matrix.inputs import CellChange
from un1540.services.matrix.layout import FrameworkLayout
from un1540.services.matrix.reads.history import classify
from un1540.services.matrix.rules import EDITABLE_STATUSES, import_refusal


@dataclass(frozen=True)
class ImportedCell:
    iso3: str
    key: str
    mark: str
    remark: str | None  # None: leave the remark as it is
    where: str


@dataclass(frozen=True)
class CurrentCell:
    """A cell as the import found it: the version its change is written against."""

    entry_id: int  # 0: no edition yet (a draft is opened for the import)
    mark: str
    remark: str
    version: int


@dataclass(frozen=True)
class PlannedChange:
    cell: ImportedCell
    current: CurrentCell
    difference: CellDifference


@dataclass
class _Target:
    state: State
    edition: MatrixEdition | None  # None in a dry run that would open a draft
    based_on: MatrixEdition | None


def _target(
    session: Session, state: State, layout: FrameworkLayout, problems: list[Problem]
) -> _Target:
    open_edition = session.scalars(
        select(MatrixEdition).where(
            MatrixEdition.state_id == state.id, MatrixEdition.status.in_(OPEN_STATUSES)
        )
    ).first()
    if open_edition is not None and open_edition.status not in EDITABLE_STATUSES:
        problems.append(
            Problem(state.iso3, f"edition {open_edition.number} is agreed; reopen it to import")
        )
    base = (
        open_edition
        or session.scalars(
            select(MatrixEdition)
            .where(
                MatrixEdition.state_id == state.id, MatrixEdition.status == EditionStatus.approved
            )
            .order_by(MatrixEdition.number.desc())
            .limit(1)
        ).first()
    )
    if base is not None and base.framework_id != layout.framework_id:
        problems.append(
            Problem(state.iso3, f"the State's edition {base.number} uses another framework version")
        )
    return _Target(state=state, edition=open_edition, based_on=base)


def current_cells(
    session: Session, edition: MatrixEdition | None, layout: FrameworkLayout
) -> dict[str, CurrentCell]:
    """Cell key -> the cell as it is now in an edition; blank cells when there is none yet."""
    if edition is None:
        return {cell.key: CurrentCell(0, "", "", 1) for cell in layout.cells}
    return {
        layout.by_id[cell_id].key: CurrentCell(entry_id, mark.value, remark, revision)
        for entry_id, cell_id, mark, remark, revision in session.execute(
            select(
                CellEntry.id,
                CellEntry.cell_id,
                CellEntry.mark,
                CellEntry.remark,
                CellEntry.revision,
            ).where(CellEntry.edition_id == edition.id)
        )
    }


def plan_changes(
    cells: list[ImportedCell], current: dict[str, CurrentCell], layout: FrameworkLayout
) -> list[PlannedChange]:
    """The imported cells that change something, each with the version it was planned from."""
    found = []
    for cell in cells:
        now = current[cell.key]
        new_remark = now.remark if cell.remark is None else cell.remark
        change = classify((now.mark, now.remark), (cell.mark, new_remark))
        if change is None:
            continue
        info = layout.by_key[cell.key]
        difference = CellDifference(
            cell=cell.key,
            section=info.section_code,
            field=info.field_code,
            field_name=layout.fields[info.field_code].name,
            weapon=info.weapon,
            column=info.column,
            change=change,
            before=CellValue(mark=now.mark, remark=now.remark),
            after=CellValue(mark=cell.mark, remark=new_remark),
        )
        found.append(PlannedChange(cell=cell, current=now, difference=difference))
    return found


def checked_cells(cells: list[ImportedCell], problems: list[Problem]) -> list[ImportedCell]:
    """The cells with their remarks through the text policy (the rule of the API's remark);
    each refusal is named by where the cell is in the file."""
    checked = []
    for cell in cells:
        if cell.remark is not None:
            found: list[Problem] = []
            remark = REMARK.check(cell.remark, cell.where, found)
            problems += [Problem(p.where, f"the remark {p.message}") for p in found]
            cell = replace(cell, remark=remark)
        checked.append(cell)
    return checked


@action
def import_cells(
    session: Session,
    *,
    viewer: Viewer,
    cells: list[ImportedCell],
    layout: FrameworkLayout,
    file_name: str,
    only: str | None = None,
    dry_run: bool = False,
    reason: str = "",
    edition: int | None = None,
) -> ImportReport:
    """Put the file's cells into each State's open draft (opening one if needed); nothing is written
    if anything is wrong, or in a dry run."""
    refusal = import_refusal(viewer)
    if refusal is not None:
        raise refusal
    problems: list[Problem] = []
    file_name = FILE_NAME.check(file_name, "file name", problems)
    reason = REASON.check(reason, "reason", problems)
    cells = checked_cells(cells, problems)
    by_state: dict[str, list[ImportedCell]] = {}
    for cell in cells:
        by_state.setdefault(cell.iso3, []).append(cell)
    if only is not None:
        problems += [
            Problem(
                rows[0].where,
                f"the file holds {len(rows)} cells of {iso3}; this import is for "
                f"{only.upper()} only",
            )
            for iso3, rows in by_state.items()
            if iso3 != only.upper()
        ]
    states = {
        s.iso3: s for s in session.scalars(select(State).where(State.iso3.in_(list(by_state))))
    }
    targets = {iso3: _target(session, states[iso3], layout, problems) for iso3 in sorted(by_state)}
    if edition is not None:
        for target in targets.values():
            if target.edition is None or target.edition.number != edition:
                problems.append(
                    Problem(target.state.iso3, f"edition {edition} is not the State's open draft")
                )
    if problems:
        raise InvalidData("the file was not imported; nothing was written", problems=problems)
    reports, total_changed, total_unchanged = [], 0, 0
    for iso3, target in targets.items():
        opened = target.edition is None
        if opened and not dry_run:
            target.edition = open_draft(
                session, viewer=viewer, iso3=iso3, reason=f"import of {file_name}"
            )
        current = current_cells(session, target.edition or target.based_on, layout)
        changes = plan_changes(by_state[iso3], current, layout)
        if not dry_run and changes:
            assert target.edition is not None
            apply_changes(session, viewer, target.state, target.edition, changes, file_name, reason)
        number = (
            target.edition.number
            if target.edition
            else (target.based_on.number + 1 if target.based_on else 1)
        )
        unchanged = len(by_state[iso3]) - len(changes)
        total_changed, total_unchanged = total_changed + len(changes), total_unchanged + unchanged
        reports.append(
            StateImport(
                state=shapes.state_ref(target.state),
                edition=number,
                opened_draft=opened,
                changes=[c.difference for c in changes],
                unchanged=unchanged,
            )
        )
    return ImportReport(
        **envelope(False),
        dry_run=dry_run,
        file=file_name,
        states=reports,
        changed=total_changed,
        unchanged=total_unchanged,
    )


@action
def apply_changes(
    session: Session,
    viewer: Viewer,
    state: State,
    edition: MatrixEdition,
    changes: list[PlannedChange],
    file_name: str,
    reason: str,
) -> None:
    """Write the planned changes to the draft through the cell writer, each against its version
    (one batch per State: a whole matrix is a few statements, not a few per cell)."""
    writes = []
    for planned in changes:
        after = planned.difference.after
        assert after is not None  # an imported cell always says what it becomes
        writes.append(
            CellWrite(
                entry_id=planned.current.entry_id,
                change=CellChange(
                    mark=after.mark, remark=after.remark, version=planned.current.version
                ),
                reason=reason or f"imported from {file_name} ({planned.cell.where})",
            )
        )
    try:
        write_cells(
            session,
            edition=edition,
            state=state,
            writes=writes,
            actor=viewer.actor,
            audit_action="cell.import",
        )
    except Conflict as stale:
        key = stale.details.get("cell") if stale.details else None
        where = next((c.cell.where for c in changes if c.cell.key == key), "")
        raise Conflict(
            f"{state.iso3} cell {key} ({where}) was changed by someone else since the import "
            f"read it; nothing was imported",
            details=stale.details,
        ) from stale
    record_event(
        session,
        actor=viewer.actor,
        action="edition.import",
        entity_type="matrix_edition",
        entity_id=f"{state.iso3}/{edition.number}",
        reason=reason,
        after={"file": file_name, "changed": len(changes)},
    )
