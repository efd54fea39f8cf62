"""Document shapes: national reports, addenda, laws and other sources the matrix cites."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from un1540.models import Visibility
from un1540.schemas.common import FACETS_FIELD, Envelope, Facets
from un1540.schemas.matrix import StateRef
from un1540.schemas.text import REASON


class FileRead(BaseModel):
    name: str
    size: int | None
    content_type: str
    sha256: str
    url: str = Field(description="Where to download it (visibility rules apply).")


class DocumentRead(BaseModel):
    id: int
    kind: str
    title: str
    symbol: str
    issued_on: date | None
    language: str
    url: str
    state: str | None
    visibility: str
    origin: str
    file: FileRead | None
    created_at: datetime


class DocumentList(Envelope):
    state: StateRef
    items: list[DocumentRead]
    total: int
    page: int
    page_size: int
    facets: Facets | None = FACETS_FIELD


class DocumentDetail(Envelope):
    document: DocumentRead


class DocumentVisibilityChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visibility: Visibility = Field(
        description="committee, owning_state_and_committee, states_and_providers or public."
    )
    reason: Annotated[str, REASON] = Field(default="", description="Why: kept in the audit trail.")
    confirm: bool = Field(
        default=False,
        description="Must be true to widen who may see the document (narrowing needs nothing).",
    )
