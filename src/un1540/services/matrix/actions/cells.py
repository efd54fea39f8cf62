"""The one cell writer: an expert's edit, an accepted proposal and an import all use it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from un1540.errors import Conflict, InvalidData, Problem, text
from un1540.models import CellEntry, Document, Evidence, Framework, MatrixEdition, State, Visibility
from un1540.reference.languages import N_
from un1540.schemas.text import REASON
from un1540.schemas.workflow import CellState
from un1540.services.kernel.access import Viewer, can_see
from un1540.services.kernel.audit import AuditRecord, record_events
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.actions.claims import hold_editions
from un1540.services.matrix.inputs import MARK_VALUES, CellChange, EvidenceInput
from un1540.services.matrix.layout import FrameworkLayout, framework_layout
from un1540.services.matrix.reads.editions import edition_state, entry_for, find_edition
from un1540.services.matrix.reads.matrix import cell_state
from un1540.services.matrix.rules import EDITION_RULES


@dataclass(frozen=True)
class CellWrite:
    """One change to one cell of an edition, against the version its writer read."""

    entry_id: int
    change: CellChange
    reason: str


def _cell_states(session: Session, entry_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each entry's mark, remark, version and evidence, as the audit records them."""
    states: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(entry_ids):
        for entry_id, mark, remark, revision in session.execute(
            select(CellEntry.id, CellEntry.mark, CellEntry.remark, CellEntry.revision).where(
                CellEntry.id.in_(chunk)
            )
        ):
            states[entry_id] = {
                "mark": mark.value,
                "remark": remark,
                "version": revision,
                "evidence": [],
            }
        for entry_id, d, p, a, g, q in session.execute(
            select(
                Evidence.cell_entry_id,
                Evidence.document_id,
                Evidence.page,
                Evidence.article,
                Evidence.paragraph,
                Evidence.quotation,
            )
            .where(Evidence.cell_entry_id.in_(chunk))
            .order_by(Evidence.id)
        ):
            states[entry_id]["evidence"].append(
                {"document_id": d, "page": p, "article": a, "paragraph": g, "quotation": q}
            )
    return states


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    """Bounded IN lists: every database accepts 500 parameters in one statement."""
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _check_change(
    session: Session, state: State, write: CellWrite
) -> tuple[CellWrite, list[Problem]]:
    """The write with its texts through the text policy, and everything wrong with it."""
    problems: list[Problem] = []
    change = write.change.checked(problems)
    if change.mark not in MARK_VALUES:
        problems.append(
            Problem(
                "mark",
                text(
                    N_("%(mark)s is not one of X, ?, NA or blank (an empty string)"),
                    mark=repr(change.mark[:20]),
                ),
            )
        )
    check_documents(session, state, change.evidence or [], problems)
    return replace(write, change=change), problems


def check_documents(
    session: Session,
    state: State,
    evidence: list[EvidenceInput],
    problems: list[Problem],
    viewer: Viewer | None = None,
) -> None:
    """Each cited document exists, is about this State (or none), and, for `viewer`, is one they
    may see (a State cites what it can see; an unseen document reads as no document)."""
    for index, item in enumerate(evidence, start=1):
        document = session.get(Document, item.document_id)
        if document is None or (
            viewer is not None and not can_see(document.visibility, viewer, document.state_id)
        ):
            problems.append(
                Problem(
                    f"evidence[{index}].document_id",
                    text(
                        N_("no document %(document_id)s"),
                        document_id=item.document_id,
                    ),
                )
            )
        elif document.state_id not in (None, state.id):
            problems.append(
                Problem(f"evidence[{index}].document_id", N_("the document is about another State"))
            )


def _after(before: dict[str, Any], change: CellChange) -> dict[str, Any]:
    evidence = (
        before["evidence"]
        if change.evidence is None
        else [
            {
                "document_id": e.document_id,
                "page": e.page,
                "article": e.article,
                "paragraph": e.paragraph,
                "quotation": e.quotation,
            }
            for e in change.evidence
        ]
    )
    return {
        "mark": change.mark,
        "remark": change.remark,
        "version": before["version"] + 1,
        "evidence": evidence,
    }


@dataclass(frozen=True)
class EditionWrites:
    """The writes to the cells of one edition of a State (a batch of write_cells_many)."""

    edition: MatrixEdition
    state: State
    writes: list[CellWrite]


class StaleCell(Conflict):
    """A cell's version was not the one its writer read: `entry_id` names the cell's entry."""

    def __init__(self, message: str, *, entry_id: int, details: dict[str, Any]) -> None:
        super().__init__(message, details=details)
        self.entry_id = entry_id


@action
def write_cells(
    session: Session,
    *,
    edition: MatrixEdition,
    state: State,
    writes: list[CellWrite],
    actor: str,
    audit_action: str = "cell.update",
) -> None:
    """Check and write changes to cells of one edition with optimistic locking, in a few
    statements whatever their number (an import of a whole matrix is one UPDATE per State, not
    one per cell); a stale version raises Conflict naming the cell, with both versions.

    The caller has checked the rule (who may write these cells now); this checks the values.
    """
    write_cells_many(
        session, [EditionWrites(edition, state, writes)], actor=actor, audit_action=audit_action
    )


@action
def write_cells_many(
    session: Session,
    batches: list[EditionWrites],
    *,
    actor: str,
    audit_action: str = "cell.update",
) -> None:
    """write_cells for the cells of several editions at once (an import of every State's
    matrix): the same checks, one batched UPDATE and one batch of audit events for them all,
    so the statements do not grow with the number of editions (each is a round trip on
    PostgreSQL). A stale version raises StaleCell (a Conflict) naming the cell."""
    layouts: dict[int, FrameworkLayout] = {}
    for batch in batches:
        if batch.edition.framework_id not in layouts:
            framework = session.get(Framework, batch.edition.framework_id)
            assert framework is not None  # guaranteed by the foreign key
            layouts[batch.edition.framework_id] = framework_layout(session, framework)
    entry_ids = [write.entry_id for batch in batches for write in batch.writes]
    before = _cell_states(session, entry_ids)
    cell_ids: dict[int, int] = {}
    for chunk in _chunks(entry_ids):
        for entry_id, cell_id in session.execute(
            select(CellEntry.id, CellEntry.cell_id).where(CellEntry.id.in_(chunk))
        ):
            cell_ids[entry_id] = cell_id
    keys = {
        write.entry_id: layouts[batch.edition.framework_id].by_id[cell_ids[write.entry_id]].key
        for batch in batches
        for write in batch.writes
    }
    problems = []
    checked_batches = []
    for batch in batches:
        checked = []
        for write in batch.writes:
            clean, found = _check_change(session, batch.state, write)
            checked.append(clean)
            for problem in found:
                where = (
                    problem.where
                    if len(entry_ids) == 1
                    else f"{keys[write.entry_id]}.{problem.where}"
                )
                if len(batches) > 1:
                    where = f"{batch.state.iso3} {where}"
                problems.append(Problem(where, problem.message))
        checked_batches.append(replace(batch, writes=checked))
    batches = checked_batches
    writes = [write for batch in batches for write in batch.writes]
    if problems:
        raise InvalidData(
            "the cell was not changed" if len(writes) == 1 else "no cell was changed",
            problems=problems,
        )
    if not writes:
        return
    # Claimed once the values are known to be valid (claims.py): an edition approved meanwhile
    # refuses the write (409). The `before` read above is covered by each cell's version, which
    # the UPDATE below checks.
    hold_editions(
        session,
        [(batch.state, batch.edition, len(batch.writes)) for batch in batches if batch.writes],
    )
    table = cast(Table, CellEntry.__table__)
    result = session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.revision == bindparam("b_version"))
        .values(
            mark=bindparam("b_mark"), remark=bindparam("b_remark"), revision=table.c.revision + 1
        ),
        [
            {
                "b_id": write.entry_id,
                "b_version": write.change.version,
                "b_mark": MARK_VALUES[write.change.mark],
                "b_remark": write.change.remark,
            }
            for write in writes
        ],
    )
    if result.rowcount != len(writes):  # type: ignore[attr-defined]
        _refuse_stale(session, writes, keys)
    replaced = [write for write in writes if write.change.evidence is not None]
    for chunk in _chunks([write.entry_id for write in replaced]):
        session.execute(delete(Evidence).where(Evidence.cell_entry_id.in_(chunk)))
    new_evidence = [
        {
            "cell_entry_id": write.entry_id,
            "document_id": e.document_id,
            "page": e.page,
            "article": e.article,
            "paragraph": e.paragraph,
            "quotation": e.quotation,
            "visibility": Visibility.public,
        }
        for write in replaced
        for e in write.change.evidence or []
    ]
    if new_evidence:
        session.execute(insert(Evidence), new_evidence)
    record_events(
        session,
        [
            AuditRecord(
                actor=actor,
                action=audit_action,
                entity_type="cell_entry",
                entity_id=f"{batch.state.iso3}/{batch.edition.number}/{keys[write.entry_id]}",
                before=before[write.entry_id],
                after=_after(before[write.entry_id], write.change),
                reason=write.reason,
            )
            for batch in batches
            for write in batch.writes
        ],
    )
    session.flush()


def _refuse_stale(session: Session, writes: list[CellWrite], keys: dict[int, str]) -> None:
    """Some version was stale: name the first cell our UPDATE did not write, with both versions.

    The rows that did match were written by this transaction, which the Conflict rolls back.
    """
    current = _cell_states(session, [write.entry_id for write in writes])
    stale = writes[0]
    for write in writes:
        now = current[write.entry_id]
        ours = (write.change.version + 1, write.change.mark, write.change.remark)
        if (now["version"], now["mark"], now["remark"]) != ours:
            stale = write
            break
    now, change = current[stale.entry_id], stale.change
    raise StaleCell(
        f"the cell was changed by someone else (version {now['version']}, "
        f"yours {change.version}); nothing was written",
        entry_id=stale.entry_id,
        details={
            "cell": keys[stale.entry_id],
            "current": now,
            "yours": {"mark": change.mark, "remark": change.remark, "version": change.version},
        },
    )


@action
def write_cell(
    session: Session,
    *,
    edition: MatrixEdition,
    state: State,
    entry: CellEntry,
    change: CellChange,
    actor: str,
    reason: str,
    audit_action: str = "cell.update",
) -> CellEntry:
    """One cell through the same writer (an expert's edit, an accepted proposal)."""
    write_cells(
        session,
        edition=edition,
        state=state,
        writes=[CellWrite(entry.id, change, reason)],
        actor=actor,
        audit_action=audit_action,
    )
    session.refresh(entry)
    return entry


@action
def update_cell(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    number: int,
    cell_key: str,
    change: CellChange,
    reason: str = "",
) -> CellEntry:
    """An expert's edit of one cell of an open edition (mark, remark, optionally its evidence)."""
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    EDITION_RULES.check(viewer, edition_state(session, state, edition), "edit_cells")
    reason = REASON.require(reason, "reason", message=N_("the cell was not changed"))
    entry = entry_for(session, edition, cell_key)
    return write_cell(
        session,
        edition=edition,
        state=state,
        entry=entry,
        change=change,
        actor=viewer.actor,
        reason=reason,
    )


@action
def edit_cell(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    number: int,
    cell_key: str,
    change: CellChange,
    reason: str = "",
) -> CellState:
    """update_cell answered with the cell as this edit left it (its version, mark, remark and
    evidence), read before the commit.

    Read after it, the answer could already show another writer's edit committed meanwhile,
    with its version: the writer would send that version back with their next edit and
    overwrite the other's change unseen. Before the commit, the cell's row is still this
    transaction's (PostgreSQL's row lock; SQLite's one writer), so nobody else's edit can show.
    """
    update_cell(
        session,
        viewer=viewer,
        iso3=iso3,
        number=number,
        cell_key=cell_key,
        change=change,
        reason=reason,
    )
    return cell_state(session, viewer=viewer, iso3=iso3, number=number, cell_key=cell_key)
