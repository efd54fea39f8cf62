"""Shapes of points of contact and of the training courses they attend."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from un1540.reference.training import load_training_courses
from un1540.schemas.common import FACETS_FIELD, MAX_RECORD_ID, Envelope, Facets, Page
from un1540.schemas.matrix import StateRef
from un1540.schemas.text import AGENCY, CHANNELS, CONTACT_NAME, EMAIL, PHONE, POSITION, Code
from un1540.schemas.vocabularies import enum, enum_items

CONTACT_ROLES = ("capital", "mission", "organisation")
# The codes of the training courses (reference/training-courses.csv), for the OpenAPI document.
COURSE_ITEMS: dict[str, Any] = {
    "items": {"type": "string", "enum": list(load_training_courses())},
    "uniqueItems": True,
}


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ContactFields(_Input):
    """What a contact's details may be changed to (every field optional)."""

    name: Annotated[str, Field(min_length=1), CONTACT_NAME] | None = None
    role: Code | None = Field(
        default=None,
        description="capital, mission (the permanent mission) or organisation.",
        json_schema_extra={"enum": list(CONTACT_ROLES)},
    )
    position: Annotated[str, POSITION] | None = None
    agency: Annotated[str, AGENCY] | None = None
    languages: list[Code] | None = Field(
        default=None, description="UN language codes.", json_schema_extra=enum_items("language")
    )
    email: Annotated[str, EMAIL] | None = None
    phone: Annotated[str, PHONE] | None = None
    channels: Annotated[str, CHANNELS] | None = Field(
        default=None, description="Other ways to reach the contact."
    )
    trainings: list[Code] | None = Field(
        default=None,
        description="Codes of the training courses attended (GET /api/v1/trainings).",
        json_schema_extra=COURSE_ITEMS,
    )


class ContactCreate(_Input):
    state: Code | None = Field(
        default=None,
        description="The designating State (ISO alpha-3); or give an organisation.",
        json_schema_extra=enum("state"),
    )
    organisation: Code | None = Field(
        default=None, description="Or the designating organisation's code."
    )
    name: Annotated[str, CONTACT_NAME] = Field(min_length=1)
    role: Code = Field(
        description="capital, mission (the permanent mission) or organisation.",
        json_schema_extra={"enum": list(CONTACT_ROLES)},
    )
    position: Annotated[str, POSITION] = ""
    agency: Annotated[str, AGENCY] = ""
    languages: list[Code] = Field(
        default_factory=list,
        description="UN language codes.",
        json_schema_extra=enum_items("language"),
    )
    email: Annotated[str, EMAIL] = ""
    phone: Annotated[str, PHONE] = ""
    channels: Annotated[str, CHANNELS] = Field(
        default="", description="Other ways to reach the contact."
    )
    designated_on: date | None = Field(default=None, description="Default: today.")
    confirmed_on: date | None = Field(
        default=None, description="Last confirmed on; default: the day designated."
    )
    account: Annotated[str, EMAIL] | None = Field(
        default=None,
        description="E-mail of the contact's own account (a point of contact of the same State, "
        "or a provider of the same organisation), linked to the record.",
    )
    trainings: list[Code] = Field(
        default_factory=list,
        description="Codes of the training courses attended (GET /api/v1/trainings).",
        json_schema_extra=COURSE_ITEMS,
    )


class ContactUpdate(_ContactFields):
    designated_on: date | None = None
    confirmed_on: date | None = None
    account: Annotated[str, EMAIL] | None = Field(
        default=None, description="Link this account (its e-mail); an empty string unlinks."
    )
    revision: int | None = Field(
        default=None,
        ge=1,
        le=MAX_RECORD_ID,
        description="The revision you read; a stale one is refused (409).",
    )


class ContactConfirm(_ContactFields):
    """Confirm the contact as it is (an empty body), or with these changes, in one step."""


class TrainingRef(BaseModel):
    code: str
    when: str = Field(description="The date as precisely as the source gives it.")
    place: str


class ContactRead(BaseModel):
    id: int
    state: StateRef | None
    organisation: str | None = Field(description="The designating organisation's code.")
    name: str
    role: str
    position: str
    agency: str
    languages: list[str]
    email: str
    phone: str
    channels: str
    designated_on: date
    confirmed_on: date
    stale: bool = Field(description="Not confirmed for longer than the freshness period.")
    stale_from: date = Field(description="The day it becomes (or became) stale.")
    account_linked: bool = Field(description="The contact's own account is linked to it.")
    trainings: list[TrainingRef]
    revision: int
    synthetic: bool
    allowed_actions: list[str]


class ContactSummaryRead(BaseModel):
    """What everyone may know of a State's (or organisation's) contacts."""

    state: StateRef | None = None
    organisation: str | None = None
    count: int
    designated_since: date | None = Field(description="The earliest designation still on record.")
    stale: int = Field(description="How many have not been confirmed for too long.")


class ContactList(Page[ContactRead]):
    stale_months: int = Field(description="The freshness period, in months.")
    summaries: list[ContactSummaryRead] = Field(
        description="Per State or organisation: how many contacts, since when (public)."
    )
    facets: Facets | None = FACETS_FIELD


class ContactDetail(Envelope):
    contact: ContactRead


class ParticipantRead(BaseModel):
    id: int
    name: str
    state: str | None
    organisation: str | None


class TrainingCourseRead(BaseModel):
    code: str
    when: str = Field(description="The date as precisely as the source gives it.")
    starts_on: date
    ends_on: date | None
    date_precision: str
    place: str
    country: str
    region: str
    audience: str
    funders: list[str]
    ordinal: int | None
    note: str
    source: str
    source_url: str
    reference: bool = Field(
        description="True: the course is real, sourced reference data (not demo data)."
    )
    participants_count: int = Field(description="Participants recorded in this system.")
    participants_synthetic: bool = Field(description="The participants recorded are demo data.")
    participants: list[ParticipantRead] = Field(
        description="The recorded participants whose details you may see."
    )


class TrainingList(Envelope):
    reference_notice: str
    items: list[TrainingCourseRead]
    facets: Facets | None = FACETS_FIELD


class ContactProfileRead(Envelope):
    """A State profile's view of its contacts: the public summary, and the contacts themselves
    for those who may see them (None otherwise)."""

    summary: ContactSummaryRead
    contacts: list[ContactRead] | None
    stale_months: int
