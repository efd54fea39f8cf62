"""The list of open-data downloads."""

from __future__ import annotations

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope


class DownloadRead(BaseModel):
    name: str
    url: str
    media_type: str
    bytes: int
    description: str


class DownloadList(Envelope):
    as_of: str = Field(description="Date of the newest change in the data (YYYY-MM-DD).")
    licence: str
    items: list[DownloadRead]
    total: int
    page: int
    page_size: int
