"""Counts of marks, as published in every coverage figure."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TallyRead(BaseModel):
    cells: int = Field(description="Cells counted.")
    measures: int = Field(description="Cells marked X: a measure is recorded.")
    uncertain: int = Field(
        description="Cells marked ?: the reference may be irrelevant or incomplete."
    )
    not_applicable: int = Field(description="Cells marked NA.")
    blank: int = Field(description="Cells with no information before the Committee.")
    applicable: int = Field(description="cells - not_applicable")
    coverage: float | None = Field(
        description=(
            "measures / applicable, from 0 to 1; null when nothing applies. "
            "Not a compliance measure."
        )
    )
