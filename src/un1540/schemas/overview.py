"""Headline totals for the home page."""

from __future__ import annotations

from pydantic import BaseModel

from un1540.schemas.common import Envelope


class OverviewRead(Envelope):
    states: int
    states_with_editions: int
    approved_editions: int
    documents: int
    measures: int
    average_measures_per_state: float | None
    coverage: float | None
    uncertain: int


class MapPoint(BaseModel):
    iso3: str
    name: str
    value: float | None
