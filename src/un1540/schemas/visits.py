"""Shapes of country visits: the invitation, steps, participants, findings, follow-up, consent,
and the briefing prepared from the data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from un1540.schemas.common import FACETS_FIELD, Envelope, Facets, RecordId
from un1540.schemas.matrix import StateRef
from un1540.schemas.text import (
    FINDING,
    INVITATION,
    ITEM_DESCRIPTION,
    NAME,
    PURPOSE,
    REASON,
    SUMMARY,
    TITLE,
    Code,
)
from un1540.schemas.vocabularies import enum

PARTICIPANT_KINDS = ("committee_member", "expert", "organisation", "state_official")
FOLLOW_UP_KINDS = ("assistance_request", "action_plan_measure")


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VisitCreate(_Input):
    state: Code = Field(
        description="The inviting State (ISO alpha-3).", json_schema_extra=enum("state")
    )
    invitation: Annotated[str, INVITATION] = Field(
        default="",
        description="The State's invitation: the reference of its letter or note verbale. "
        "Required: the Committee visits a State only at its invitation.",
    )
    invited_on: date | None = Field(
        default=None, description="Date of the invitation; default today."
    )
    purpose: Annotated[str, PURPOSE] = ""


class VisitTransition(_Input):
    to: Code = Field(description="The status to reach.", json_schema_extra=enum("visit_status"))
    on: date | None = Field(
        default=None,
        description="When the step happened (accepted, closed; the first day when conducted); "
        "default today.",
    )
    until: date | None = Field(default=None, description="Conducted: the last day of the visit.")
    reason: Annotated[str, REASON] = ""


class ParticipantInput(_Input):
    kind: Code = Field(json_schema_extra={"enum": list(PARTICIPANT_KINDS)})
    name: Annotated[str, NAME] = ""
    organisation: Code | None = Field(default=None, description="The organisation's code.")


class FindingInput(_Input):
    field: Code = Field(description="Matrix field code.", json_schema_extra=enum("field"))
    weapon: Code | None = Field(default=None, json_schema_extra=enum("weapon"))
    text: Annotated[str, FINDING] = Field(min_length=1)


class FollowUpInput(_Input):
    """One step from a finding to an action: an assistance request filed for the State through
    the clearinghouse (with the finding's field), or an action-plan measure tracked here."""

    finding: RecordId | None = Field(default=None, description="The finding it follows from.")
    kind: Code = Field(json_schema_extra={"enum": list(FOLLOW_UP_KINDS)})
    title: Annotated[str, TITLE] = Field(min_length=1)
    description: Annotated[str, ITEM_DESCRIPTION] = ""
    help_type: Code | None = Field(default=None, json_schema_extra=enum("help_type"))
    plan: RecordId | None = Field(
        default=None,
        description="For an action-plan measure: the State's plan the measure is added to.",
    )
    consent: Code | None = Field(
        default=None,
        description="The request's consent (default: the clearinghouse's).",
        json_schema_extra=enum("consent"),
    )


class SummaryInput(_Input):
    text: Annotated[str, SUMMARY] = Field(
        description="The summary the public may read once the State consents."
    )


class ConsentInput(_Input):
    consent: bool = Field(description="True: the State agrees the summary is published.")
    summary: Annotated[str, SUMMARY] | None = Field(
        default=None,
        description="The summary you agree to publish, exactly as you read it: required to "
        "consent (a summary changed since you read it is refused, 409, never published on your "
        "word); not needed to withdraw.",
    )
    reason: Annotated[str, REASON] = ""


class ParticipantRead(BaseModel):
    id: int
    kind: str
    name: str
    organisation: str | None


class FindingRead(BaseModel):
    id: int
    field: str
    field_name: str
    weapon: str
    text: str
    recorded_by: str
    recorded_at: datetime


class FollowUpRead(BaseModel):
    id: int
    finding: int | None
    kind: str
    title: str
    status: str = Field(description="open or closed; a request's follows its own lifecycle.")
    assistance_request: int | None
    assistance_request_status: str | None
    action_plan: int | None = Field(default=None, description="The plan of the measure added.")
    action_plan_measure: int | None = None
    action_plan_measure_status: str | None = None
    closed_on: date | None


class VisitRead(BaseModel):
    id: int
    state: StateRef
    status: str
    status_name: str
    invited_on: date
    accepted_on: date | None
    conducted_from: date | None
    conducted_to: date | None
    closed_on: date | None
    public_summary: str | None = Field(
        description="Shown to the public only while the State consents."
    )
    summary_consent: bool
    restricted: bool = Field(
        description="True when you see only the public summary (the State consented to it)."
    )
    invitation: str | None
    purpose: str | None
    participants: list[ParticipantRead]
    findings: list[FindingRead]
    follow_ups: list[FollowUpRead]
    next_statuses: list[str]
    allowed_actions: list[str]
    synthetic: bool


class VisitDetail(Envelope):
    visit: VisitRead


class VisitList(Envelope):
    items: list[VisitRead]
    total: int
    page: int
    page_size: int
    facets: Facets | None = FACETS_FIELD


class BriefingRead(Envelope):
    """What the visit's team reads before it goes: the visit and the State's profile."""

    visit: VisitRead
    generated_at: datetime
    profile: dict[str, Any] = Field(description="The State's profile as the reader may see it.")
