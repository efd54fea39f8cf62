"""Applying an imported matrix file to draft editions: all or nothing, audited, with a dry run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem
from un1540.models import CellEntry, EditionStatus, MatrixEdition, Role, State
from un1540.schemas.matrix import StateRef
from un1540.schemas.workflow import CellDifference, CellValue, ImportReport, StateImport
from un1540.services.kernel.access import Viewer, require
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.envelope import envelope
from un1540.services.matrix.editions import MARK_VALUES
from un1540.services.matrix.frameworks import FrameworkLayout
from un1540.services.matrix.history import classify
from un1540.services.matrix.workflow import open_draft


@dataclass(frozen=True)
class ImportedCell:
    iso3: str
    key: str
    mark: str
    remark: str | None  # None: leave the remark as it is
    where: str


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
            MatrixEdition.state_id == state.id,
            MatrixEdition.status.in_(
                [EditionStatus.draft, EditionStatus.shared, EditionStatus.agreed]
            ),
        )
    ).first()
    if open_edition is not None and open_edition.status is EditionStatus.agreed:
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


def _current(
    session: Session, edition: MatrixEdition | None, layout: FrameworkLayout
) -> dict[str, tuple[int, str, str]]:
    """Cell key -> (entry id, mark, remark) of an edition; blank cells when there is none yet."""
    if edition is None:
        return {cell.key: (0, "", "") for cell in layout.cells}
    return {
        layout.by_id[cell_id].key: (entry_id, mark.value, remark)
        for entry_id, cell_id, mark, remark in session.execute(
            select(CellEntry.id, CellEntry.cell_id, CellEntry.mark, CellEntry.remark).where(
                CellEntry.edition_id == edition.id
            )
        )
    }


def _changes(
    cells: list[ImportedCell], current: dict[str, tuple[int, str, str]], layout: FrameworkLayout
) -> list[tuple[ImportedCell, CellDifference]]:
    found = []
    for cell in cells:
        _, mark, remark = current[cell.key]
        new_remark = remark if cell.remark is None else cell.remark
        change = classify((mark, remark), (cell.mark, new_remark))
        if change is None:
            continue
        info = layout.by_key[cell.key]
        found.append(
            (
                cell,
                CellDifference(
                    cell=cell.key,
                    section=info.section_code,
                    field=info.field_code,
                    field_name=layout.fields[info.field_code].name,
                    weapon=info.weapon,
                    column=info.column,
                    change=change,
                    before=CellValue(mark=mark, remark=remark),
                    after=CellValue(mark=cell.mark, remark=new_remark),
                ),
            )
        )
    return found


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
    require(viewer, Role.expert, action="import matrices")
    by_state: dict[str, list[ImportedCell]] = {}
    for cell in cells:
        by_state.setdefault(cell.iso3, []).append(cell)
    problems: list[Problem] = []
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
        current = _current(session, target.edition or target.based_on, layout)
        changes = _changes(by_state[iso3], current, layout)
        if not dry_run and changes:
            assert target.edition is not None
            _apply(
                session, viewer, target.state, target.edition, changes, current, file_name, reason
            )
        number = (
            target.edition.number
            if target.edition
            else (target.based_on.number + 1 if target.based_on else 1)
        )
        unchanged = len(by_state[iso3]) - len(changes)
        total_changed, total_unchanged = total_changed + len(changes), total_unchanged + unchanged
        reports.append(
            StateImport(
                state=StateRef(iso3=iso3, name=target.state.short_name),
                edition=number,
                opened_draft=opened,
                changes=[d for _, d in changes],
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


def _apply(
    session: Session,
    viewer: Viewer,
    state: State,
    edition: MatrixEdition,
    changes: list[tuple[ImportedCell, CellDifference]],
    current: dict[str, tuple[int, str, str]],
    file_name: str,
    reason: str,
) -> None:
    rows = [
        {
            "entry_id": current[cell.key][0],
            "new_mark": MARK_VALUES[cell.mark],
            "new_remark": difference.after.remark if difference.after else "",
        }
        for cell, difference in changes
    ]
    # A Core statement on the table: one UPDATE for every changed cell (executemany).
    table = cast(Table, CellEntry.__table__)
    session.execute(
        update(table)
        .where(table.c.id == bindparam("entry_id"))
        .values(
            mark=bindparam("new_mark"),
            remark=bindparam("new_remark"),
            revision=table.c.revision + 1,
        ),
        rows,
    )
    edition.revision += 1
    for cell, difference in changes:
        record_event(
            session,
            actor=viewer.actor,
            action="cell.import",
            entity_type="cell_entry",
            entity_id=f"{state.iso3}/{edition.number}/{cell.key}",
            before=difference.before.model_dump() if difference.before else None,
            after=difference.after.model_dump() if difference.after else None,
            reason=reason or f"imported from {file_name} ({cell.where})",
        )
    record_event(
        session,
        actor=viewer.actor,
        action="edition.import",
        entity_type="matrix_edition",
        entity_id=f"{state.iso3}/{edition.number}",
        reason=reason,
        after={"file": file_name, "changed": len(changes)},
    )
