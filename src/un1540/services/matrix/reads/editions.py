"""Reading editions: find one the caller may see, list a State's, its workflow detail, one cell."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from un1540.analytics.coverage import Tally
from un1540.errors import NotFound, text
from un1540.models import (
    CellComment,
    CellEntry,
    CellProposal,
    EditionStatus,
    Framework,
    MatrixEdition,
    Origin,
    ProposalStatus,
    State,
)
from un1540.reference.languages import N_
from un1540.schemas.matrix import EditionList, StateRef
from un1540.schemas.workflow import EditionDetail
from un1540.services.kernel.access import Viewer, edition_visible, speaks_for, visible
from un1540.services.kernel.actors import actor_names
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix import shapes
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.rules import EDITION_RULES, EditionState


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
            text(
                N_("%(short_name)s (%(iso3)s) has no edition %(number)s that you may see"),
                short_name=state.short_name,
                iso3=state.iso3,
                number=number,
            )
        )
    return state, edition


def entry_for(session: Session, edition: MatrixEdition, cell_key: str) -> CellEntry:
    framework = session.get(Framework, edition.framework_id)
    assert framework is not None
    cell = framework_layout(session, framework).by_key.get(cell_key)
    if cell is None:
        raise NotFound(
            text(
                N_("no cell %(cell_key)s in framework %(slug)s"),
                cell_key=repr(cell_key),
                slug=framework.slug,
            )
        )
    entry = session.scalars(
        select(CellEntry).where(CellEntry.edition_id == edition.id, CellEntry.cell_id == cell.id)
    ).one()
    return entry


def visible_edition(
    session: Session, *, viewer: Viewer, state: State, number: int | None
) -> MatrixEdition:
    """Edition `number` of a State, else its latest approved one; NotFound if not visible."""
    statement = select(MatrixEdition).where(
        MatrixEdition.state_id == state.id, edition_visible(viewer)
    )
    if number is None:
        statement = statement.where(MatrixEdition.status == EditionStatus.approved)
        statement = statement.order_by(MatrixEdition.number.desc()).limit(1)
    else:
        statement = statement.where(MatrixEdition.number == number)
    edition = session.scalars(statement).first()
    if edition is None:
        what = f"edition {number}" if number is not None else "approved edition"
        raise NotFound(
            text(
                N_("%(short_name)s (%(iso3)s) has no %(what)s that you may see"),
                short_name=state.short_name,
                iso3=state.iso3,
                what=what,
            )
        )
    return edition


def edition_tallies(
    session: Session, *, viewer: Viewer, edition_ids: list[int]
) -> dict[int, Tally]:
    rows = session.execute(
        select(CellEntry.edition_id, CellEntry.mark, func.count())
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .where(
            CellEntry.edition_id.in_(edition_ids),
            visible(CellEntry.visibility, viewer, MatrixEdition.state_id),
        )
        .group_by(CellEntry.edition_id, CellEntry.mark)
    ).all()
    tallies: dict[int, Tally] = {edition_id: Tally() for edition_id in edition_ids}
    for edition_id, mark, count in rows:
        tallies[edition_id].add(mark.value, count)
    return tallies


def list_editions(
    session: Session, *, viewer: Viewer, iso3: str, paging: PageRequest | None = None
) -> EditionList:
    """A State's editions the caller may see, oldest first, each with its tally."""
    state = state_by_iso3(session, iso3)
    rows = session.execute(
        select(MatrixEdition, Framework.code, Framework.version)
        .join(Framework, Framework.id == MatrixEdition.framework_id)
        .where(MatrixEdition.state_id == state.id, edition_visible(viewer))
        .order_by(MatrixEdition.number)
    ).all()
    paging = paging or PageRequest()
    page = paging.cut(rows)
    tallies = edition_tallies(session, viewer=viewer, edition_ids=[row[0].id for row in page])
    return EditionList(
        **envelope(any(edition.origin is Origin.demo for edition, _, _ in rows)),
        state=StateRef(iso3=state.iso3, name=state.short_name),
        items=[
            shapes.edition_summary(e, f"{code}/{version}", tallies[e.id])
            for e, code, version in page
        ],
        total=len(rows),
        page=paging.page,
        page_size=paging.page_size,
    )


def pending_proposals(session: Session, edition: MatrixEdition) -> int:
    """Proposals still awaiting a decision (whoever may see them: the rules count them all)."""
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


def edition_state(session: Session, state: State, edition: MatrixEdition) -> EditionState:
    """What the rules need to know about an edition."""
    return EditionState(
        state_id=state.id,
        iso3=state.iso3,
        number=edition.number,
        status=edition.status,
        pending_proposals=pending_proposals(session, edition),
    )


def detail_of(
    session: Session, viewer: Viewer, state: State, edition: MatrixEdition
) -> EditionDetail:
    framework = session.get(Framework, edition.framework_id)
    assert framework is not None  # guaranteed by the foreign key
    tally = edition_tallies(session, viewer=viewer, edition_ids=[edition.id])[edition.id]
    based_on = session.get(MatrixEdition, edition.based_on_id) if edition.based_on_id else None
    record = edition_state(session, state, edition)
    comments = (
        session.scalar(
            select(func.count())
            .select_from(CellComment)
            .where(CellComment.edition_id == edition.id)
        )
        or 0
    )
    # The review is never public: others see zeros, not the counts.
    private = viewer.is_committee_side or speaks_for(viewer, state.id)
    return shapes.edition_detail(
        edition,
        state=state,
        framework_slug=framework_layout(session, framework).slug,
        tally=tally,
        based_on=based_on,
        pending_proposals=record.pending_proposals if private else 0,
        comments=comments if private else 0,
        allowed_actions=EDITION_RULES.allowed(viewer, record),
        actor=actor_names(session, viewer, [edition.created_by, edition.approved_by]),
    )


def edition_detail(session: Session, *, viewer: Viewer, iso3: str, number: int) -> EditionDetail:
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    return detail_of(session, viewer, state, edition)
