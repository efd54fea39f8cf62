"""The edition workflow: open a draft, edit cells, share, agree, reopen, approve, discard.

    draft --share--> shared --agree--> agreed --approve--> approved (frozen for ever)
                       ^   \\____________approve____________^
                       \\--reopen-- agreed

Experts open, edit, share, reopen and discard; the State's point of contact (or an expert)
records agreement; the committee approves. Every transition is checked and audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from un1540.errors import Conflict, InvalidData, NotFound, Problem
from un1540.models import (
    CellEntry,
    CellProposal,
    Document,
    EditionStatus,
    Evidence,
    Framework,
    Mark,
    MatrixEdition,
    Origin,
    ProposalStatus,
    Role,
    State,
    Visibility,
)
from un1540.models.base import today, utc_now
from un1540.services.kernel.access import Viewer, edition_visible, require, speaks_for
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.matrix.editions import MARK_VALUES, EvidenceInput
from un1540.services.matrix.frameworks import default_framework, framework_layout

OPEN_STATUSES = (EditionStatus.draft, EditionStatus.shared, EditionStatus.agreed)
EDITABLE_STATUSES = (EditionStatus.draft, EditionStatus.shared)


def find_edition(
    session: Session, *, viewer: Viewer, iso3: str, number: int
) -> tuple[State, MatrixEdition]:
    """Edition `number` of a State if the caller may see it; else NotFound (never Forbidden)."""
    state = state_by_iso3(session, iso3)
    edition = session.scalars(
        select(MatrixEdition).where(
            MatrixEdition.state_id == state.id,
            MatrixEdition.number == number,
            edition_visible(viewer),
        )
    ).one_or_none()
    if edition is None:
        raise NotFound(
            f"{state.short_name} ({state.iso3}) has no edition {number} that you may see"
        )
    return state, edition


def _edition_audit(edition: MatrixEdition) -> dict[str, object]:
    return {
        "status": edition.status.value,
        "revision": edition.revision,
        "visibility": edition.visibility.value,
    }


def _transition(
    session: Session,
    edition: MatrixEdition,
    state: State,
    *,
    viewer: Viewer,
    action: str,
    new_status: EditionStatus,
    reason: str,
) -> MatrixEdition:
    before = _edition_audit(edition)
    edition.status = new_status
    edition.revision += 1
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action=f"edition.{action}",
        entity_type="matrix_edition",
        entity_id=f"{state.iso3}/{edition.number}",
        before=before,
        after=_edition_audit(edition),
        reason=reason,
    )
    return edition


def _pending_proposals(session: Session, edition: MatrixEdition) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(CellProposal)
            .where(
                CellProposal.edition_id == edition.id, CellProposal.status == ProposalStatus.pending
            )
        )
        or 0
    )


def _copy_cells(
    session: Session, *, source: MatrixEdition | None, target: MatrixEdition, framework: Framework
) -> None:
    """Every cell of the framework into the new draft: the source edition's values, or blank."""
    layout = framework_layout(session, framework)
    values: dict[int, tuple[int, Mark, str]] = {}
    if source is not None:
        values = {
            cell_id: (entry_id, mark, remark)
            for entry_id, cell_id, mark, remark in session.execute(
                select(CellEntry.id, CellEntry.cell_id, CellEntry.mark, CellEntry.remark).where(
                    CellEntry.edition_id == source.id
                )
            )
        }
    rows = [
        {
            "edition_id": target.id,
            "cell_id": cell.id,
            "mark": values[cell.id][1] if cell.id in values else Mark.blank,
            "remark": values[cell.id][2] if cell.id in values else "",
            "revision": 1,
            "visibility": Visibility.public,
        }
        for cell in layout.cells
    ]
    new_ids = session.scalars(
        insert(CellEntry).returning(CellEntry.id, sort_by_parameter_order=True), rows
    ).all()
    if source is None:
        return
    new_by_old = {
        values[cell.id][0]: new_id
        for cell, new_id in zip(layout.cells, new_ids, strict=True)
        if cell.id in values
    }
    evidence = session.execute(
        select(
            Evidence.cell_entry_id,
            Evidence.document_id,
            Evidence.page,
            Evidence.article,
            Evidence.paragraph,
            Evidence.quotation,
            Evidence.visibility,
        ).where(Evidence.cell_entry_id.in_(list(new_by_old)))
    ).all()
    if evidence:
        session.execute(
            insert(Evidence),
            [
                {
                    "cell_entry_id": new_by_old[old],
                    "document_id": document_id,
                    "page": page,
                    "article": article,
                    "paragraph": paragraph,
                    "quotation": quotation,
                    "visibility": visibility,
                }
                for old, document_id, page, article, paragraph, quotation, visibility in evidence
            ],
        )


def open_draft(session: Session, *, viewer: Viewer, iso3: str, reason: str = "") -> MatrixEdition:
    """A new draft for the State, copied from its latest approved edition (or blank)."""
    require(viewer, Role.expert, action="open a draft")
    state = state_by_iso3(session, iso3)
    open_edition = session.scalars(
        select(MatrixEdition).where(
            MatrixEdition.state_id == state.id, MatrixEdition.status.in_(OPEN_STATUSES)
        )
    ).first()
    if open_edition is not None:
        raise Conflict(
            f"{state.iso3} already has an open edition ({open_edition.number}, "
            f"{open_edition.status.value}); finish or discard it first",
            details={"open_edition": open_edition.number},
        )
    source = session.scalars(
        select(MatrixEdition)
        .where(MatrixEdition.state_id == state.id, MatrixEdition.status == EditionStatus.approved)
        .order_by(MatrixEdition.number.desc())
        .limit(1)
    ).first()
    framework = (
        session.get(Framework, source.framework_id) if source else default_framework(session)
    )
    assert framework is not None  # guaranteed by the foreign key
    number = (
        session.scalar(
            select(func.max(MatrixEdition.number)).where(MatrixEdition.state_id == state.id)
        )
        or 0
    ) + 1
    edition = MatrixEdition(
        state_id=state.id,
        framework_id=framework.id,
        number=number,
        status=EditionStatus.draft,
        # A draft copied from demo data holds demo data, and must say so wherever it shows.
        origin=Origin.demo if source is not None and source.origin is Origin.demo else Origin.entry,
        visibility=Visibility.owning_state_and_committee,
        based_on_id=source.id if source else None,
        created_by=viewer.actor,
    )
    session.add(edition)
    session.flush()
    _copy_cells(session, source=source, target=edition, framework=framework)
    record_event(
        session,
        actor=viewer.actor,
        action="edition.open_draft",
        entity_type="matrix_edition",
        entity_id=f"{state.iso3}/{number}",
        reason=reason,
        after={"based_on": source.number if source else None, "framework": framework.slug},
    )
    return edition


@dataclass(frozen=True)
class CellChange:
    mark: str
    remark: str
    version: int
    evidence: list[EvidenceInput] | None = None  # None: leave the evidence as it is


def _cell_state(session: Session, entry: CellEntry) -> dict[str, object]:
    evidence = session.execute(
        select(
            Evidence.document_id,
            Evidence.page,
            Evidence.article,
            Evidence.paragraph,
            Evidence.quotation,
        )
        .where(Evidence.cell_entry_id == entry.id)
        .order_by(Evidence.id)
    ).all()
    return {
        "mark": entry.mark.value,
        "remark": entry.remark,
        "version": entry.revision,
        "evidence": [
            {"document_id": d, "page": p, "article": a, "paragraph": g, "quotation": q}
            for d, p, a, g, q in evidence
        ],
    }


def entry_for(session: Session, edition: MatrixEdition, cell_key: str) -> CellEntry:
    framework = session.get(Framework, edition.framework_id)
    assert framework is not None
    cell = framework_layout(session, framework).by_key.get(cell_key)
    if cell is None:
        raise NotFound(f"no cell {cell_key!r} in framework {framework.slug}")
    entry = session.scalars(
        select(CellEntry).where(CellEntry.edition_id == edition.id, CellEntry.cell_id == cell.id)
    ).one()
    return entry


def require_editable(edition: MatrixEdition, state: State) -> None:
    if edition.status is EditionStatus.approved:
        raise Conflict(
            f"edition {edition.number} of {state.iso3} is approved and frozen; open a new draft"
        )
    if edition.status is EditionStatus.agreed:
        raise Conflict(f"edition {edition.number} of {state.iso3} is agreed; reopen it to edit")


def _check_change(session: Session, state: State, change: CellChange) -> list[Problem]:
    problems = []
    if change.mark not in MARK_VALUES:
        problems.append(
            Problem("mark", f"{change.mark!r} is not one of X, ?, NA or blank (an empty string)")
        )
    if len(change.remark) > 10000:
        problems.append(Problem("remark", "is longer than 10,000 characters"))
    for index, evidence in enumerate(change.evidence or [], start=1):
        document = session.get(Document, evidence.document_id)
        if document is None:
            problems.append(
                Problem(f"evidence[{index}].document_id", f"no document {evidence.document_id}")
            )
        elif document.state_id not in (None, state.id):
            problems.append(
                Problem(f"evidence[{index}].document_id", "the document is about another State")
            )
    return problems


def apply_cell_change(
    session: Session,
    *,
    edition: MatrixEdition,
    state: State,
    entry: CellEntry,
    change: CellChange,
    actor: str,
    reason: str,
    action: str = "cell.update",
) -> CellEntry:
    """Write a checked change with optimistic locking; a stale version raises Conflict with both."""
    before = _cell_state(session, entry)
    result = session.execute(
        update(CellEntry)
        .where(CellEntry.id == entry.id, CellEntry.revision == change.version)
        .values(
            mark=MARK_VALUES[change.mark], remark=change.remark, revision=CellEntry.revision + 1
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.expire(entry)
        current = _cell_state(session, entry)
        raise Conflict(
            f"the cell was changed by someone else (version {current['version']}, "
            f"yours {change.version}); nothing was written",
            details={
                "current": current,
                "yours": {"mark": change.mark, "remark": change.remark, "version": change.version},
            },
        )
    if change.evidence is not None:
        session.execute(delete(Evidence).where(Evidence.cell_entry_id == entry.id))
        if change.evidence:
            session.execute(
                insert(Evidence),
                [
                    {
                        "cell_entry_id": entry.id,
                        "document_id": e.document_id,
                        "page": e.page,
                        "article": e.article,
                        "paragraph": e.paragraph,
                        "quotation": e.quotation,
                        "visibility": Visibility.public,
                    }
                    for e in change.evidence
                ],
            )
    edition.revision += 1
    session.flush()
    session.refresh(entry)
    framework = session.get(Framework, edition.framework_id)
    assert framework is not None  # guaranteed by the foreign key
    key = framework_layout(session, framework).by_id[entry.cell_id].key
    record_event(
        session,
        actor=actor,
        action=action,
        entity_type="cell_entry",
        entity_id=f"{state.iso3}/{edition.number}/{key}",
        before=before,
        after=_cell_state(session, entry),
        reason=reason,
    )
    return entry


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
    require(viewer, Role.expert, action="edit cells")
    require_editable(edition, state)
    entry = entry_for(session, edition, cell_key)
    problems = _check_change(session, state, change)
    if problems:
        raise InvalidData("the cell was not changed", problems=problems)
    return apply_cell_change(
        session,
        edition=edition,
        state=state,
        entry=entry,
        change=change,
        actor=viewer.actor,
        reason=reason,
    )


def share_edition(
    session: Session, *, viewer: Viewer, iso3: str, number: int, reason: str = ""
) -> MatrixEdition:
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    require(viewer, Role.expert, action="share a draft")
    if edition.status is not EditionStatus.draft:
        raise Conflict(f"only a draft can be shared; edition {number} is {edition.status.value}")
    edition.shared_at = utc_now()
    return _transition(
        session,
        edition,
        state,
        viewer=viewer,
        action="share",
        new_status=EditionStatus.shared,
        reason=reason,
    )


def agree_edition(
    session: Session, *, viewer: Viewer, iso3: str, number: int, reason: str = ""
) -> MatrixEdition:
    """The State and the Committee agree on the content (recorded by the State or an expert)."""
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    if not speaks_for(viewer, state.id):
        require(viewer, Role.expert, action="record agreement on an edition")
    elif not viewer.can_write:
        require(viewer, Role.state_poc, action="record agreement on an edition")
    if edition.status is not EditionStatus.shared:
        raise Conflict(
            f"only a shared edition can be agreed; edition {number} is {edition.status.value}"
        )
    pending = _pending_proposals(session, edition)
    if pending:
        raise Conflict(
            f"{pending} proposed change(s) still await a decision",
            details={"pending_proposals": pending},
        )
    edition.agreed_at = utc_now()
    return _transition(
        session,
        edition,
        state,
        viewer=viewer,
        action="agree",
        new_status=EditionStatus.agreed,
        reason=reason,
    )


def reopen_edition(
    session: Session, *, viewer: Viewer, iso3: str, number: int, reason: str = ""
) -> MatrixEdition:
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    require(viewer, Role.expert, action="reopen an edition")
    if edition.status is not EditionStatus.agreed:
        raise Conflict(
            f"only an agreed edition can be reopened; edition {number} is {edition.status.value}"
        )
    edition.agreed_at = None
    return _transition(
        session,
        edition,
        state,
        viewer=viewer,
        action="reopen",
        new_status=EditionStatus.shared,
        reason=reason,
    )


def approve_edition(
    session: Session, *, viewer: Viewer, iso3: str, number: int, reason: str = ""
) -> MatrixEdition:
    """The committee approves: the edition is published and frozen for ever."""
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    require(viewer, Role.committee, action="approve an edition")
    if edition.status not in (EditionStatus.shared, EditionStatus.agreed):
        what = (
            "already approved"
            if edition.status is EditionStatus.approved
            else "never shared with the State"
        )
        raise Conflict(f"edition {number} of {state.iso3} cannot be approved: it is {what}")
    pending = _pending_proposals(session, edition)
    if pending:
        raise Conflict(
            f"{pending} proposed change(s) still await a decision",
            details={"pending_proposals": pending},
        )
    previous = session.scalar(
        select(func.max(MatrixEdition.approved_on)).where(
            MatrixEdition.state_id == state.id, MatrixEdition.status == EditionStatus.approved
        )
    )
    edition.approved_on = max(today(), previous) if previous else today()
    edition.approved_at = utc_now()
    edition.approved_by = viewer.actor
    edition.visibility = Visibility.public
    return _transition(
        session,
        edition,
        state,
        viewer=viewer,
        action="approve",
        new_status=EditionStatus.approved,
        reason=reason,
    )


def discard_draft(
    session: Session, *, viewer: Viewer, iso3: str, number: int, reason: str = ""
) -> None:
    """Delete a draft that was never shared (its cells, evidence and review go with it)."""
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    require(viewer, Role.expert, action="discard a draft")
    if edition.status is not EditionStatus.draft:
        raise Conflict(
            f"only an unshared draft can be discarded; edition {number} is {edition.status.value}"
        )
    before = _edition_audit(edition)
    session.delete(edition)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="edition.discard",
        entity_type="matrix_edition",
        entity_id=f"{state.iso3}/{number}",
        before=before,
        reason=reason,
    )
