"""Matrix, edition, cell and evidence shapes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from un1540.reference.languages import N_
from un1540.schemas.common import Envelope
from un1540.schemas.frameworks import ObligationLink
from un1540.schemas.tallies import TallyRead
from un1540.schemas.text import REASON

MATRIX_DISCLAIMER = N_(
    "The 1540 matrix is a reference tool for facilitating assistance and dialogue with States. "
    "It is not a tool for measuring compliance; a mark records information, not a verdict."
)


class StateRef(BaseModel):
    iso3: str
    name: str


class DocumentRef(BaseModel):
    id: int
    kind: str
    title: str
    symbol: str
    issued_on: date | None
    language: str
    url: str


class EvidenceRead(BaseModel):
    document: DocumentRef
    page: str
    article: str
    paragraph: str
    quotation: str


TreatyStatus = Literal["signed", "ratified", "acceded", "succeeded", "not_party"]
AssertedBy = Literal["state_report", "committee_finding", "organisation_information"]


class TreatyStatusRead(BaseModel):
    """An OP1 treaty field's status as data (the Committee's "relevant information" column)."""

    instrument: str = Field(description="Instrument code, e.g. cwc (see /api/v1/crosswalk).")
    status: TreatyStatus
    signed_on: date | None = Field(description="Date of signature, if signed.")
    status_on: date | None = Field(
        description="Date of ratification, accession or succession (deposit of the instrument)."
    )
    asserted_by: AssertedBy = Field(
        description="Who asserted it: the State's report, a Committee finding, or an "
        "organisation's information."
    )


class TreatyStatusInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: TreatyStatus
    signed_on: date | None = None
    status_on: date | None = None
    asserted_by: AssertedBy
    reason: Annotated[str, REASON] = Field(default="", description="Why: kept in the audit trail.")


class CellRead(BaseModel):
    id: str = Field(
        description="{field}:{weapon}:{column}, e.g. op2.manufacture:cw:legal_framework"
    )
    weapon: str
    column: str
    mark: str = Field(description='"X", "?", "NA" or "" (blank: no information).')
    remark: str
    evidence: list[EvidenceRead]
    treaty: TreatyStatusRead | None = Field(
        default=None, description="OP1 treaty fields: the recorded treaty status, if any."
    )


class MatrixFieldRead(BaseModel):
    code: str
    number: int
    name: str
    verified: bool
    reconstructed: bool = Field(
        description="True when the field's number and wording were reconstructed from the "
        "resolution and published matrices, not verified against the Committee's template "
        "(the opposite of `verified`)."
    )
    applies_to: list[str]
    cells: list[CellRead]


class MatrixSectionRead(BaseModel):
    code: str
    title: str
    layout: list[str]
    fields: list[MatrixFieldRead]
    tally: TallyRead


class EditionSummary(BaseModel):
    number: int
    status: str
    approved_on: date | None
    framework: str
    origin: str
    tally: TallyRead


class EditionList(Envelope):
    state: StateRef
    items: list[EditionSummary]
    total: int
    page: int
    page_size: int


class MatrixRead(Envelope):
    state: StateRef
    edition: EditionSummary
    disclaimer: str = MATRIX_DISCLAIMER
    weapon_categories: dict[str, str]
    column_kinds: dict[str, str]
    sections: list[MatrixSectionRead]


class FieldStateRow(BaseModel):
    state: StateRef
    group: str | None
    edition: int
    approved_on: date | None
    marks: dict[str, str] = Field(description="Cell identifier -> mark.")
    tally: TallyRead
    treaty: TreatyStatusRead | None = Field(
        default=None, description="OP1 treaty fields: the State's recorded treaty status."
    )


class FieldInfo(BaseModel):
    code: str
    number: int
    name: str
    section: str
    section_title: str
    framework: str
    applies_to: list[str]
    verified: bool
    obligations: list[ObligationLink] = Field(
        default_factory=list,
        description="Articles of related instruments on the same subject (the crosswalk).",
    )


class FieldAcrossStates(Envelope):
    field: FieldInfo
    cells: list[str]
    items: list[FieldStateRow]
    total: int
    page: int
    page_size: int
    tally: TallyRead = Field(description="All States' cells of this field together.")
    treaty_counts: dict[str, int] = Field(
        default_factory=dict,
        description="OP1 treaty fields: States by recorded status (and not_recorded).",
    )
    asserted_counts: dict[str, int] = Field(
        default_factory=dict,
        description="OP1 treaty fields: recorded statuses by who asserted them.",
    )


class MatrixBundle(Envelope):
    """Several States' matrices in one file."""

    disclaimer: str = MATRIX_DISCLAIMER
    matrices: list[MatrixRead]
