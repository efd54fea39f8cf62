"""Health check shape."""

from __future__ import annotations

from pydantic import BaseModel, Field


class HealthRead(BaseModel):
    status: str = Field(description="ok or unavailable")
    version: str
    database: dict[str, object] = Field(
        description="status, dialect, schema revision and head; for administrators, the masked URL"
    )
    synthetic: bool
