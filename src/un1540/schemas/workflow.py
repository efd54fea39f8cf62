"""Shapes of the matrix workflow: requests, editions in progress, review, diffs, history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from un1540.models import Mark
from un1540.schemas.common import MAX_RECORD_ID, Envelope, RecordId
from un1540.schemas.matrix import EditionSummary, EvidenceRead, StateRef, TreatyStatusRead
from un1540.schemas.text import (
    ARTICLE,
    COMMENT,
    NOTE,
    PAGE,
    PARAGRAPH,
    PROPOSAL_REASON,
    QUOTATION,
    REASON,
    REMARK,
    Code,
)

MARKS: dict[str, Any] = {"enum": [mark.value for mark in Mark]}


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReasonRequest(_Request):
    reason: Annotated[str, REASON] = Field(default="", description="Why: kept in the audit trail.")


class EvidenceWrite(_Request):
    document_id: RecordId
    page: Annotated[str, PAGE] = ""
    article: Annotated[str, ARTICLE] = ""
    paragraph: Annotated[str, PARAGRAPH] = ""
    quotation: Annotated[str, QUOTATION] = ""


MAX_CITED = 20  # evidence rows a cell edit or a proposal may carry


class CellUpdate(_Request):
    mark: Code = Field(description='"X", "?", "NA" or "" (blank).', json_schema_extra=MARKS)
    remark: Annotated[str, REMARK] = ""
    version: int = Field(
        ge=1,
        le=MAX_RECORD_ID,
        description="The cell's version you edited; a stale one answers 409.",
    )
    evidence: list[EvidenceWrite] | None = Field(
        default=None, description="Replaces the cell's evidence; omit to leave it as it is."
    )
    reason: Annotated[str, REASON] = ""


class CellState(Envelope):
    state: StateRef
    edition: int
    edition_status: str
    cell: str
    field: str
    field_name: str
    section: str
    section_title: str
    weapon: str
    weapon_name: str
    column: str
    column_name: str
    mark: str
    remark: str
    version: int
    evidence: list[EvidenceRead]
    instrument: str | None = Field(
        default=None,
        description="OP1 treaty fields: the instrument the cell stands for (e.g. cwc); null "
        "for every other cell.",
    )
    treaty: TreatyStatusRead | None = Field(
        default=None, description="OP1 treaty fields: the recorded treaty status, if any."
    )


class EditionDetail(Envelope):
    state: StateRef
    edition: EditionSummary
    based_on: int | None = Field(description="The approved edition this one was opened from.")
    created_by: str
    created_at: datetime
    shared_at: datetime | None
    agreed_at: datetime | None
    approved_at: datetime | None
    approved_by: str
    revision: int
    pending_proposals: int
    comments: int
    response_due_on: date | None = Field(
        description="The State's review period: the last day for its response, set when the "
        "draft is shared (or reopened); null before it is shared and for recorded editions."
    )
    approval_basis: str | None = Field(
        description="On what the approval stood: state_agreed (the State agreed), "
        "deadline_passed (the State did not answer by response_due_on) or committee_reason "
        "(approved before the deadline without agreement, for approval_basis_reason); null "
        "before approval and for editions approved before it was recorded.",
        json_schema_extra={"enum": ["state_agreed", "deadline_passed", "committee_reason", None]},
    )
    approval_basis_reason: str = Field(
        description="The Committee's reason, when approval_basis is committee_reason."
    )
    allowed_actions: list[str] = Field(
        description="What you may do to this edition now: share, agree, reopen, approve, discard, "
        "edit_cells, import, propose, comment, waive."
    )


class CommentCreate(_Request):
    cell: Code = Field(description="Cell identifier, e.g. op2.use:cw:legal_framework.")
    body: Annotated[str, COMMENT] = Field(min_length=1)


class CommentRead(BaseModel):
    id: int
    cell: str
    author: str
    body: str
    created_at: datetime


class ProposalCreate(_Request):
    cell: Code
    mark: Code = Field(description='"X", "?", "NA" or "" (blank).', json_schema_extra=MARKS)
    remark: Annotated[str, REMARK] = ""
    reason: Annotated[str, PROPOSAL_REASON] = ""
    evidence: list[EvidenceWrite] = Field(
        default_factory=list,
        max_length=MAX_CITED,
        description="Documents of the State that support the proposal, by page, article, "
        "paragraph or quotation; accepted, they become the cell's evidence.",
    )


class CitedEvidence(BaseModel):
    """A document cited by a proposal, by its number and the place in it."""

    document_id: int
    page: str
    article: str
    paragraph: str
    quotation: str


class ProposalDecision(_Request):
    accept: bool
    note: Annotated[str, NOTE] = ""


class ProposalRead(BaseModel):
    id: int
    cell: str
    author: str
    mark: str
    remark: str
    reason: str
    evidence: list[CitedEvidence]
    base_version: int
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    created_at: datetime
    allowed_actions: list[str] = Field(
        description="What you may do to this proposal now: accept, reject."
    )


class WaiverCreate(_Request):
    rule: Code = Field(description="The rule to waive, e.g. x_requires_evidence.")
    reason: Annotated[str, REASON] = Field(
        default="",
        description="Why the rule does not apply to this cell (required: an empty reason "
        "answers 422 and nothing is written; kept with the edition and in the audit trail).",
    )


class BulkWaiverCreate(_Request):
    reason: Annotated[str, REASON] = Field(
        default="",
        description="One reason for every cell waived (required: an empty reason answers 422 "
        "and nothing is written); each cell gets its own waiver and audit event.",
    )
    rule: Code = Field(
        default="",
        description="Waive only this rule's breaks (e.g. x_requires_evidence); every rule "
        "when empty.",
    )


class EvidenceProblem(BaseModel):
    cell: str
    rule: str
    mark: str
    message: str
    fix: str
    waived: bool = Field(description="Waived for the cell at its current version.")
    waiver_reason: str | None
    waived_at: datetime | None


class EvidenceCheck(Envelope):
    state: StateRef
    edition: int
    rules_version: str
    problems: list[EvidenceProblem] = Field(
        description="Every cell that breaks an evidence rule (reference/evidence-rules.yml), "
        "waived or not, in the matrix's order."
    )
    unwaived: int = Field(description="How many still block approval.")
    waived: int


class ReviewList(Envelope):
    state: StateRef
    edition: int
    items: list[CommentRead] | list[ProposalRead]
    total: int
    page: int
    page_size: int


class CellValue(BaseModel):
    mark: str
    remark: str


class CellDifference(BaseModel):
    cell: str
    section: str
    field: str
    field_name: str
    weapon: str
    column: str
    change: str = Field(
        description="gained (now X), lost (no longer X) or changed (other mark or remark)."
    )
    reconstructed: bool = Field(
        default=False,
        description="True when the field's number and wording were reconstructed, not "
        "verified against the Committee's template.",
    )
    before: CellValue | None
    after: CellValue | None


class ChangeCount(BaseModel):
    key: str
    label: str
    gained: int
    lost: int
    changed: int


class EditionDiff(Envelope):
    state: StateRef
    before: EditionSummary
    after: EditionSummary
    gained: int
    lost: int
    changed: int
    unchanged: int
    by_section: list[ChangeCount]
    by_weapon: list[ChangeCount]
    cells: list[CellDifference]


class CellInEdition(BaseModel):
    edition: int
    status: str
    approved_on: date | None
    mark: str
    remark: str
    version: int
    evidence: list[EvidenceRead]


class CellEvent(BaseModel):
    occurred_at: datetime
    actor: str
    action: str
    edition: int
    before: dict[str, object] | None
    after: dict[str, object] | None
    reason: str


class CellHistory(Envelope):
    state: StateRef
    cell: str
    field: str
    field_name: str
    section: str
    weapon: str
    column: str
    editions: list[CellInEdition]
    events: list[CellEvent] = Field(
        description="Every recorded change (Committee side and the State only)."
    )


class TreatyChange(BaseModel):
    cell: str
    before: dict[str, str | None] | None = Field(
        description="The treaty status recorded now (status, signed_on, status_on, asserted_by); "
        "null when none is recorded."
    )
    after: dict[str, str | None] | None = Field(
        description="The treaty status the file gives; null when the file clears it (its treaty "
        "columns are present and empty for this cell)."
    )


class StateImport(BaseModel):
    state: StateRef
    edition: int = Field(description="The draft the cells went (or would go) into.")
    opened_draft: bool = Field(description="A new draft was (or would be) opened for the import.")
    changes: list[CellDifference]
    unchanged: int
    treaty_changes: list[TreatyChange] = Field(
        default_factory=list, description="OP1 treaty statuses the import sets or clears."
    )


class ImportReport(Envelope):
    dry_run: bool = Field(description="True: nothing was written; this is what would change.")
    file: str
    states: list[StateImport]
    changed: int
    unchanged: int
    treaty_changed: int = Field(default=0, description="Treaty statuses set or cleared.")
