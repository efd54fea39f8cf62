"""Technology and emerging risk notes, and the coverage by region of the fields that answer them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope
from un1540.schemas.tallies import TallyRead


class RiskField(BaseModel):
    code: str = Field(description="A matrix field code of the bundled framework.")
    name: str


class RegionShare(BaseModel):
    """How many States of a region have measures on a note's fields."""

    region: str = Field(description="M49 region code, or `all` for every State.")
    label: str
    states: int = Field(description="Member States in the region.")
    counted: int = Field(
        description="States counted: those with an edition in force on the date that the "
        "caller may see and that has cells in the note's fields."
    )
    with_measures: int = Field(
        description="Counted States with at least one cell of the note's fields marked X."
    )
    share: float | None = Field(
        description="with_measures / counted, from 0 to 1; null when no State is counted."
    )
    thin: bool = Field(description="share is below the list's `thin_below`.")
    tally: TallyRead = Field(description="The marks of the note's fields over the counted States.")


class RiskNoteRead(BaseModel):
    id: str = Field(description="Stable code of the note (reference/risks.yml).")
    title: str
    text: str
    titles: dict[str, str] = Field(description="The title in the other UN languages (ours).")
    texts: dict[str, str] = Field(description="The text in the other UN languages (ours).")
    basis: str = Field(
        description="seed (restates the 2016 concept note S/2016/1013) or general_knowledge."
    )
    source: list[str] = Field(description="The public sources cited.")
    fields: list[RiskField] = Field(description="The matrix fields whose measures answer it.")
    overall: RegionShare = Field(description="Every counted State together.")
    regions: list[RegionShare] = Field(description="One row per M49 region.")


class RisksRead(Envelope):
    version: str = Field(description="Version of the list of notes (reference/risks.yml).")
    as_of: date = Field(description="The date whose editions in force are counted.")
    basis: str
    method: str
    caveat: str
    thin_below: float = Field(description="A share below this is shown as thin.")
    items: list[RiskNoteRead]
