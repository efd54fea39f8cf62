"""The State's review of a shared draft: comments on cells, proposed changes and decisions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from un1540.errors import Conflict, Forbidden, InvalidData, NotFound, Problem
from un1540.models import (
    CellComment,
    CellProposal,
    EditionStatus,
    MatrixEdition,
    ProposalStatus,
    Role,
    State,
)
from un1540.models.base import utc_now
from un1540.services.kernel.access import Viewer, require, speaks_for, visible
from un1540.services.kernel.audit import record_event
from un1540.services.matrix.editions import MARK_VALUES
from un1540.services.matrix.workflow import (
    CellChange,
    apply_cell_change,
    entry_for,
    find_edition,
    require_editable,
)

MAX_TEXT = 10000


def _require_reviewer(viewer: Viewer, state: State, action: str) -> None:
    """The Committee side, or a point of contact of this State (with a token that may write)."""
    if speaks_for(viewer, state.id):
        if not viewer.can_write:
            raise Forbidden(f"a read-only token may not {action}")
        return
    require(viewer, Role.expert, Role.committee, action=action)


def _require_open_for_review(edition: MatrixEdition) -> None:
    if edition.status is EditionStatus.approved:
        raise Conflict(f"edition {edition.number} is approved: comments and proposals are closed")


def add_comment(
    session: Session, *, viewer: Viewer, iso3: str, number: int, cell_key: str, body: str
) -> CellComment:
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    _require_reviewer(viewer, state, "comment on cells")
    _require_open_for_review(edition)
    text = body.strip()
    if not text or len(text) > MAX_TEXT:
        raise InvalidData(
            "the comment was not saved",
            problems=[Problem("body", f"must have 1 to {MAX_TEXT} characters")],
        )
    entry = entry_for(session, edition, cell_key)
    assert viewer.user_id is not None  # _require_reviewer guarantees a signed-in account
    comment = CellComment(
        edition_id=edition.id, cell_entry_id=entry.id, author_id=viewer.user_id, body=text
    )
    session.add(comment)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="comment.add",
        entity_type="cell_comment",
        entity_id=str(comment.id),
        after={"edition": f"{state.iso3}/{number}", "cell": cell_key, "body": text},
    )
    return comment


def propose_change(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    number: int,
    cell_key: str,
    mark: str,
    remark: str,
    reason: str,
) -> CellProposal:
    """A State's point of contact proposes a mark and remark for a cell of a shared draft."""
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    if not speaks_for(viewer, state.id):
        require(viewer, Role.state_poc, action="propose changes")
        raise Forbidden("only the State's own points of contact may propose changes to its matrix")
    if not viewer.can_write:
        raise Forbidden("a read-only token may not propose changes")
    if edition.status is not EditionStatus.shared:
        raise Conflict(
            f"changes are proposed on a shared edition; edition {number} is {edition.status.value}"
        )
    problems = []
    if mark not in MARK_VALUES:
        problems.append(
            Problem("mark", f"{mark!r} is not one of X, ?, NA or blank (an empty string)")
        )
    if len(remark) > MAX_TEXT or len(reason) > MAX_TEXT:
        problems.append(
            Problem("remark", f"remark and reason may have up to {MAX_TEXT} characters")
        )
    if problems:
        raise InvalidData("the proposal was not saved", problems=problems)
    entry = entry_for(session, edition, cell_key)
    if entry.mark.value == mark and entry.remark == remark:
        raise InvalidData(
            "the proposal was not saved", problems=[Problem("mark", "the cell already says this")]
        )
    assert viewer.user_id is not None
    proposal = CellProposal(
        edition_id=edition.id,
        cell_entry_id=entry.id,
        author_id=viewer.user_id,
        mark=MARK_VALUES[mark],
        remark=remark,
        reason=reason.strip(),
        base_revision=entry.revision,
        status=ProposalStatus.pending,
    )
    session.add(proposal)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="proposal.create",
        entity_type="cell_proposal",
        entity_id=str(proposal.id),
        reason=reason,
        after={
            "edition": f"{state.iso3}/{number}",
            "cell": cell_key,
            "mark": mark,
            "remark": remark,
        },
    )
    return proposal


def decide_proposal(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    number: int,
    proposal_id: int,
    accept: bool,
    note: str = "",
) -> CellProposal:
    """An expert accepts (the cell takes the proposed values) or rejects a pending proposal."""
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    proposal = session.scalars(
        select(CellProposal)
        .join(MatrixEdition, MatrixEdition.id == CellProposal.edition_id)
        .where(
            CellProposal.id == proposal_id,
            CellProposal.edition_id == edition.id,
            visible(CellProposal.visibility, viewer, MatrixEdition.state_id),
        )
    ).one_or_none()
    if proposal is None:
        raise NotFound(f"no proposal {proposal_id} on edition {number} of {state.iso3}")
    require(viewer, Role.expert, action="decide on proposals")
    if proposal.status is not ProposalStatus.pending:
        raise Conflict(f"proposal {proposal_id} was already {proposal.status.value}")
    if accept:
        require_editable(edition, state)
        entry = proposal.cell_entry
        change = CellChange(
            mark=proposal.mark.value, remark=proposal.remark, version=entry.revision
        )
        apply_cell_change(
            session,
            edition=edition,
            state=state,
            entry=entry,
            change=change,
            actor=viewer.actor,
            reason=f"accepted proposal {proposal.id}: {proposal.reason}".strip(),
            action="cell.accept_proposal",
        )
    assert viewer.user_id is not None
    proposal.status = ProposalStatus.accepted if accept else ProposalStatus.rejected
    proposal.decided_by_id = viewer.user_id
    proposal.decided_at = utc_now()
    proposal.decision_note = note.strip()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action=f"proposal.{proposal.status.value}",
        entity_type="cell_proposal",
        entity_id=str(proposal.id),
        reason=note,
        after={"status": proposal.status.value},
    )
    return proposal


def edition_review(
    session: Session, *, viewer: Viewer, iso3: str, number: int
) -> tuple[list[CellComment], list[CellProposal]]:
    """Comments and proposals on an edition the caller may see (newest first)."""
    _, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    # Comments and proposals are never public, even once the edition is approved.
    comments = session.scalars(
        select(CellComment)
        .join(MatrixEdition, MatrixEdition.id == CellComment.edition_id)
        .where(
            CellComment.edition_id == edition.id,
            visible(CellComment.visibility, viewer, MatrixEdition.state_id),
        )
        .options(selectinload(CellComment.author), selectinload(CellComment.cell_entry))
        .order_by(CellComment.id.desc())
    ).all()
    proposals = session.scalars(
        select(CellProposal)
        .join(MatrixEdition, MatrixEdition.id == CellProposal.edition_id)
        .where(
            CellProposal.edition_id == edition.id,
            visible(CellProposal.visibility, viewer, MatrixEdition.state_id),
        )
        .options(selectinload(CellProposal.author), selectinload(CellProposal.cell_entry))
        .order_by(CellProposal.id.desc())
    ).all()
    return list(comments), list(proposals)
