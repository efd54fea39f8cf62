"""The prioritisation aid's shapes: the method, and the ranking with its explanations."""

from __future__ import annotations

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope


class FactorRead(BaseModel):
    code: str
    name: str
    kind: str = Field(description="matrix_gap (from the latest approved edition) or indicator.")
    description: str
    default_weight: float
    weight: float = Field(description="The weight used for this ranking.")
    transform: str | None
    unit: str
    missing_value: float = Field(description="The 0..1 value used when a State has no data.")
    states_with_data: int


class ContributionRead(BaseModel):
    factor: str
    weight: float
    raw: float | None = Field(description="Gap share or indicator value; null: no data.")
    value: float = Field(description="0..1 as used in the score.")
    points: float = Field(description="weight x value / total weight: this factor's share.")


class PriorityRow(BaseModel):
    rank: int
    iso3: str
    name: str
    score: float = Field(description="Weighted average of the factor values, 0..1.")
    rank_low: int = Field(description="5th percentile of the ranks under perturbed weights.")
    rank_high: int = Field(description="95th percentile of the ranks under perturbed weights.")
    stability: float = Field(
        description="Share of perturbed runs in which the rank moved by at most `band` places."
    )
    contributions: list[ContributionRead]


class SensitivityRead(BaseModel):
    runs: int
    spread: float = Field(description="Each weight is multiplied by U(1 - spread, 1 + spread).")
    seed: int
    band: int


class PrioritiesRead(Envelope):
    method: str = Field(description="Method and version, e.g. un1540-priorities/1.")
    label: str = Field(description="What this is, and that it is not a compliance measure.")
    basis: str
    weights: dict[str, float]
    factors: list[FactorRead]
    sensitivity: SensitivityRead
    items: list[PriorityRow]
    total: int
    page: int
    page_size: int
