"""The list of open-data downloads."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from un1540.schemas.builds import BuildRead
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
    data_version: str | None = Field(
        default=None, description="The version of the data the files were built from."
    )
    built_at: datetime | None = Field(default=None, description="When the files were built.")
    newer_build: BuildRead | None = Field(
        default=None,
        description="A build of newer data under way; the files listed are served until it "
        "is ready. Until the first build is ready the list is empty.",
    )
    items: list[DownloadRead]
    total: int
    page: int
    page_size: int
