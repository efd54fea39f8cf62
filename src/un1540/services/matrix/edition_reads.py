"""Reads of an edition in progress: its workflow details and one cell's current state."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from un1540.errors import NotFound
from un1540.models import (
    CellComment,
    CellProposal,
    Framework,
    MatrixEdition,
    Origin,
    ProposalStatus,
    State,
)
from un1540.schemas.matrix import StateRef
from un1540.schemas.workflow import CellState, EditionDetail
from un1540.services.kernel.access import Viewer, can_see, speaks_for
from un1540.services.kernel.envelope import envelope
from un1540.services.matrix.core import evidence_by_entry
from un1540.services.matrix.editions import edition_tallies, summarise_edition
from un1540.services.matrix.frameworks import framework_layout
from un1540.services.matrix.workflow import entry_for, find_edition


def _count(
    session: Session,
    model: type[CellComment] | type[CellProposal],
    edition: MatrixEdition,
    *conditions: object,
) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(model)
            .where(model.edition_id == edition.id, *conditions)  # type: ignore[arg-type]
        )
        or 0
    )


def detail_of(
    session: Session, viewer: Viewer, state: State, edition: MatrixEdition
) -> EditionDetail:
    framework = session.get(Framework, edition.framework_id)
    assert framework is not None  # guaranteed by the foreign key
    tally = edition_tallies(session, viewer=viewer, edition_ids=[edition.id])[edition.id]
    based_on = session.get(MatrixEdition, edition.based_on_id) if edition.based_on_id else None
    private = viewer.is_committee_side or speaks_for(viewer, state.id)
    return EditionDetail(
        **envelope(edition.origin is Origin.demo),
        state=StateRef(iso3=state.iso3, name=state.short_name),
        edition=summarise_edition(edition, framework_layout(session, framework).slug, tally),
        based_on=based_on.number if based_on else None,
        created_by=edition.created_by,
        created_at=edition.created_at,
        shared_at=edition.shared_at,
        agreed_at=edition.agreed_at,
        approved_at=edition.approved_at,
        approved_by=edition.approved_by,
        revision=edition.revision,
        # The review is never public: others see zeros, not the counts.
        pending_proposals=_count(
            session, CellProposal, edition, CellProposal.status == ProposalStatus.pending
        )
        if private
        else 0,
        comments=_count(session, CellComment, edition) if private else 0,
    )


def edition_detail(session: Session, *, viewer: Viewer, iso3: str, number: int) -> EditionDetail:
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    return detail_of(session, viewer, state, edition)


def cell_state(
    session: Session, *, viewer: Viewer, iso3: str, number: int, cell_key: str
) -> CellState:
    """One cell of an edition with its version, as needed before editing it."""
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    entry = entry_for(session, edition, cell_key)
    if not can_see(entry.visibility, viewer, state.id):
        raise NotFound(f"no cell {cell_key!r} that you may see")
    evidence = evidence_by_entry(session, viewer, entry_ids=[entry.id])
    framework = session.get(Framework, edition.framework_id)
    assert framework is not None  # guaranteed by the foreign key
    layout = framework_layout(session, framework)
    cell = layout.by_key[cell_key]
    section = next(s for s in layout.sections if s.code == cell.section_code)
    return CellState(
        **envelope(edition.origin is Origin.demo),
        state=StateRef(iso3=state.iso3, name=state.short_name),
        edition=edition.number,
        edition_status=edition.status.value,
        cell=cell_key,
        field=cell.field_code,
        field_name=layout.fields[cell.field_code].name,
        section=section.code,
        section_title=section.title,
        weapon=cell.weapon,
        weapon_name=layout.weapon_names.get(cell.weapon, "any weapon category"),
        column=cell.column,
        column_name=layout.column_names.get(cell.column, "adherence"),
        mark=entry.mark.value,
        remark=entry.remark,
        version=entry.revision,
        evidence=evidence.get(entry.id, []),
    )
