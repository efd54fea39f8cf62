"""Shapes of the assistance clearinghouse: requests with their items, transitions, offers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from un1540.schemas.common import (
    FACETS_FIELD,
    MAX_AMOUNT,
    MAX_RECORD_ID,
    Envelope,
    Facets,
    RecordId,
)
from un1540.schemas.text import (
    FEEDBACK,
    ITEM_DESCRIPTION,
    NAME,
    NOTE,
    PREFERRED_PROVIDER,
    REASON,
    SUMMARY,
    TITLE,
    Code,
)
from un1540.schemas.vocabularies import enum, enum_items, vocabulary


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssistanceRequestItemInput(_Input):
    description: Annotated[str, ITEM_DESCRIPTION] = Field(min_length=1)
    fields: list[Code] = Field(
        default_factory=list,
        description="Matrix field codes, e.g. op3cd.border_control.",
        json_schema_extra=enum_items("field"),
    )
    weapons: list[Code] = Field(
        default_factory=list, description="nw, cw, bw.", json_schema_extra=enum_items("weapon")
    )
    help_types: list[Code] = Field(
        min_length=1,
        description="Kinds of help (reference/assistance.yml), e.g. training.",
        json_schema_extra=enum_items("help_type"),
    )
    languages: list[Code] = Field(
        default_factory=list,
        description="UN language codes.",
        json_schema_extra=enum_items("language"),
    )
    preferred_provider: Annotated[str, PREFERRED_PROVIDER] = ""
    start_on: date | None = None
    end_on: date | None = None


class AssistanceRequestCreate(_Input):
    state: Code | None = Field(default=None, description="Requesting State (ISO alpha-3).")
    organisation: Code | None = Field(
        default=None, description="Or the requesting regional organisation's code."
    )
    title: Annotated[str, TITLE] = Field(min_length=1)
    summary: Annotated[str, SUMMARY] = ""
    received_on: date | None = Field(default=None, description="Default: today.")
    consent: Code = Field(
        default="committee",
        description="Who may see it: committee (the default: the Committee side and the "
        "requester), providers or public. Widen it later with POST .../consent.",
        json_schema_extra=enum("consent"),
    )
    items: list[AssistanceRequestItemInput] = Field(min_length=1, max_length=100)


class AssistanceRequestUpdate(_Input):
    title: Annotated[str, Field(min_length=1), TITLE] | None = None
    summary: Annotated[str, SUMMARY] | None = None
    consent: Code | None = Field(
        default=None,
        description="Narrowing only; widening is its own step (POST .../consent).",
        json_schema_extra=enum("consent"),
    )
    revision: int = Field(
        ge=1, le=MAX_RECORD_ID, description="The revision you read; a stale one is refused (409)."
    )


class ConsentChange(_Input):
    consent: Code = Field(
        description="committee, providers or public.", json_schema_extra=enum("consent")
    )
    revision: int = Field(
        ge=1, le=MAX_RECORD_ID, description="The revision you read; a stale one is refused (409)."
    )
    reason: Annotated[str, REASON] = Field(default="", description="Why: kept in the audit trail.")
    confirm: bool = Field(
        default=False,
        description="Must be true to widen who may see the request (narrowing needs nothing).",
    )


class TransitionRequest(_Input):
    to: Code = Field(
        description="The next status, e.g. acknowledged.", json_schema_extra=enum("request_status")
    )
    reason: Annotated[str, REASON] = ""


class ProjectTransitionRequest(TransitionRequest):
    to: Code = Field(
        description="The next status, e.g. in_delivery.", json_schema_extra=enum("project_status")
    )


class AssistanceRequestItemRead(BaseModel):
    id: int
    description: str
    fields: list[str]
    weapons: list[str]
    help_types: list[str]
    languages: list[str]
    preferred_provider: str
    start_on: date | None
    end_on: date | None


class AssistanceRequestRead(BaseModel):
    id: int
    requester: str = Field(description="The requesting State's ISO code or organisation's code.")
    requester_name: str
    title: str
    summary: str
    received_on: date
    status: str
    next_statuses: list[str] = Field(description="Where the request may go next.")
    allowed_actions: list[str] = Field(
        description="What you may do with the request now: `update`, and the statuses you may "
        "move it to."
    )
    consent: str
    revision: int
    created_at: datetime
    updated_at: datetime
    synthetic: bool
    items: list[AssistanceRequestItemRead]


class AssistanceRequestDetail(Envelope):
    request: AssistanceRequestRead


class AssistanceRequestList(Envelope):
    items: list[AssistanceRequestRead]
    total: int
    page: int
    page_size: int


class AssistanceOfferCreate(_Input):
    state: Code | None = Field(default=None, description="Offering State (ISO alpha-3).")
    organisation: Code | None = Field(default=None, description="Or the organisation's code.")
    provider_name: Annotated[str, NAME] = Field(default="", description="Or an NGO's name.")
    title: Annotated[str, TITLE] = Field(min_length=1)
    description: Annotated[str, SUMMARY] = ""
    fields: list[Code] = Field(default_factory=list, json_schema_extra=enum_items("field"))
    sections: list[Code] = Field(default_factory=list, json_schema_extra=enum_items("section"))
    weapons: list[Code] = Field(default_factory=list, json_schema_extra=enum_items("weapon"))
    help_types: list[Code] = Field(min_length=1, json_schema_extra=enum_items("help_type"))
    regions: list[Code] = Field(
        default_factory=list,
        description="Regional group or M49 region codes; empty: anywhere.",
        json_schema_extra=enum_items("region"),
    )
    languages: list[Code] = Field(default_factory=list, json_schema_extra=enum_items("language"))
    capacity: int = Field(
        ge=0, le=MAX_RECORD_ID, description="How many request items it can take on (0 or more)."
    )
    budget: float | None = Field(
        default=None, ge=0, le=MAX_AMOUNT, description="Amount available, 0 or more."
    )
    currency: Code = Field(
        default="",
        description="ISO 4217 code, with a budget.",
        json_schema_extra=enum("currency", ""),
    )
    start_on: date | None = None
    end_on: date | None = None
    visibility: Code = Field(
        default="public",
        description="public, states_and_providers or committee.",
        json_schema_extra={"enum": ["public", "states_and_providers", "committee"]},
    )


class AssistanceOfferRead(BaseModel):
    id: int
    provider: str
    provider_name: str
    title: str
    description: str
    fields: list[str]
    sections: list[str]
    weapons: list[str]
    help_types: list[str]
    regions: list[str]
    languages: list[str]
    capacity: int
    budget: float | None
    currency: str
    start_on: date | None
    end_on: date | None
    visibility: str
    synthetic: bool
    created_at: datetime


class AssistanceOfferDetail(Envelope):
    offer: AssistanceOfferRead


class AssistanceOfferList(Envelope):
    items: list[AssistanceOfferRead]
    total: int
    page: int
    page_size: int


class ScorePart(BaseModel):
    code: str
    name: str
    value: float = Field(description="0..1 for this pair.")
    weight: float
    points: float = Field(description="weight x value / total weight.")


class MatchReason(BaseModel):
    """One fact of why an offer fits a request item (what `explanation` words)."""

    code: str = Field(description="fields, weapons, help_types, languages, region or capacity.")
    covered: list[str] = Field(
        default_factory=list,
        description="The requested codes the offer covers (region: where it works).",
    )
    missing: list[str] = Field(
        default_factory=list,
        description="The requested codes it does not (region: where it works instead).",
    )
    any: bool = Field(
        default=False,
        description="The offer names none, so it covers all (fields, weapons), any language; "
        "region: the requester's region is not known.",
    )
    left: int | None = Field(default=None, description="capacity: items it can still take.")
    total: int | None = Field(default=None, description="capacity: its whole capacity.")


class OfferSuggestion(BaseModel):
    offer_id: int
    title: str
    provider: str
    score: float
    parts: list[ScorePart]
    reasons: list[MatchReason]
    explanation: str = Field(description="The reasons in words (English).")
    verdict: str | None = Field(description="An expert's judgement (Committee side only).")


class ItemSuggestions(BaseModel):
    item_id: int
    description: str
    suggestions: list[OfferSuggestion]


class SuggestionsRead(Envelope):
    method: str
    request_id: int
    items: list[ItemSuggestions]


class JudgementCreate(_Input):
    item_id: RecordId
    offer_id: RecordId
    verdict: Code = Field(
        description="accept, reject or unsure.", json_schema_extra=enum("verdict")
    )
    note: Annotated[str, NOTE] = ""


class JudgementRead(BaseModel):
    item_id: int
    offer_id: int
    verdict: str
    note: str
    judged_by: str
    judged_at: datetime


class AssignedPair(BaseModel):
    request_id: int
    item_id: int
    offer_id: int
    offer_title: str
    score: float
    parts: list[ScorePart]
    reasons: list[MatchReason]
    explanation: str = Field(description="The reasons in words (English).")
    accepted: bool = Field(
        description="Fixed by an expert's acceptance (it uses the offer's capacity once)."
    )


class UnassignedItem(BaseModel):
    request_id: int
    item_id: int
    reason: str


class AssignmentRead(Envelope):
    method: str
    solver: str
    total_score: float
    pairs: list[AssignedPair]
    unassigned: list[UnassignedItem]


class MilestoneInput(_Input):
    title: Annotated[str, TITLE] = Field(min_length=1)
    due_on: date | None = None


class AssistanceProjectCreate(_Input):
    item_id: RecordId
    offer_id: RecordId
    title: Annotated[str, TITLE] = Field(default="", description="Default: the offer's title.")
    start_on: date | None = None
    end_on: date | None = None
    milestones: list[MilestoneInput] = Field(default_factory=list, max_length=50)


class MilestoneDone(_Input):
    done_on: date | None = Field(default=None, description="Default: today.")


class FeedbackInput(_Input):
    side: Code = Field(
        description="recipient or provider.", json_schema_extra=enum("feedback_side")
    )
    rating: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent).")
    text: Annotated[str, FEEDBACK] = ""


class MilestoneRead(BaseModel):
    id: int
    title: str
    due_on: date | None
    done_on: date | None


class FeedbackRead(BaseModel):
    side: str
    rating: int
    text: str
    given_by: str
    given_at: datetime


class AssistanceProjectRead(BaseModel):
    id: int
    request_id: int
    item_id: int
    offer_id: int
    title: str
    status: str
    next_statuses: list[str]
    allowed_actions: list[str] = Field(
        description="What you may do with the project now: the statuses you may move it to, "
        "`add_milestone`, `complete_milestone`, `feedback_recipient`, `feedback_provider`."
    )
    recipient: str
    provider: str
    fields: list[str]
    start_on: date | None
    end_on: date | None
    milestones: list[MilestoneRead]
    feedback: list[FeedbackRead]
    feedback_due: list[str] = Field(description="Sides whose feedback is still awaited.")
    synthetic: bool


class DuplicationWarning(BaseModel):
    """Different providers on the same State and matrix field, with overlapping weapon
    categories (a record naming none covers all) and overlapping periods (docs/activities.md)."""

    iso3: str
    field: str
    project_ids: list[int]
    providers: list[str]
    reason: str
    activity_ids: list[int] = Field(
        default_factory=list, description="Organisations' activities you may see (their numbers)."
    )
    undisclosed: list[str] = Field(
        default_factory=list,
        description="Activities you may not see, named only as 'an activity by <organisation>'.",
    )


class AssistanceProjectDetail(Envelope):
    project: AssistanceProjectRead
    warnings: list[DuplicationWarning] = Field(
        default_factory=list,
        description="On opening: projects and organisations' activities this one may duplicate.",
    )


class AssistanceProjectList(Envelope):
    items: list[AssistanceProjectRead]
    total: int
    page: int
    page_size: int


class FundingCreate(_Input):
    kind: Code = Field(
        description="pledge, or contribution (money actually paid).",
        json_schema_extra=enum("funding_kind"),
    )
    state: Code | None = Field(default=None, description="Donor State (ISO alpha-3).")
    organisation: Code | None = Field(default=None, description="Or the donor organisation.")
    donor_name: Annotated[str, NAME] = Field(default="", description="Or another donor's name.")
    amount: float = Field(gt=0, le=MAX_AMOUNT, description="More than 0.")
    currency: Code = Field(
        description="ISO 4217 code, e.g. USD.", json_schema_extra=enum("currency")
    )
    made_on: date | None = Field(default=None, description="Default: today.")
    due_on: date | None = Field(
        default=None,
        description="A pledge's due date, if the donor gave one (not before `made_on`; a "
        "pledge only): the donor's accounts are told when it draws near.",
    )
    earmark_region: Code = Field(
        default="",
        description="Regional group or M49 region code.",
        json_schema_extra=enum("region", ""),
    )
    earmark_area: Code = Field(
        default="",
        description="Matrix section or field code.",
        json_schema_extra={"enum": ["", *vocabulary("section"), *vocabulary("field")]},
    )
    project_id: RecordId | None = None
    note: Annotated[str, NOTE] = ""


class FundingRead(BaseModel):
    id: int
    kind: str
    donor: str
    donor_name: str
    amount: float
    currency: str
    made_on: date
    due_on: date | None = Field(default=None, description="A pledge's due date, if any.")
    earmark_region: str
    earmark_area: str
    project_id: int | None
    note: str
    synthetic: bool


class FundingTotals(BaseModel):
    key: str
    name: str
    currency: str
    pledged: float
    contributed: float
    outstanding: float = Field(description="pledged - contributed (0 when more was paid).")


class FundingList(Envelope):
    items: list[FundingRead]
    total: int
    page: int
    page_size: int
    by_donor: list[FundingTotals]
    by_recipient: list[FundingTotals] = Field(
        description="Contributions earmarked to projects, by the State the project serves."
    )
    facets: Facets | None = FACETS_FIELD


class WhoWhatWhereRow(BaseModel):
    provider: str
    provider_name: str
    iso3: str
    state: str
    areas: list[str] = Field(description="The matrix fields the project serves.")
    sections: list[str]
    project_id: int
    project: str
    status: str


class WhoWhatWhereList(Envelope):
    warnings: list[DuplicationWarning] = Field(
        description="Different providers on the same State and field in overlapping periods."
    )
    items: list[WhoWhatWhereRow]
    total: int
    page: int
    page_size: int


class LoopEdition(BaseModel):
    number: int
    approved_on: date | None
    marks: dict[str, str] = Field(description="Cell -> mark for this field.")
    measures: int
    changed: bool = Field(description="The field's marks differ from the previous edition's.")


class LoopItem(BaseModel):
    request_id: int
    request_title: str
    request_status: str
    received_on: date
    item_id: int
    description: str


class LoopProject(BaseModel):
    project_id: int
    item_id: int
    title: str
    provider: str
    status: str
    milestones_done: int
    milestones: int


class LoopRead(Envelope):
    iso3: str
    state: str
    field: str
    field_name: str
    editions: list[LoopEdition]
    requests: list[LoopItem]
    projects: list[LoopProject]
    summary: str = Field(description="The loop in one sentence: gap, help, and what changed since.")
