"""Shapes of national implementation action plans: plans, measures, milestones, and the progress
the matrix shows beside the State's own report."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from un1540.schemas.common import MAX_RECORD_ID, Envelope, RecordId
from un1540.schemas.text import NAME, REASON, SUMMARY, TITLE, URL, Code
from un1540.schemas.vocabularies import enum, enum_items

MEASURE_STATUS = "Reported status (reference/lifecycles.yml, action_plan_measure)."


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MilestoneCreate(_Input):
    title: Annotated[str, TITLE] = Field(min_length=1)
    due_on: date = Field(description="Within the plan's period.")
    status: Code = Field(default="pending", json_schema_extra=enum("milestone_status"))
    done_on: date | None = None


class MeasureCreate(_Input):
    title: Annotated[str, TITLE] = Field(min_length=1)
    description: Annotated[str, SUMMARY] = ""
    fields: list[Code] = Field(
        default_factory=list,
        description="Matrix field codes, e.g. op3cd.border_control.",
        json_schema_extra=enum_items("field"),
    )
    weapons: list[Code] = Field(
        default_factory=list,
        description="nw, cw, bw: each must be one the fields apply to.",
        json_schema_extra=enum_items("weapon"),
    )
    owner_agency: Annotated[str, NAME] = ""
    status: Code = Field(
        default="planned", description=MEASURE_STATUS, json_schema_extra=enum("measure_status")
    )
    progress: int = Field(default=0, ge=0, le=100, description="Reported progress, per cent.")
    assistance_requests: list[RecordId] = Field(
        default_factory=list,
        max_length=50,
        description="Requests for assistance raised for this measure (their numbers).",
    )
    milestones: list[MilestoneCreate] = Field(default_factory=list, max_length=100)


class ActionPlanCreate(_Input):
    title: Annotated[str, TITLE] = Field(min_length=1)
    submitted_on: date = Field(description="When the State submitted it (not in the future).")
    period_from: date
    period_to: date
    supersedes: RecordId | None = Field(
        default=None, description="The number of the State's earlier plan this one replaces."
    )
    published: bool = Field(default=False, description="Published plans are public.")
    published_url: Annotated[str, URL] = ""
    partners: list[Annotated[str, NAME]] = Field(
        default_factory=list, max_length=30, description="Who helped prepare it."
    )
    summary: Annotated[str, SUMMARY] = ""
    measures: list[MeasureCreate] = Field(default_factory=list, max_length=200)


class ActionPlanUpdate(_Input):
    title: Annotated[str, Field(min_length=1), TITLE] | None = None
    summary: Annotated[str, SUMMARY] | None = None
    submitted_on: date | None = None
    period_from: date | None = None
    period_to: date | None = None
    supersedes: RecordId | None = None
    published: bool | None = None
    published_url: Annotated[str, URL] | None = None
    partners: list[Annotated[str, NAME]] | None = Field(default=None, max_length=30)
    revision: int = Field(
        ge=1, le=MAX_RECORD_ID, description="The revision you read; a stale one is refused (409)."
    )


class MeasureTransition(_Input):
    to: Code = Field(
        description="The next status, e.g. in_progress.", json_schema_extra=enum("measure_status")
    )
    progress: int | None = Field(default=None, ge=0, le=100, description="Reported, per cent.")
    reason: Annotated[str, REASON] = ""


class MilestoneTransition(_Input):
    to: Code = Field(description="done or cancelled.", json_schema_extra=enum("milestone_status"))
    done_on: date | None = Field(default=None, description="Default: today (for done).")
    reason: Annotated[str, REASON] = ""


class AssistanceLinkRead(BaseModel):
    id: int
    title: str
    status: str


class MilestoneRead(BaseModel):
    id: int
    title: str
    due_on: date
    status: str
    done_on: date | None
    overdue: bool = Field(description="Pending and past its due date.")
    allowed_actions: list[str]


class MatrixProgressRead(BaseModel):
    """What the approved matrix shows for a measure's fields (and weapons) since the plan."""

    baseline_edition: int | None = Field(
        description="The State's approved edition in force when the plan was submitted."
    )
    latest_edition: int | None = Field(
        description="Its latest approved edition approved after the submission, if any."
    )
    latest_approved_on: date | None
    gained_fields: list[str] = Field(
        description="The measure's fields that gained an X (for its weapons) in that edition."
    )
    shows_progress: bool


class MeasureRead(BaseModel):
    id: int
    position: int
    title: str
    description: str
    fields: list[str]
    weapons: list[str]
    owner_agency: str
    status: str
    progress: int
    assistance_requests: list[AssistanceLinkRead] = Field(
        description="The requests raised for the measure that you may see."
    )
    milestones: list[MilestoneRead]
    matrix: MatrixProgressRead
    allowed_actions: list[str]


class MatrixSummaryRead(BaseModel):
    measures: int
    measures_showing_progress: int
    latest_edition: int | None


class ActionPlanSummaryRead(BaseModel):
    id: int
    state: str
    state_name: str
    title: str
    submitted_on: date
    period_from: date
    period_to: date
    supersedes: int | None
    published: bool
    published_url: str
    partners: list[str]
    revision: int
    synthetic: bool
    measure_counts: dict[str, int] = Field(description="Measures by reported status.")
    overdue_milestones: int
    matrix: MatrixSummaryRead


class ActionPlanRead(ActionPlanSummaryRead):
    summary: str
    measures: list[MeasureRead]
    allowed_actions: list[str]


class ActionPlanDetail(Envelope):
    plan: ActionPlanRead


class ActionPlanList(Envelope):
    items: list[ActionPlanSummaryRead]
    total: int
    page: int
    page_size: int


class ActionPlanImportResult(Envelope):
    plan: int
    dry_run: bool
    measures: int
    milestones: int
