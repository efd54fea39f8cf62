"""The one cell writer: an expert's edit, an accepted proposal and an import all use it."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from un1540.errors import Conflict, InvalidData, Problem
from un1540.models import CellEntry, Document, Evidence, Framework, MatrixEdition, State, Visibility
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.inputs import MARK_VALUES, MAX_TEXT, CellChange
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.editions import edition_state, entry_for, find_edition
from un1540.services.matrix.rules import EDITION_RULES


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


def _check_change(session: Session, state: State, change: CellChange) -> list[Problem]:
    problems = []
    if change.mark not in MARK_VALUES:
        problems.append(
            Problem("mark", f"{change.mark!r} is not one of X, ?, NA or blank (an empty string)")
        )
    if len(change.remark) > MAX_TEXT:
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
    """Check and write a change with optimistic locking; a stale version raises Conflict with both.

    The caller has checked the rule (who may write this cell now); this checks the values.
    """
    problems = _check_change(session, state, change)
    if problems:
        raise InvalidData("the cell was not changed", problems=problems)
    framework = session.get(Framework, edition.framework_id)
    assert framework is not None  # guaranteed by the foreign key
    key = framework_layout(session, framework).by_id[entry.cell_id].key
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
                "cell": key,
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
    record_event(
        session,
        actor=actor,
        action=audit_action,
        entity_type="cell_entry",
        entity_id=f"{state.iso3}/{edition.number}/{key}",
        before=before,
        after=_cell_state(session, entry),
        reason=reason,
    )
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
