"""/api/v1/states/{iso3}/editions/{n}: the workflow of an edition, its cells and its review."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from un1540.models import CellComment, CellProposal, MatrixEdition
from un1540.schemas.matrix import StateRef
from un1540.schemas.workflow import (
    CellState,
    CellUpdate,
    CommentCreate,
    CommentRead,
    EditionDetail,
    ProposalCreate,
    ProposalDecision,
    ProposalRead,
    ReasonRequest,
    ReviewList,
)
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.envelope import envelope
from un1540.services.matrix.edition_reads import cell_state, detail_of, edition_detail
from un1540.services.matrix.editions import EvidenceInput
from un1540.services.matrix.frameworks import cell_keys
from un1540.services.matrix.review import (
    add_comment,
    decide_proposal,
    edition_review,
    propose_change,
)
from un1540.services.matrix.workflow import (
    CellChange,
    agree_edition,
    approve_edition,
    discard_draft,
    find_edition,
    open_draft,
    reopen_edition,
    share_edition,
    update_cell,
)
from un1540.web.api.common import ERRORS, WRITE_ERRORS, CellPath, Iso3Path, NumberPath
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.responses import json_model

router = APIRouter(tags=["Workflow"])
BASE = "/states/{iso3}/editions/{number}"


@router.post(
    "/states/{iso3}/editions",
    summary="Open a draft",
    status_code=201,
    response_model=EditionDetail,
    responses=WRITE_ERRORS,
)
def editions_open(
    session: SessionDep, viewer: WriterDep, iso3: Iso3Path, body: ReasonRequest | None = None
) -> Response:
    """Experts: a new draft, copied from the State's latest approved edition with its evidence."""
    edition = open_draft(session, viewer=viewer, iso3=iso3, reason=_reason(body))
    session.commit()
    return json_model(
        edition_detail(session, viewer=viewer, iso3=iso3, number=edition.number), status_code=201
    )


@router.get(
    BASE, summary="One edition and its workflow", response_model=EditionDetail, responses=ERRORS
)
def editions_detail(
    session: SessionDep, viewer: ViewerDep, iso3: Iso3Path, number: NumberPath
) -> Response:
    """Status, who opened it from which edition, when it was shared, agreed and approved."""
    return json_model(edition_detail(session, viewer=viewer, iso3=iso3, number=number))


@router.delete(BASE, summary="Discard an unshared draft", status_code=204, responses=WRITE_ERRORS)
def editions_discard(
    session: SessionDep, viewer: WriterDep, iso3: Iso3Path, number: NumberPath, reason: str = ""
) -> Response:
    discard_draft(session, viewer=viewer, iso3=iso3, number=number, reason=reason)
    session.commit()
    return Response(status_code=204)


def _after_transition(
    session: Session, viewer: Viewer, iso3: str, edition: MatrixEdition
) -> Response:
    session.commit()
    state, _ = find_edition(session, viewer=viewer, iso3=iso3, number=edition.number)
    return json_model(detail_of(session, viewer, state, edition))


def _reason(body: ReasonRequest | None) -> str:
    return body.reason if body else ""


@router.post(
    f"{BASE}/share",
    summary="Share a draft with the State",
    response_model=EditionDetail,
    responses=WRITE_ERRORS,
)
def editions_share(
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    number: NumberPath,
    body: ReasonRequest | None = None,
) -> Response:
    """Experts: the State's points of contact can now see it, comment and propose changes."""
    edition = share_edition(session, viewer=viewer, iso3=iso3, number=number, reason=_reason(body))
    return _after_transition(session, viewer, iso3, edition)


@router.post(
    f"{BASE}/agree",
    summary="Record agreement",
    response_model=EditionDetail,
    responses=WRITE_ERRORS,
)
def editions_agree(
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    number: NumberPath,
    body: ReasonRequest | None = None,
) -> Response:
    """The State's point of contact (or an expert). Refused while proposals await a decision."""
    edition = agree_edition(session, viewer=viewer, iso3=iso3, number=number, reason=_reason(body))
    return _after_transition(session, viewer, iso3, edition)


@router.post(
    f"{BASE}/reopen",
    summary="Reopen an agreed edition",
    response_model=EditionDetail,
    responses=WRITE_ERRORS,
)
def editions_reopen(
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    number: NumberPath,
    body: ReasonRequest | None = None,
) -> Response:
    """Experts: back to shared, to change it again."""
    edition = reopen_edition(session, viewer=viewer, iso3=iso3, number=number, reason=_reason(body))
    return _after_transition(session, viewer, iso3, edition)


@router.post(
    f"{BASE}/approve",
    summary="Approve and publish",
    response_model=EditionDetail,
    responses=WRITE_ERRORS,
)
def editions_approve(
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    number: NumberPath,
    body: ReasonRequest | None = None,
) -> Response:
    """The committee: published and frozen for ever. Refused for a draft never shared with the
    State and while proposals await a decision."""
    edition = approve_edition(
        session, viewer=viewer, iso3=iso3, number=number, reason=_reason(body)
    )
    return _after_transition(session, viewer, iso3, edition)


@router.get(
    f"{BASE}/cells/{{cell}}",
    summary="One cell of an edition",
    response_model=CellState,
    responses=ERRORS,
)
def cells_read(
    session: SessionDep, viewer: ViewerDep, iso3: Iso3Path, number: NumberPath, cell: CellPath
) -> Response:
    """The cell's mark, remark, evidence and `version` (send it back when you edit)."""
    return json_model(cell_state(session, viewer=viewer, iso3=iso3, number=number, cell_key=cell))


@router.patch(
    f"{BASE}/cells/{{cell}}",
    summary="Edit a cell",
    response_model=CellState,
    responses=WRITE_ERRORS,
)
def cells_update(
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    number: NumberPath,
    cell: CellPath,
    body: CellUpdate,
) -> Response:
    """Experts, on a draft or shared edition. A stale `version` answers 409 with both versions in
    `error.details.current` and `error.details.yours`; nothing is written."""
    evidence = (
        None
        if body.evidence is None
        else [EvidenceInput(**item.model_dump()) for item in body.evidence]
    )
    change = CellChange(mark=body.mark, remark=body.remark, version=body.version, evidence=evidence)
    update_cell(
        session,
        viewer=viewer,
        iso3=iso3,
        number=number,
        cell_key=cell,
        change=change,
        reason=body.reason,
    )
    session.commit()
    return json_model(cell_state(session, viewer=viewer, iso3=iso3, number=number, cell_key=cell))


def _cell_key(session: Session, framework_id: int, cell_id: int) -> str:
    return cell_keys(session, framework_id)(cell_id)


def _comment(session: Session, framework_id: int, comment: CellComment) -> CommentRead:
    return CommentRead(
        id=comment.id,
        cell=_cell_key(session, framework_id, comment.cell_entry.cell_id),
        author=comment.author.email,
        body=comment.body,
        created_at=comment.created_at,
    )


def _proposal(session: Session, framework_id: int, proposal: CellProposal) -> ProposalRead:
    return ProposalRead(
        id=proposal.id,
        cell=_cell_key(session, framework_id, proposal.cell_entry.cell_id),
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
    )


def _review_list(
    session: Session, viewer: ViewerDep, iso3: str, number: int, paging: PagingDep, kind: str
) -> ReviewList:
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    comments, proposals = edition_review(session, viewer=viewer, iso3=iso3, number=number)
    items: list[CommentRead] | list[ProposalRead]
    if kind == "comments":
        items = [_comment(session, edition.framework_id, c) for c in paging.cut(comments)]
        total = len(comments)
    else:
        items = [_proposal(session, edition.framework_id, p) for p in paging.cut(proposals)]
        total = len(proposals)
    return ReviewList(
        **envelope(False),
        state=StateRef(iso3=state.iso3, name=state.short_name),
        edition=number,
        items=items,
        total=total,
        page=paging.page,
        page_size=paging.page_size,
    )


@router.get(
    f"{BASE}/comments",
    summary="Comments on an edition",
    response_model=ReviewList,
    responses=ERRORS,
)
def comments_list(
    session: SessionDep, viewer: ViewerDep, paging: PagingDep, iso3: Iso3Path, number: NumberPath
) -> Response:
    """Newest first. Never public: the Committee side and the State's points of contact."""
    return json_model(_review_list(session, viewer, iso3, number, paging, "comments"))


@router.post(
    f"{BASE}/comments",
    summary="Comment on a cell",
    status_code=201,
    response_model=CommentRead,
    responses=WRITE_ERRORS,
)
def comments_create(
    session: SessionDep, viewer: WriterDep, iso3: Iso3Path, number: NumberPath, body: CommentCreate
) -> Response:
    comment = add_comment(
        session, viewer=viewer, iso3=iso3, number=number, cell_key=body.cell, body=body.body
    )
    session.commit()
    _, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    return json_model(_comment(session, edition.framework_id, comment), status_code=201)


@router.get(
    f"{BASE}/proposals", summary="Proposed changes", response_model=ReviewList, responses=ERRORS
)
def proposals_list(
    session: SessionDep, viewer: ViewerDep, paging: PagingDep, iso3: Iso3Path, number: NumberPath
) -> Response:
    return json_model(_review_list(session, viewer, iso3, number, paging, "proposals"))


@router.post(
    f"{BASE}/proposals",
    summary="Propose a change to a cell",
    status_code=201,
    response_model=ProposalRead,
    responses=WRITE_ERRORS,
)
def proposals_create(
    session: SessionDep, viewer: WriterDep, iso3: Iso3Path, number: NumberPath, body: ProposalCreate
) -> Response:
    """The State's points of contact, on a shared edition."""
    proposal = propose_change(
        session,
        viewer=viewer,
        iso3=iso3,
        number=number,
        cell_key=body.cell,
        mark=body.mark,
        remark=body.remark,
        reason=body.reason,
    )
    session.commit()
    _, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    return json_model(_proposal(session, edition.framework_id, proposal), status_code=201)


@router.post(
    f"{BASE}/proposals/{{proposal_id}}/decision",
    summary="Accept or reject a proposal",
    response_model=ProposalRead,
    responses=WRITE_ERRORS,
)
def proposals_decide(
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    number: NumberPath,
    proposal_id: int,
    body: ProposalDecision,
) -> Response:
    """Experts. Accepting writes the proposed mark and remark to the cell."""
    proposal = decide_proposal(
        session,
        viewer=viewer,
        iso3=iso3,
        number=number,
        proposal_id=proposal_id,
        accept=body.accept,
        note=body.note,
    )
    session.commit()
    _, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    return json_model(_proposal(session, edition.framework_id, proposal))
