"""The review of an edition: its comments and proposals, for those who may see them."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from un1540.models import CellComment, CellEntry, CellProposal, MatrixEdition, State
from un1540.schemas.text import FORMULA_START
from un1540.schemas.workflow import CommentRead, ProposalRead, ReviewList
from un1540.services.kernel.access import Viewer, visible
from un1540.services.kernel.actors import account_actor, shown_actor
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix import shapes
from un1540.services.matrix.layout import cell_keys
from un1540.services.matrix.reads.editions import edition_state, find_edition
from un1540.services.matrix.rules import PROPOSAL_RULES, EditionState, ProposalState

T = TypeVar("T")


def _comments(edition: MatrixEdition, viewer: Viewer) -> Select[CellComment]:
    # Comments and proposals are never public, even once the edition is approved.
    return (
        select(CellComment)
        .join(MatrixEdition, MatrixEdition.id == CellComment.edition_id)
        .where(
            CellComment.edition_id == edition.id,
            visible(CellComment.visibility, viewer, MatrixEdition.state_id),
        )
        .options(selectinload(CellComment.author), selectinload(CellComment.cell_entry))
        .order_by(CellComment.id.desc())
    )


def _proposals(edition: MatrixEdition, viewer: Viewer) -> Select[CellProposal]:
    return (
        select(CellProposal)
        .join(MatrixEdition, MatrixEdition.id == CellProposal.edition_id)
        .where(
            CellProposal.edition_id == edition.id,
            visible(CellProposal.visibility, viewer, MatrixEdition.state_id),
        )
        .options(selectinload(CellProposal.author), selectinload(CellProposal.cell_entry))
        .order_by(CellProposal.id.desc())
    )


def _total(session: Session, statement: Select[T]) -> int:
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return session.scalar(counted) or 0


def edition_review(
    session: Session, *, viewer: Viewer, iso3: str, number: int
) -> tuple[list[CellComment], list[CellProposal]]:
    """Comments and proposals on an edition the caller may see (newest first), for its pages."""
    _, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    comments = session.scalars(_comments(edition, viewer)).all()
    proposals = session.scalars(_proposals(edition, viewer)).all()
    return list(comments), list(proposals)


def review_authors(
    viewer: Viewer, comments: list[CellComment], proposals: list[CellProposal]
) -> dict[int, str]:
    """The authors of these comments and proposals as the viewer may see them, by account id
    (for the pages that show the records themselves; the API's shapes do the same)."""
    authors = [c.author for c in comments] + [p.author for p in proposals]
    return {author.id: shown_actor(account_actor(author), viewer) for author in authors}


def comment_reads(
    session: Session, viewer: Viewer, edition: MatrixEdition, comments: list[CellComment]
) -> list[CommentRead]:
    keys = cell_keys(session, edition.framework_id)
    return [shapes.comment_read(comment, keys, viewer) for comment in comments]


def proposal_actions(
    viewer: Viewer, edition: EditionState, proposals: list[CellProposal]
) -> dict[int, list[str]]:
    """What the viewer may do to each proposal now (accept, reject), by proposal id."""
    return {
        proposal.id: PROPOSAL_RULES.allowed(
            viewer, ProposalState(id=proposal.id, edition=edition, status=proposal.status)
        )
        for proposal in proposals
    }


def proposal_reads(
    session: Session,
    viewer: Viewer,
    state: State,
    edition: MatrixEdition,
    proposals: list[CellProposal],
) -> list[ProposalRead]:
    """The proposals' shapes, each with what the viewer may do to it now."""
    keys = cell_keys(session, edition.framework_id)
    actions = proposal_actions(viewer, edition_state(session, state, edition), proposals)
    return [
        shapes.proposal_read(proposal, keys, actions[proposal.id], viewer) for proposal in proposals
    ]


def review_list(
    session: Session, *, viewer: Viewer, iso3: str, number: int, paging: PageRequest, kind: str
) -> ReviewList:
    """One page of an edition's comments (kind "comments") or proposals, newest first."""
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    items: list[CommentRead] | list[ProposalRead]
    if kind == "comments":
        comments = _comments(edition, viewer)
        total = _total(session, comments)
        page = session.scalars(comments.offset(paging.offset).limit(paging.page_size)).all()
        items = comment_reads(session, viewer, edition, list(page))
    else:
        proposals = _proposals(edition, viewer)
        total = _total(session, proposals)
        chosen = session.scalars(proposals.offset(paging.offset).limit(paging.page_size)).all()
        items = proposal_reads(session, viewer, state, edition, list(chosen))
    return ReviewList(
        **envelope(False),
        state=shapes.state_ref(state),
        edition=number,
        items=items,
        total=total,
        page=paging.page,
        page_size=paging.page_size,
    )


def formula_like_remarks(session: Session, edition: MatrixEdition) -> list[str]:
    """The cells of an edition whose remark starts like a spreadsheet formula (= + - @ tab CR):
    the exports write them safely, but approval warns, since the text is published as it is."""
    keys = cell_keys(session, edition.framework_id)
    first = func.substr(CellEntry.remark, 1, 1)
    cells = session.scalars(
        select(CellEntry.cell_id)
        .where(CellEntry.edition_id == edition.id, first.in_(list(FORMULA_START)))
        .order_by(CellEntry.cell_id)
    )
    return [keys(cell_id) for cell_id in cells]
