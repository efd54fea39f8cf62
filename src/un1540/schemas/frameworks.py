"""Framework shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope


class FrameworkSummary(BaseModel):
    code: str
    version: str
    slug: str = Field(description="code/version, as used in URLs.")
    title: str
    default: bool = Field(description="The version used when none is named.")
    loaded_at: datetime
    sections: int
    fields: int
    cells: int


class FrameworkList(Envelope):
    items: list[FrameworkSummary]
    total: int
    page: int
    page_size: int


class NamedCode(BaseModel):
    code: str
    name: str


class FieldRead(BaseModel):
    code: str
    number: int
    name: str
    section: str
    applies_to: list[str]
    verified: bool = Field(description="Number and name seen in a public approved matrix.")
    cells: list[str] = Field(description="Cell identifiers, {field}:{weapon}:{column}.")


class SectionRead(BaseModel):
    code: str
    title: str
    scope: str
    layout: list[str] = Field(description='["adherence"] or the column kinds of each weapon cell.')
    fields: list[FieldRead]


class FrameworkRead(Envelope):
    framework: FrameworkSummary
    weapon_categories: list[NamedCode]
    column_kinds: list[NamedCode]
    sections: list[SectionRead]


class MigratedState(BaseModel):
    iso3: str
    name: str
    outcome: Literal["opened", "would_open", "skipped"]
    reason: str = Field(default="", description="Why a State was skipped.")
    from_edition: int | None = Field(description="The approved edition the draft is based on.")
    new_edition: int | None = None
    carried: int = Field(default=0, description="Cells of the new draft filled from the old one.")
    dropped: list[str] = Field(
        default_factory=list, description="Old cells with a mark that nothing carries over."
    )


class MigrationReport(BaseModel):
    from_framework: str
    to_framework: str
    mapping: str = Field(description="The mapping file's name.")
    mapping_sha256: str
    dry_run: bool
    mapped_cells: int = Field(description="Old-to-new cell pairs the mapping defines.")
    unmapped_from: list[str] = Field(description="Old cells that nothing carries over.")
    unmapped_to: list[str] = Field(description="New cells that start blank in every draft.")
    dropped_on_purpose: list[str] = Field(description="Old cells the mapping drops explicitly.")
    states: list[MigratedState]


class ObligationLink(BaseModel):
    """One link of a crosswalk: a matrix field and an article on the same subject."""

    field: str = Field(description="Matrix field code.")
    article: str = Field(description="Article id, e.g. cwc:VII.1(a); a bare code: the whole.")
    instrument: str = Field(description="Instrument code: bwc, cwc, cppnm, cppnm_2005, icsant...")
    instrument_short: str
    instrument_name: str
    kind: Literal["treaty", "amendment", "recommendation"]
    citation: str = Field(description="Article and paragraph, e.g. VII.1(a); empty for the whole.")
    number: str = Field(description="The article alone, e.g. VII; empty for the whole instrument.")
    subject: str = Field(description="What the article is about (English).")
    source: str = Field(description="Where the instrument's text is published.")
    confidence: Literal["V", "GK"] = Field(
        description="V: checked against the cited text; GK: general knowledge of the text."
    )
    crosswalk: str = Field(description="The crosswalk and its version, code/version.")
    note: str = ""


class InstrumentRead(BaseModel):
    code: str
    short: str
    name: str
    kind: Literal["treaty", "amendment", "recommendation"]
    source: str
    opened: date = Field(description="Opened for signature (treaties) or adopted.")


class CrosswalkList(Envelope):
    framework: str = Field(description="The framework version whose fields are mapped.")
    crosswalks: list[str] = Field(description="The crosswalk versions used, code/version.")
    instruments: list[InstrumentRead]
    items: list[ObligationLink]
    total: int
    page: int
    page_size: int
