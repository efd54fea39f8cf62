"""Applying an imported matrix file to draft editions: all or nothing, audited, with a dry run.

Every changed cell is written by the same cell writer as an edit (`actions.cells.write_cells`),
with its version check: the import plans each State's changes from the cells' versions it reads
first, then writes each change against that version. A cell changed by someone else between the
plan and the write (another expert saving it meanwhile) refuses the whole import with 409 naming
the cell, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from un1540.errors import Conflict, InvalidData, Problem, text
from un1540.models import CellEntry, MatrixEdition, State
from un1540.reference.languages import N_
from un1540.schemas.matrix import TreatyStatusInput
from un1540.schemas.text import FILE_NAME, REASON, REMARK
from un1540.schemas.workflow import (
    CellDifference,
    CellValue,
    ImportReport,
    StateImport,
    TreatyChange,
)
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import AuditRecord, record_events
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix import shapes
from un1540.services.matrix.actions.cells import (
    CellWrite,
    EditionWrites,
    StaleCell,
    write_cells_many,
)
from un1540.services.matrix.actions.claims import hold_editions
from un1540.services.matrix.actions.editions import (
    latest_approved,
    open_drafts,
    open_editions,
)
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
    # OP1 treaty fields: the treaty status the file gives (already checked against the
    # instrument, see io/matrix_import.py); TREATY_CLEARED: the file has the treaty columns and
    # leaves them empty, so the recorded status is cleared; None: leave it as it is (a file
    # without the treaty columns, or a cell that is not a treaty).
    treaty: TreatyStatusInput | TreatyCleared | None = None


class TreatyCleared:
    """The file clears the cell's treaty status (see ImportedCell.treaty)."""

    def __repr__(self) -> str:
        return "TREATY_CLEARED"


TREATY_CLEARED = TreatyCleared()


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
class ImportTarget:
    state: State
    edition: MatrixEdition | None  # None in a dry run that would open a draft
    based_on: MatrixEdition | None


def _targets(
    session: Session, states: list[State], layout: FrameworkLayout, problems: list[Problem]
) -> dict[str, ImportTarget]:
    """Each State's open edition and the edition its cells are read from, in two queries."""
    ids = [state.id for state in states]
    open_by_state, approved = open_editions(session, ids), latest_approved(session, ids)
    targets = {}
    for state in sorted(states, key=lambda state: state.iso3):
        open_edition = open_by_state.get(state.id)
        if open_edition is not None and open_edition.status not in EDITABLE_STATUSES:
            problems.append(
                Problem(
                    state.iso3,
                    text(
                        N_("edition %(number)s is agreed; reopen it to import"),
                        number=open_edition.number,
                    ),
                )
            )
        base = open_edition or approved.get(state.id)
        if base is not None and base.framework_id != layout.framework_id:
            problems.append(
                Problem(
                    state.iso3,
                    text(
                        N_("the State's edition %(number)s uses another framework version"),
                        number=base.number,
                    ),
                )
            )
        targets[state.iso3] = ImportTarget(state=state, edition=open_edition, based_on=base)
    return targets


def current_cells(
    session: Session, editions: list[MatrixEdition | None], layout: FrameworkLayout
) -> list[dict[str, CurrentCell]]:
    """For each edition, cell key -> the cell as it is now in it; blank cells for None (no
    edition yet). One query for all the editions."""
    found: dict[int, dict[str, CurrentCell]] = {
        edition.id: {} for edition in editions if edition is not None
    }
    if found:
        for entry_id, edition_id, cell_id, mark, remark, revision in session.execute(
            select(
                CellEntry.id,
                CellEntry.edition_id,
                CellEntry.cell_id,
                CellEntry.mark,
                CellEntry.remark,
                CellEntry.revision,
            ).where(CellEntry.edition_id.in_(list(found)))
        ):
            found[edition_id][layout.by_id[cell_id].key] = CurrentCell(
                entry_id, mark.value, remark, revision
            )
    blank = {cell.key: CurrentCell(0, "", "", 1) for cell in layout.cells}
    return [blank if edition is None else found[edition.id] for edition in editions]


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
            reconstructed=not layout.fields[info.field_code].verified,
            before=CellValue(mark=now.mark, remark=now.remark),
            after=CellValue(mark=cell.mark, remark=new_remark),
        )
        found.append(PlannedChange(cell=cell, current=now, difference=difference))
    return found


def checked_cells(cells: list[ImportedCell], problems: list[Problem]) -> list[ImportedCell]:
    """The cells with their remarks through the text policy (the rule of the API's remark);
    each refusal is named by where the cell is in the file."""
    checked = []
    seen: dict[str, tuple[str, list[str]]] = {}  # each distinct remark is checked once
    for cell in cells:
        if cell.remark is not None:
            if cell.remark not in seen:
                found: list[Problem] = []
                seen[cell.remark] = (
                    REMARK.check(cell.remark, "", found),
                    [problem.message for problem in found],
                )
            remark, messages = seen[cell.remark]
            problems += [
                Problem(cell.where, text(N_("the remark %(message)s"), message=message))
                for message in messages
            ]
            if remark != cell.remark:  # a copy only when the policy changed it (rare)
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
                text(
                    N_(
                        "the file holds %(count)s cells of %(iso3)s; this import is for "
                        "%(upper)s only"
                    ),
                    count=len(rows),
                    iso3=iso3,
                    upper=only.upper(),
                ),
            )
            for iso3, rows in by_state.items()
            if iso3 != only.upper()
        ]
    states = list(session.scalars(select(State).where(State.iso3.in_(list(by_state)))))
    targets = _targets(session, states, layout, problems)
    if edition is not None:
        for target in targets.values():
            if target.edition is None or target.edition.number != edition:
                problems.append(
                    Problem(
                        target.state.iso3,
                        text(
                            N_("edition %(edition)s is not the State's open draft"),
                            edition=edition,
                        ),
                    )
                )
    if problems:
        raise InvalidData(N_("the file was not imported; nothing was written"), problems=problems)
    # Every State at once: a few statements in all, not a few per State (each statement is a
    # round trip to PostgreSQL).
    opening = [target for target in targets.values() if target.edition is None]
    if opening and not dry_run:
        opened_editions = open_drafts(
            session,
            viewer=viewer,
            drafts=[(target.state, target.based_on) for target in opening],
            reason=f"import of {file_name}",
        )
        for target, opened_edition in zip(opening, opened_editions, strict=True):
            target.edition = opened_edition
    opened_states = {target.state.iso3 for target in opening}
    currents = current_cells(
        session, [target.edition or target.based_on for target in targets.values()], layout
    )
    planned = {
        iso3: plan_changes(by_state[iso3], current, layout)
        for (iso3, target), current in zip(targets.items(), currents, strict=True)
    }
    treaty_plans = plan_treaties(
        session,
        {
            iso3: [(current[cell.key].entry_id, cell) for cell in by_state[iso3] if cell.treaty]
            for (iso3, _), current in zip(targets.items(), currents, strict=True)
        },
    )
    if not dry_run:
        apply_changes(
            session,
            viewer,
            [(target, planned[iso3]) for iso3, target in targets.items() if planned[iso3]],
            file_name,
            reason,
        )
        apply_treaties(session, viewer, targets, treaty_plans, file_name, reason)
    reports, total_changed, total_unchanged = [], 0, 0
    for iso3, target in targets.items():
        changes = planned[iso3]
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
                opened_draft=iso3 in opened_states,
                changes=[c.difference for c in changes],
                unchanged=unchanged,
                treaty_changes=[
                    TreatyChange(
                        cell=plan.cell.key,
                        before=_treaty_json(plan.before),
                        after=_treaty_json(plan.after),
                    )
                    for plan in treaty_plans.get(iso3, [])
                ],
            )
        )
    return ImportReport(
        **envelope(False),
        dry_run=dry_run,
        file=file_name,
        states=reports,
        changed=total_changed,
        unchanged=total_unchanged,
        treaty_changed=sum(len(plans) for plans in treaty_plans.values()),
    )


TREATY_VALUES = ("treaty_status", "signed_on", "status_on", "asserted_by")
NO_TREATY: tuple[object, ...] = (None, None, None, None)


@dataclass(frozen=True)
class TreatyPlan:
    """One OP1 treaty cell whose recorded status the import sets or clears."""

    entry_id: int  # 0: no edition yet (a dry run that would open the State's first draft)
    cell: ImportedCell
    before: tuple[object, ...]
    after: tuple[object, ...]


def plan_treaties(
    session: Session, treaties: dict[str, list[tuple[int, ImportedCell]]]
) -> dict[str, list[TreatyPlan]]:
    """For each State, the treaty cells whose status the file changes (set, replaced or
    cleared); a cell already as the file says is left out. One query for all the States."""
    ids = [entry_id for rows in treaties.values() for entry_id, _ in rows if entry_id]
    columns = [getattr(CellEntry, name) for name in TREATY_VALUES]
    now = (
        {
            row[0]: tuple(row[1:])
            for row in session.execute(select(CellEntry.id, *columns).where(CellEntry.id.in_(ids)))
        }
        if ids
        else {}
    )
    plans: dict[str, list[TreatyPlan]] = {}
    for iso3, rows in treaties.items():
        for entry_id, cell in rows:
            treaty = cell.treaty
            wanted = (
                (treaty.status, treaty.signed_on, treaty.status_on, treaty.asserted_by)
                if isinstance(treaty, TreatyStatusInput)
                else NO_TREATY
            )
            before = now.get(entry_id, NO_TREATY)
            if before != wanted:
                plans.setdefault(iso3, []).append(TreatyPlan(entry_id, cell, before, wanted))
    return plans


def apply_treaties(
    session: Session,
    viewer: Viewer,
    targets: dict[str, ImportTarget],
    plans: dict[str, list[TreatyPlan]],
    file_name: str,
    reason: str,
) -> None:
    """Write each planned treaty status (set, replaced or cleared), audited like an edit
    (`cell.treaty_status`). The drafts are open by now, so every entry id is real."""
    # Claimed like a cell write (claims.py): an edition approved meanwhile refuses the import.
    held = [(targets[iso3].state, targets[iso3].edition, 0) for iso3, rows in plans.items() if rows]
    hold_editions(session, [(state, edition, n) for state, edition, n in held if edition])
    records = []
    for iso3, rows in plans.items():
        edition = targets[iso3].edition
        assert edition is not None  # opened before the changes are applied
        for plan in rows:
            assert plan.entry_id  # see above
            session.execute(
                update(CellEntry)
                .where(CellEntry.id == plan.entry_id)
                .values(
                    {
                        **dict(zip(TREATY_VALUES, plan.after, strict=True)),
                        "revision": CellEntry.revision + 1,
                    }
                )
            )
            records.append(
                AuditRecord(
                    actor=viewer.actor,
                    action="cell.treaty_status",
                    entity_type="cell_entry",
                    entity_id=f"{iso3}/{edition.number}/{plan.cell.key}",
                    before=_treaty_json(plan.before),
                    after=_treaty_json(plan.after),
                    reason=reason or f"imported from {file_name} ({plan.cell.where})",
                )
            )
    record_events(session, records)


def _treaty_json(values: tuple[object, ...]) -> dict[str, str | None] | None:
    """A treaty status as JSON; None when there is none."""
    if values[0] is None:
        return None
    names = ("status", "signed_on", "status_on", "asserted_by")
    return {
        name: None
        if value is None
        else (value.isoformat() if isinstance(value, date) else str(value))
        for name, value in zip(names, values, strict=True)
    }


@action
def apply_changes(
    session: Session,
    viewer: Viewer,
    targets: list[tuple[ImportTarget, list[PlannedChange]]],
    file_name: str,
    reason: str,
) -> None:
    """Write the planned changes to the drafts through the cell writer, each against its version
    (one batch for every State: the whole import is a few statements, not a few per cell or per
    State)."""
    batches, planned_by_entry = [], {}
    for target, changes in targets:
        assert target.edition is not None  # opened before the changes are applied
        writes = []
        for planned in changes:
            after = planned.difference.after
            assert after is not None  # an imported cell always says what it becomes
            planned_by_entry[planned.current.entry_id] = (target.state, planned)
            writes.append(
                CellWrite(
                    entry_id=planned.current.entry_id,
                    change=CellChange(
                        mark=after.mark, remark=after.remark, version=planned.current.version
                    ),
                    reason=reason or f"imported from {file_name} ({planned.cell.where})",
                )
            )
        batches.append(EditionWrites(target.edition, target.state, writes))
    try:
        write_cells_many(session, batches, actor=viewer.actor, audit_action="cell.import")
    except StaleCell as stale:
        state, planned = planned_by_entry[stale.entry_id]
        raise Conflict(
            text(
                N_(
                    "%(iso3)s cell %(key)s (%(where)s) was changed by someone else "
                    "since the import read it; nothing was imported"
                ),
                iso3=state.iso3,
                key=planned.cell.key,
                where=planned.cell.where,
            ),
            details=stale.details,
        ) from stale
    record_events(
        session,
        [
            AuditRecord(
                actor=viewer.actor,
                action="edition.import",
                entity_type="matrix_edition",
                entity_id=f"{target.state.iso3}/{target.edition.number}",
                reason=reason,
                after={"file": file_name, "changed": len(changes)},
            )
            for target, changes in targets
            if target.edition is not None
        ],
    )
