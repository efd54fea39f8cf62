"""Shapes of the incident register: one incident in and out, the list, and the trends."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from un1540.reference.incidents import load_incident_vocabulary
from un1540.schemas.common import FACETS_FIELD, Envelope, Facets
from un1540.schemas.text import SUMMARY, Code
from un1540.schemas.vocabularies import enum_items

MAX_STATES = 20


def _codes(name: str) -> dict[str, Any]:
    vocabulary = load_incident_vocabulary()
    if name == "material_class":
        codes = [code for item in vocabulary.categories.values() for code in item.classes]
        return {"enum": list(dict.fromkeys(codes))}
    terms: dict[str, Any] = getattr(vocabulary, name)
    return {"enum": list(terms)}


class IncidentCreate(BaseModel):
    """One incident as a client records it; the service checks every code and date again and
    names each problem's field."""

    model_config = ConfigDict(extra="forbid")

    occurred_on: date = Field(description="When the incident happened (not in the future).")
    reported_on: date | None = Field(
        default=None,
        description="When it was reported (on or after occurred_on, not later than today).",
    )
    states: list[Code] = Field(
        min_length=1,
        max_length=MAX_STATES,
        description="ISO alpha-3 codes of the States concerned.",
        json_schema_extra=enum_items("state"),
    )
    category: Code = Field(json_schema_extra=_codes("categories"))
    material_class: Code = Field(json_schema_extra=_codes("material_class"))
    kind: Code = Field(json_schema_extra=_codes("kinds"))
    grouping: Code = Field(default="undetermined", json_schema_extra=_codes("groupings"))
    source: Code = Field(json_schema_extra=_codes("sources"))
    organisation: Code | None = Field(
        default=None, description="The reporting organisation's code, when source is organisation."
    )
    confirmation: Code = Field(default="unconfirmed", json_schema_extra=_codes("confirmation"))
    summary: Annotated[str, SUMMARY] = ""
    fields: list[Code] | None = Field(
        default=None,
        description="Matrix fields the incident bears on; omitted: the kind's default fields.",
        json_schema_extra=enum_items("field"),
    )
    restricted: bool = Field(
        default=False,
        description="Restricted dissemination: seen record by record only by the Committee side "
        "and the reporter (and the State concerned with share_with_state); counted in trends.",
    )
    share_with_state: bool = Field(
        default=False, description="Let the States concerned see a restricted record."
    )


class IncidentRead(BaseModel):
    id: int
    occurred_on: date
    reported_on: date | None
    states: list[str]
    category: str
    material_class: str
    kind: str
    grouping: str
    source: str
    organisation: str | None
    confirmation: str
    summary: str
    fields: list[str]
    restricted: bool
    share_with_state: bool
    recorded_at: datetime
    synthetic: bool


class IncidentDetail(Envelope):
    incident: IncidentRead


class IncidentList(Envelope):
    items: list[IncidentRead]
    total: int
    page: int
    page_size: int
    facets: Facets | None = FACETS_FIELD


class TrendCount(BaseModel):
    key: str = Field(description="The year, category, kind or M49 region code.")
    count: int


class TrendsRead(Envelope):
    """Counts of every incident matching the filters, restricted ones included."""

    caveat: str = Field(description="Counts reflect reporting practice as much as risk.")
    total: int = Field(description="Incidents counted.")
    restricted: int = Field(description="How many of them are restricted (counted, not shown).")
    by_year: list[TrendCount]
    by_category: list[TrendCount]
    by_kind: list[TrendCount]
    by_region: list[TrendCount] = Field(
        description="By M49 region of the States concerned: an incident concerning States of "
        "two regions counts in both, so these may add up to more than total."
    )
    by_year_and_category: dict[str, dict[str, int]] = Field(
        description="year -> category -> count, for the chart."
    )


class IncidentImportRead(BaseModel):
    file_name: str
    rows: int
    states: int
    dry_run: bool
