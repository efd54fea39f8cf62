"""Coverage summary shapes."""

from __future__ import annotations

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope
from un1540.schemas.tallies import TallyRead


class CoverageRow(BaseModel):
    key: str
    label: str
    states: int = Field(description="States counted in this row.")
    average_measures_per_state: float | None = Field(
        description="Cells marked X per State, as the Committee counts 'fields with measures'."
    )
    tally: TallyRead


class CoverageRead(Envelope):
    by: str = Field(description="global, group, region, section, weapon or column.")
    basis: str = Field(description="Which editions were counted.")
    method: str = Field(description="How the figures are computed.")
    states_with_editions: int
    items: list[CoverageRow]
    total: int
    page: int
    page_size: int
