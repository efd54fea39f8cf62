"""Shapes of events (open debates, Committee meetings and consultations, workshops, trainings,
outreach conferences) and of the statements made at them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from un1540.models import Visibility
from un1540.reference.events import load_event_vocabulary
from un1540.reference.languages import UN_LANGUAGES
from un1540.reference.organisations import load_organisations
from un1540.schemas.commitments import CommitmentRead
from un1540.schemas.common import FACETS_FIELD, Envelope, Facets, RecordId
from un1540.schemas.matrix import StateRef
from un1540.schemas.text import Code, TextRule
from un1540.schemas.vocabularies import enum, enum_items

# The free texts of an event and a statement (their own rules; columns hold at least as much).
EVENT_TITLE = TextRule("title of an event", 300, one_line=True)
PLACE = TextRule("place of an event", 300, one_line=True)
ORGANISER = TextRule("organiser of an event", 300, one_line=True)
EVENT_SUMMARY = TextRule("summary of an event", 10_000)
EVENT_SOURCE = TextRule("where an event's facts come from", 5_000)
PARTICIPANT_NAME = TextRule("participant of an event", 300, one_line=True)
SPEAKER = TextRule("speaker of a statement", 300, one_line=True)
ON_BEHALF_NAME = TextRule("group a statement is made on behalf of", 300, one_line=True)
STATEMENT_TEXT = TextRule("text of a statement", 100_000)

PARTICIPANT_KINDS = ("state", "organisation", "other")
EVENT_VISIBILITIES = (
    Visibility.public.value,
    Visibility.states_and_providers.value,
    Visibility.committee.value,
)


# The organisations' codes (reference/organisations.yml), as the OpenAPI document lists them.
ORGANISATION_CODES: dict[str, Any] = {
    "enum": [organisation.code for organisation in load_organisations()]
}


def _codes(vocabulary: str) -> dict[str, Any]:
    return {"enum": list(load_event_vocabulary().terms(vocabulary))}


def _code_items(vocabulary: str) -> dict[str, Any]:
    return {"items": {"type": "string", **_codes(vocabulary)}, "uniqueItems": True}


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventParticipantInput(_Input):
    kind: Code = Field(json_schema_extra={"enum": list(PARTICIPANT_KINDS)})
    state: Code | None = Field(
        default=None, description="A State (ISO alpha-3).", json_schema_extra=enum("state")
    )
    organisation: Code | None = Field(
        default=None, description="An organisation's code.", json_schema_extra=ORGANISATION_CODES
    )
    name: Annotated[str, PARTICIPANT_NAME] = Field(
        default="", description="Required for `other`; otherwise the State's or organisation's."
    )


class EventDocumentInput(_Input):
    document: RecordId = Field(description="A registered document (POST /documents ...).")
    role: Code = Field(json_schema_extra=_codes("document_roles"))


class EventCreate(_Input):
    kind: Code = Field(json_schema_extra=_codes("kinds"))
    title: Annotated[str, EVENT_TITLE] = Field(min_length=1)
    starts_on: date
    ends_on: date | None = Field(default=None, description="The last day; not before starts_on.")
    place: Annotated[str, PLACE] = ""
    organisers: list[Annotated[str, ORGANISER]] = Field(default_factory=list, max_length=20)
    audiences: list[Code] = Field(
        default_factory=list, max_length=20, json_schema_extra=_code_items("audiences")
    )
    summary: Annotated[str, EVENT_SUMMARY] = ""
    source: Annotated[str, EVENT_SOURCE] = Field(
        default="", description="Where the record's facts come from (symbols, addresses)."
    )
    visibility: Code = Field(
        default=Visibility.committee.value,
        description="Who may see the event and its statements; default: the Committee side.",
        json_schema_extra={"enum": list(EVENT_VISIBILITIES)},
    )
    participants: list[EventParticipantInput] = Field(default_factory=list, max_length=500)
    documents: list[EventDocumentInput] = Field(default_factory=list, max_length=50)


class StatementCreate(_Input):
    """Exactly one of on_behalf_state, on_behalf_organisation, on_behalf_name."""

    event: RecordId = Field(description="The event the statement was made at.")
    speaker: Annotated[str, SPEAKER] = Field(min_length=1)
    on_behalf_state: Code | None = Field(default=None, json_schema_extra=enum("state"))
    on_behalf_organisation: Code | None = Field(
        default=None, description="An organisation's code.", json_schema_extra=ORGANISATION_CODES
    )
    on_behalf_name: Annotated[str, ON_BEHALF_NAME] = Field(
        default="", description="A group named in full (Committee side only)."
    )
    language: Code = Field(json_schema_extra=enum("language"))
    mode: Code = Field(json_schema_extra=_codes("modes"))
    text: Annotated[str, STATEMENT_TEXT] = ""
    document: RecordId | None = Field(
        default=None, description="The statement's file, registered as a document."
    )
    topics: list[Code] = Field(
        default_factory=list, max_length=20, json_schema_extra=_code_items("topics")
    )
    fields: list[Code] = Field(
        default_factory=list, max_length=50, json_schema_extra=enum_items("field")
    )


class OrganisationRef(BaseModel):
    code: str
    name: str


class EventParticipantRead(BaseModel):
    id: int
    kind: str
    state: StateRef | None
    organisation: OrganisationRef | None
    name: str


class EventDocumentRead(BaseModel):
    id: int
    document: int
    role: str
    title: str
    symbol: str
    url: str


class StatementRead(BaseModel):
    id: int
    event: int
    event_title: str
    speaker: str
    on_behalf_state: StateRef | None
    on_behalf_organisation: OrganisationRef | None
    on_behalf_name: str
    on_behalf: str = Field(description="Whom the statement speaks for, as a name.")
    language: str
    mode: str
    text: str
    document: int | None
    topics: list[str]
    fields: list[str]
    submitted_at: datetime
    published: bool
    published_at: datetime | None
    allowed_actions: list[str]
    synthetic: bool


class EventRead(BaseModel):
    id: int
    kind: str
    title: str
    starts_on: date
    ends_on: date | None
    place: str
    organisers: list[str]
    audiences: list[str]
    summary: str
    source: str
    visibility: str
    origin: str
    participants: list[EventParticipantRead]
    documents: list[EventDocumentRead]
    synthetic: bool


class EventDetailRead(EventRead):
    statements: list[StatementRead] = Field(
        description="The statements you may see: published ones, and for the Committee side and "
        "the submitter's side also those not yet published."
    )
    commitments: list[CommitmentRead] = Field(
        default_factory=list,
        description="The commitments announced at the event that you may see, with their "
        "status today (their status on any date: /api/v1/events/{id}/outcome?as_of=).",
    )


class EventDetail(Envelope):
    event: EventDetailRead


class EventList(Envelope):
    items: list[EventRead]
    total: int
    page: int
    page_size: int
    facets: Facets | None = FACETS_FIELD


class StatementDetail(Envelope):
    statement: StatementRead


class StatementList(Envelope):
    items: list[StatementRead]
    total: int
    page: int
    page_size: int


LANGUAGES = UN_LANGUAGES
