"""Shapes of the organisations' activities: one activity in and out, the list, and the file
import's outcome (docs/activities.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from un1540.reference.organisations import load_organisations
from un1540.schemas.assistance import DuplicationWarning, WhoWhatWhereList
from un1540.schemas.common import FACETS_FIELD, Envelope, Facets
from un1540.schemas.text import SUMMARY, TITLE, Code
from un1540.schemas.vocabularies import enum, enum_items

MAX_CODES = 60
# Who may see an activity record by record (the organisation's own accounts always do).
ACTIVITY_VISIBILITIES = (
    "public",
    "states_and_providers",
    "owning_state_and_committee",
    "committee",
)
DEFAULT_VISIBILITY = "owning_state_and_committee"
# The organisations of the reference file (reference/organisations.yml), for the documents.
ORGANISATION_ENUM: dict[str, Any] = {
    "enum": [organisation.code for organisation in load_organisations()]
}


class ActivityCreate(BaseModel):
    """One activity as an organisation's contact or the Committee side records it; the service
    checks every code and date again and names each problem's field."""

    model_config = ConfigDict(extra="forbid")

    organisation: Code = Field(
        description="The organisation's code (reference/organisations.yml), e.g. iaea. "
        "A provider account records for its own organisation only.",
        json_schema_extra=ORGANISATION_ENUM,
    )
    state: Code = Field(
        description="ISO alpha-3 code of the State where it takes place.",
        json_schema_extra=enum("state"),
    )
    programme: Annotated[str, TITLE] = Field(
        min_length=1, description="The programme or activity, e.g. 'Border monitoring course'."
    )
    description: Annotated[str, SUMMARY] = ""
    fields: list[Code] = Field(
        min_length=1,
        max_length=MAX_CODES,
        description="Matrix field codes it works on, e.g. op3cd.border_control.",
        json_schema_extra=enum_items("field"),
    )
    weapons: list[Code] = Field(
        default_factory=list,
        max_length=10,
        description="Weapon categories (nw, cw, bw); empty: all of them.",
        json_schema_extra=enum_items("weapon"),
    )
    start_on: date = Field(description="When it starts.")
    end_on: date | None = Field(default=None, description="When it ends (open if omitted).")
    visibility: Code = Field(
        default=DEFAULT_VISIBILITY,
        description="Who sees it record by record besides the organisation's own accounts: "
        "public, states_and_providers, owning_state_and_committee (the default: the Committee "
        "side and the State concerned) or committee.",
        json_schema_extra={"enum": list(ACTIVITY_VISIBILITIES)},
    )


class ActivityRead(BaseModel):
    id: int
    organisation: str
    organisation_name: str
    state: str
    state_name: str
    programme: str
    description: str
    fields: list[str]
    weapons: list[str] = Field(description="Empty: every weapon category.")
    start_on: date
    end_on: date | None
    visibility: str
    recorded_at: datetime
    synthetic: bool


class ActivityDetail(Envelope):
    activity: ActivityRead
    warnings: list[DuplicationWarning] = Field(
        default_factory=list,
        description="On recording: projects and activities of other providers this one may "
        "duplicate (same State and field, overlapping weapon categories and periods).",
    )


class ActivityList(Envelope):
    items: list[ActivityRead]
    total: int
    page: int
    page_size: int
    facets: Facets | None = FACETS_FIELD


class ActivityImportRead(BaseModel):
    file_name: str
    rows: int
    states: int
    dry_run: bool


class WhoWhatWhereWithActivities(WhoWhatWhereList):
    """Who does what where: the projects (paged) and the organisations' activities beside
    them; `warnings` compares both."""

    activities: list[ActivityRead] = Field(
        default_factory=list, description="Every organisation's activity you may see."
    )
