"""A background build of files (the open data, every State's matrices): where it stands."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope


class BuildRead(BaseModel):
    id: int
    kind: str = Field(
        description="open_data, or matrices.FORMAT (every State's matrices; "
        "matrices.FORMAT.LANGUAGE in a language other than English)."
    )
    format: str | None = Field(
        default=None, description="Every State's matrices: the file's format (xlsx, pdf...)."
    )
    language: str | None = Field(
        default=None, description="Every State's matrices: the file's language (ar, zh, en...)."
    )
    data_version: str = Field(description="The version of the data the files are built from.")
    status: str = Field(description="queued, running, ready or failed.")
    progress: int = Field(description="Percent done.", ge=0, le=100)
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(
        default=None, description="Why it failed (shown to the Committee side only)."
    )
    url: str | None = Field(default=None, description="Where to download the file once ready.")
    bytes: int | None = Field(default=None, description="Size of what was built, once ready.")


class BuildDetail(Envelope):
    """One build, e.g. in the 202 answer of a file that is still being built."""

    build: BuildRead
