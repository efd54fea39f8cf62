"""Coverage summary and trend shapes."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope
from un1540.schemas.matrix import TreatyStatusRead
from un1540.schemas.tallies import TallyRead


class CoverageRow(BaseModel):
    key: str
    label: str
    states: int = Field(description="States counted in this row.")
    average_measures_per_state: float | None = Field(
        description="Cells marked X per State, as the Committee counts 'fields with measures'."
    )
    tally: TallyRead


class MeasuresDistributionRead(BaseModel):
    """The Committee's own review metrics over the States counted."""

    states: int
    average: float | None = Field(description="Cells marked X per State, on average.")
    median: float | None
    threshold: int
    at_most_threshold: int = Field(description="States with `threshold` or fewer cells marked X.")
    histogram: dict[str, int] = Field(description="States per band of cells marked X.")


class AgesRead(BaseModel):
    """How old the counted information is on the date, in years: uncertainty, not hidden."""

    median_edition_age: float | None = Field(
        description="Years since each counted edition was approved (median)."
    )
    median_evidence_age: float | None = Field(
        description="Years since each document cited by an X cell was issued (median)."
    )
    evidence_older_than_10_years: float | None = Field(
        description="Share of those citations older than ten years."
    )
    citations: int


class CoverageRead(Envelope):
    by: str = Field(description="global, state, group, region, section, field, weapon or column.")
    as_of: date | None = Field(
        description="The date the figures describe; null: each State's latest approved edition."
    )
    selection: dict[str, str] = Field(
        description="The section, field, weapon or group the figures are limited to (if any)."
    )
    basis: str = Field(description="Which editions were counted.")
    method: str = Field(description="How the figures are computed.")
    states_with_editions: int
    distribution: MeasuresDistributionRead
    ages: AgesRead | None = Field(description="Age of the counted information (with `as_of`).")
    items: list[CoverageRow]
    total: int
    page: int
    page_size: int


class TrendPoint(BaseModel):
    on: date
    states: int
    average_measures_per_state: float | None
    tally: TallyRead


class TrendRow(BaseModel):
    key: str
    label: str
    start: TrendPoint | None = Field(description="The figures on `from` (null: nothing counted).")
    end: TrendPoint | None = Field(description="The figures on `to`.")
    coverage_change: float | None = Field(
        description="end.coverage - start.coverage (a share: 0.05 is five percentage points)."
    )
    measures_per_state_change: float | None
    series: list[TrendPoint] = Field(
        description="The figures on `from`, each 31 December between, and `to`."
    )


class TrendRead(Envelope):
    by: str
    selection: dict[str, str]
    from_date: date
    to_date: date
    basis: str
    method: str
    dates: list[date] = Field(description="The dates of every series.")
    items: list[TrendRow]
    total: int
    page: int
    page_size: int


class ComparedTreaty(BaseModel):
    """One OP1 treaty field of the edition counted, with the State's recorded treaty status."""

    field: str = Field(description="OP1 treaty field, e.g. op1.cwc.")
    field_name: str
    instrument: str = Field(description="Instrument code, e.g. cwc (see /api/v1/crosswalk).")
    mark: str = Field(description='The cell\'s mark: "X", "?", "NA" or "".')
    treaty: TreatyStatusRead | None = Field(
        description="The recorded status, dates and who asserted it; null: not recorded."
    )


class ComparedState(BaseModel):
    iso3: str
    name: str
    edition: int | None = Field(description="The edition counted; null: none approved by then.")
    approved_on: date | None
    tally: TallyRead | None = Field(description="All cells of that edition.")
    items: list[CoverageRow]
    treaties: list[ComparedTreaty] = Field(
        default_factory=list,
        description="The OP1 treaty fields of the edition counted (NPT, CWC, BWC, ...) with the "
        "treaty status recorded on each; empty when no edition is counted.",
    )


class CompareRead(Envelope):
    by: str
    as_of: date | None
    basis: str
    method: str
    states: list[ComparedState]
