"""State shapes."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope


class MembershipRead(BaseModel):
    group: str
    group_name: str
    role: str = Field(description="member, participant or observer")
    electoral: bool = Field(
        description="Whether the group counts the State for electoral purposes."
    )
    note: str = ""


class AreaRead(BaseModel):
    code: str
    m49: str
    name: str


class StateSummary(BaseModel):
    iso3: str
    iso2: str
    m49: str
    name: str = Field(description="English short name.")
    names: dict[str, str] = Field(description="Names in the six UN languages (CLDR).")
    group: str | None = Field(
        description="Regional group counting the State for electoral purposes."
    )
    group_name: str | None
    region: str = Field(description="M49 region code name.")
    subregion: str
    editions: int = Field(description="Matrix editions the caller may see.")
    latest_edition: int | None = Field(description="Number of the latest approved edition.")
    latest_approved_on: date | None
    measures: int | None = Field(description="Cells marked X in the latest approved edition.")
    coverage: float | None = Field(description="Share of applicable cells marked X (0-1).")


class StateRead(Envelope):
    state: StateSummary
    iso_name: str
    note: str
    memberships: list[MembershipRead]
    region: AreaRead
    subregion: AreaRead
    intermediate_region: AreaRead | None
    aliases: list[str]
    documents: int = Field(description="Documents about this State the caller may see.")
