"""/api/v1/states/{iso3}/editions/{n}: the workflow of an edition, its cells and its review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from un1540.models import CellProposal
from un1540.schemas.matrix import TreatyStatusInput, TreatyStatusRead
from un1540.schemas.text import REASON
from un1540.schemas.vocabularies import enum
from un1540.schemas.workflow import (
    BulkWaiverCreate,
    CellState,
    CellUpdate,
    CommentCreate,
    CommentRead,
    EditionDetail,
    EvidenceCheck,
    ProposalCreate,
    ProposalDecision,
    ProposalRead,
    ReasonRequest,
    ReviewList,
    WaiverCreate,
)
from un1540.services.matrix.actions.cells import edit_cell
from un1540.services.matrix.actions.editions import (
    agree_edition,
    approve_edition,
    discard_draft,
    open_draft,
    reopen_edition,
    share_edition,
)
from un1540.services.matrix.actions.proposals import add_comment, decide_proposal, propose_change
from un1540.services.matrix.actions.treaties import set_treaty_status
from un1540.services.matrix.actions.waivers import waive_open_breaks, waive_rule
from un1540.services.matrix.inputs import CellChange, EvidenceInput
from un1540.services.matrix.reads.editions import edition_detail, find_edition
from un1540.services.matrix.reads.evidence import evidence_check
from un1540.services.matrix.reads.matrix import cell_state
from un1540.services.matrix.reads.review import comment_reads, proposal_reads, review_list
from un1540.web.api.common import (
    ERRORS,
    WRITE_ERRORS,
    CellPath,
    Iso3Path,
    NumberPath,
    RecordIdPath,
)
from un1540.web.deps import PagingDep, SessionDep, SettingsDep, ViewerDep, WriterDep
from un1540.web.responses import json_model

router = APIRouter(tags=["Workflow"])
TreatyFieldPath = Annotated[
    str,
    Path(description="An OP1 treaty field, e.g. op1.cwc.", json_schema_extra=enum("field")),
]
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
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    number: NumberPath,
    reason: Annotated[str, Query(description="Kept in the audit trail."), REASON] = "",
) -> Response:
    discard_draft(session, viewer=viewer, iso3=iso3, number=number, reason=reason)
    return Response(status_code=204)


def _after_transition(session: SessionDep, viewer: WriterDep, iso3: str, number: int) -> Response:
    """The edition as the viewer sees it after the step (approved: public; discarded: gone)."""
    return json_model(edition_detail(session, viewer=viewer, iso3=iso3, number=number))


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
    settings: SettingsDep,
    iso3: Iso3Path,
    number: NumberPath,
    body: ReasonRequest | None = None,
) -> Response:
    """Experts: the State's points of contact can now see it, comment and propose changes. Sets
    `response_due_on`, the State's response deadline (UN1540_REVIEW_PERIOD_DAYS from today)."""
    share_edition(
        session,
        viewer=viewer,
        iso3=iso3,
        number=number,
        reason=_reason(body),
        review_days=settings.review_period_days,
    )
    return _after_transition(session, viewer, iso3, number)


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
    agree_edition(session, viewer=viewer, iso3=iso3, number=number, reason=_reason(body))
    return _after_transition(session, viewer, iso3, number)


@router.post(
    f"{BASE}/reopen",
    summary="Reopen an agreed edition",
    response_model=EditionDetail,
    responses=WRITE_ERRORS,
)
def editions_reopen(
    session: SessionDep,
    viewer: WriterDep,
    settings: SettingsDep,
    iso3: Iso3Path,
    number: NumberPath,
    body: ReasonRequest | None = None,
) -> Response:
    """Experts: back to shared, to change it again; a new response deadline for the State."""
    reopen_edition(
        session,
        viewer=viewer,
        iso3=iso3,
        number=number,
        reason=_reason(body),
        review_days=settings.review_period_days,
    )
    return _after_transition(session, viewer, iso3, number)


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
    State, while proposals await a decision, while a cell breaks an evidence rule that is not
    waived (409, every such cell in `error.details.evidence_problems`), and for a draft the
    State has not agreed to before its `response_due_on` without a `reason` (422). The edition
    records on what it was approved (`approval_basis`)."""
    approve_edition(session, viewer=viewer, iso3=iso3, number=number, reason=_reason(body))
    return _after_transition(session, viewer, iso3, number)


@router.get(
    f"{BASE}/evidence",
    summary="Evidence rules over an edition",
    response_model=EvidenceCheck,
    responses=ERRORS,
)
def editions_evidence(
    session: SessionDep, viewer: ViewerDep, iso3: Iso3Path, number: NumberPath
) -> Response:
    """Every cell that breaks an evidence rule (an X without a cited document and locator, an NA
    without a reason: reference/evidence-rules.yml), waived or not. Approval waits until
    `unwaived` is 0."""
    return json_model(evidence_check(session, viewer=viewer, iso3=iso3, number=number))


@router.post(
    f"{BASE}/waivers",
    summary="Waive every open evidence-rule break with one reason",
    status_code=201,
    response_model=EvidenceCheck,
    responses=WRITE_ERRORS,
)
def editions_waive_all(
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    number: NumberPath,
    body: BulkWaiverCreate,
) -> Response:
    """Experts and the Committee, before approval: every cell that breaks an evidence rule and
    is not waived (only `rule`'s when given) is waived with the one `reason`, each cell audited
    on its own, as if waived one by one. 422 without a reason or when nothing is left to
    waive (nothing written). Answers the edition's evidence check."""
    waive_open_breaks(
        session, viewer=viewer, iso3=iso3, number=number, reason=body.reason, rule=body.rule
    )
    return json_model(
        evidence_check(session, viewer=viewer, iso3=iso3, number=number), status_code=201
    )


@router.post(
    f"{BASE}/cells/{{cell}}/waivers",
    summary="Waive an evidence rule for a cell",
    status_code=201,
    response_model=EvidenceCheck,
    responses=WRITE_ERRORS,
)
def cells_waive(
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    number: NumberPath,
    cell: CellPath,
    body: WaiverCreate,
) -> Response:
    """Experts and the Committee, before approval: the rule no longer blocks approval for this
    cell while it stays at its current version. A `reason` is required (422 without one,
    nothing written); the waiver is audited. Answers the edition's evidence check."""
    waive_rule(
        session,
        viewer=viewer,
        iso3=iso3,
        number=number,
        cell_key=cell,
        rule=body.rule,
        reason=body.reason,
    )
    return json_model(
        evidence_check(session, viewer=viewer, iso3=iso3, number=number), status_code=201
    )


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
    return json_model(
        edit_cell(
            session,
            viewer=viewer,
            iso3=iso3,
            number=number,
            cell_key=cell,
            change=CellChange.from_update(body),
            reason=body.reason,
        )
    )


@router.put(
    f"{BASE}/treaties/{{field}}",
    summary="Record an OP1 treaty status",
    response_model=TreatyStatusRead,
    responses=WRITE_ERRORS,
)
def treaty_status_set(
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    number: NumberPath,
    field: TreatyFieldPath,
    body: TreatyStatusInput,
) -> Response:
    """Experts, on a draft or shared edition: the State's status towards the treaty an OP1 field
    stands for (signed, ratified, acceded, succeeded, not_party), the date of signature and of
    ratification, accession or succession, and who asserted it. A date before the treaty opened
    for signature, in the future, or missing for the status: 422 naming the field."""
    return json_model(
        set_treaty_status(
            session, viewer=viewer, iso3=iso3, number=number, field=field, status=body
        )
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
    return json_model(
        review_list(
            session, viewer=viewer, iso3=iso3, number=number, paging=paging, kind="comments"
        )
    )


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
    _, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    return json_model(comment_reads(session, viewer, edition, [comment])[0], status_code=201)


@router.get(
    f"{BASE}/proposals", summary="Proposed changes", response_model=ReviewList, responses=ERRORS
)
def proposals_list(
    session: SessionDep, viewer: ViewerDep, paging: PagingDep, iso3: Iso3Path, number: NumberPath
) -> Response:
    return json_model(
        review_list(
            session, viewer=viewer, iso3=iso3, number=number, paging=paging, kind="proposals"
        )
    )


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
    """The State's points of contact, on a shared edition. `evidence` cites the State's documents
    (by page, article, paragraph or quotation) as in a cell edit."""
    proposal = propose_change(
        session,
        viewer=viewer,
        iso3=iso3,
        number=number,
        cell_key=body.cell,
        mark=body.mark,
        remark=body.remark,
        reason=body.reason,
        evidence=[EvidenceInput(**item.model_dump()) for item in body.evidence],
    )
    return _proposal_response(session, viewer, iso3, number, proposal, status_code=201)


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
    proposal_id: RecordIdPath,
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
    return _proposal_response(session, viewer, iso3, number, proposal)


def _proposal_response(
    session: SessionDep,
    viewer: WriterDep,
    iso3: str,
    number: int,
    proposal: CellProposal,
    *,
    status_code: int = 200,
) -> Response:
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    read = proposal_reads(session, viewer, state, edition, [proposal])[0]
    return json_model(read, status_code=status_code)
