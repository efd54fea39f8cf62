"""Matrix, edition, cell and evidence shapes."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from un1540.reference.languages import N_
from un1540.schemas.common import Envelope
from un1540.schemas.frameworks import ObligationLink
from un1540.schemas.tallies import TallyRead

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


class CellRead(BaseModel):
    id: str = Field(
        description="{field}:{weapon}:{column}, e.g. op2.manufacture:cw:legal_framework"
    )
    weapon: str
    column: str
    mark: str = Field(description='"X", "?", "NA" or "" (blank: no information).')
    remark: str
    evidence: list[EvidenceRead]


class MatrixFieldRead(BaseModel):
    code: str
    number: int
    name: str
    verified: bool
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


class MatrixBundle(Envelope):
    """Several States' matrices in one file."""

    disclaimer: str = MATRIX_DISCLAIMER
    matrices: list[MatrixRead]
