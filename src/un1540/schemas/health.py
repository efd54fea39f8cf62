"""Health check shape."""

from __future__ import annotations

from pydantic import BaseModel, Field


class HealthRead(BaseModel):
    status: str = Field(description="ok or unavailable")
    version: str
    database: dict[str, object] = Field(description="status, dialect, masked URL, schema revision")
    synthetic: bool
