"""The figures of a comprehensive review between two dates."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope
from un1540.schemas.coverage import AgesRead, MeasuresDistributionRead
from un1540.schemas.reporting import ReviewReporting


class ReviewHeadline(BaseModel):
    on: date
    states: int = Field(description="States with an approved edition in force.")
    measures: int
    average_measures_per_state: float | None
    coverage: float | None
    uncertain: int
    distribution: MeasuresDistributionRead


class ReviewRow(BaseModel):
    key: str
    label: str
    states_start: int
    states_end: int
    coverage_start: float | None
    coverage_end: float | None
    coverage_change: float | None = Field(description="A share: 0.05 is five points.")
    measures_per_state_start: float | None
    measures_per_state_end: float | None
    uncertain_end: int


class ReviewTable(BaseModel):
    by: str
    title: str
    rows: list[ReviewRow]


class ReviewStatistics(Envelope):
    from_date: date
    to_date: date
    start: ReviewHeadline
    end: ReviewHeadline
    editions_approved: int = Field(description="Editions approved after `from` up to `to`.")
    states_with_new_editions: int
    tables: list[ReviewTable]
    most_covered_fields: list[ReviewRow]
    least_covered_fields: list[ReviewRow]
    ages: AgesRead
    reporting: ReviewReporting = Field(
        description="National reports: States that had reported at the start and the end, "
        "reports received in the period (public reports only)."
    )
    basis: str
    method: str
    framework: str
    framework_fields: int
    framework_fields_verified: int
    data_version: str = Field(
        description=(
            "Fingerprint of the data counted (the versions of the matrices and frameworks): "
            "equal fingerprints, equal figures."
        )
    )
