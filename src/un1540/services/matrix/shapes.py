"""Matrix rows -> wire shapes (schemas/): the only place that maps them."""

from __future__ import annotations

from collections.abc import Callable

from un1540.analytics.coverage import Tally
from un1540.models import CellComment, CellProposal, MatrixEdition, Origin, State
from un1540.schemas.matrix import EditionSummary, StateRef
from un1540.schemas.workflow import CommentRead, EditionDetail, ProposalRead
from un1540.services.kernel.envelope import envelope
from un1540.services.matrix.counting import tally_read


def state_ref(state: State) -> StateRef:
    return StateRef(iso3=state.iso3, name=state.short_name)


def edition_summary(edition: MatrixEdition, framework_slug: str, tally: Tally) -> EditionSummary:
    return EditionSummary(
        number=edition.number,
        status=edition.status.value,
        approved_on=edition.approved_on,
        framework=framework_slug,
        origin=edition.origin.value,
        tally=tally_read(tally),
    )


def edition_detail(
    edition: MatrixEdition,
    *,
    state: State,
    framework_slug: str,
    tally: Tally,
    based_on: MatrixEdition | None,
    pending_proposals: int,
    comments: int,
    allowed_actions: list[str],
) -> EditionDetail:
    return EditionDetail(
        **envelope(edition.origin is Origin.demo),
        state=state_ref(state),
        edition=edition_summary(edition, framework_slug, tally),
        based_on=based_on.number if based_on else None,
        created_by=edition.created_by,
        created_at=edition.created_at,
        shared_at=edition.shared_at,
        agreed_at=edition.agreed_at,
        approved_at=edition.approved_at,
        approved_by=edition.approved_by,
        revision=edition.revision,
        pending_proposals=pending_proposals,
        comments=comments,
        allowed_actions=allowed_actions,
    )


def comment_read(comment: CellComment, cell_key: Callable[[int], str]) -> CommentRead:
    return CommentRead(
        id=comment.id,
        cell=cell_key(comment.cell_entry.cell_id),
        author=comment.author.email,
        body=comment.body,
        created_at=comment.created_at,
    )


def proposal_read(
    proposal: CellProposal, cell_key: Callable[[int], str], allowed_actions: list[str]
) -> ProposalRead:
    return ProposalRead(
        id=proposal.id,
        cell=cell_key(proposal.cell_entry.cell_id),
        author=proposal.author.email,
        mark=proposal.mark.value,
        remark=proposal.remark,
        reason=proposal.reason,
        base_version=proposal.base_revision,
        status=proposal.status.value,
        decided_by=proposal.decided_by.email if proposal.decided_by else None,
        decided_at=proposal.decided_at,
        decision_note=proposal.decision_note,
        created_at=proposal.created_at,
        allowed_actions=allowed_actions,
    )
