"""Wire shapes of the library: a document's provisions, search results, laws like this."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope


class ProvisionLinkRead(BaseModel):
    kind: str = Field(description="penalty_for (a penalty provision punishing it) or refers_to.")
    provision_id: int
    label: str


class ProvisionRead(BaseModel):
    id: int
    document_id: int
    position: int
    parent_id: int | None
    kind: str = Field(
        description="article, section, paragraph, item, chapter, part, title, schedule"
    )
    level: int = Field(description="1 containers, 2 articles and sections, 3 paragraphs and items")
    number: str = Field(description="Canonical number: 12, 120-1, 6 bis, L.2342-3, 205.1")
    label: str = Field(description="The heading as written: 第十二条, Статья 205.1")
    heading: str
    text: str
    start: int = Field(description="Character offsets in the document's text")
    end: int
    page: int
    page_end: int
    language: str
    refers_to: list[ProvisionLinkRead]


class ProvisionList(Envelope):
    document_id: int
    text_status: str | None = Field(description="ready, reading (OCR under way) or failed")
    progress: int | None
    items: list[ProvisionRead]


class SnippetSegment(BaseModel):
    text: str
    match: bool


class SearchHitRead(BaseModel):
    document_id: int
    document_title: str
    state: str | None
    kind: str
    language: str
    issued_on: date | None
    provision_id: int | None
    provision_label: str | None
    page: int | None
    score: float
    snippet: list[SnippetSegment]


class SearchResults(Envelope):
    query: str
    items: list[SearchHitRead]
    total: int
    page: int
    page_size: int


class SimilarProvisionRead(BaseModel):
    provision_id: int
    label: str
    heading: str
    document_id: int
    document_title: str
    state: str | None
    language: str
    score: float
    excerpt: str


class SimilarProvisions(Envelope):
    provision_id: int
    items: list[SimilarProvisionRead]
