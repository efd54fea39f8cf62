"""Framework shapes."""

from __future__ import annotations

from datetime import datetime

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
