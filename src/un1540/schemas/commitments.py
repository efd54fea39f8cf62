"""Shapes of commitments (announced by States and organisations at events or in statements),
their delivery (status changes and the records that fulfil them) and an event's outcome
document (docs/commitments.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from un1540.schemas.common import FACETS_FIELD, Envelope, Facets, RecordId
from un1540.schemas.text import NOTE, SUMMARY, TITLE, Code
from un1540.schemas.vocabularies import enum, enum_items

VISIBILITIES = ("public", "states_and_providers", "owning_state_and_committee", "committee")


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommitmentCreate(_Input):
    state: Code | None = Field(
        default=None,
        description="ISO3 of the State that made it (or give `organisation`).",
        json_schema_extra=enum("state"),
    )
    organisation: Code | None = Field(
        default=None,
        description="Code of the organisation that made it (e.g. iaea).",
        json_schema_extra=enum("organisation"),
    )
    event: RecordId | None = Field(default=None, description="The event it was announced at.")
    statement: RecordId | None = Field(
        default=None, description="The statement it was announced in (its event is implied)."
    )
    kind: Code = Field(
        description="reference/commitments.yml.", json_schema_extra=enum("commitment_kind")
    )
    title: Annotated[str, TITLE] = Field(min_length=1)
    description: Annotated[str, SUMMARY] = ""
    announced_on: date = Field(description="When it was announced (not in the future).")
    target_date: date | None = Field(default=None, description="Not before `announced_on`.")
    fields: list[Code] = Field(
        default_factory=list,
        max_length=50,
        description="Matrix field codes concerned.",
        json_schema_extra=enum_items("field"),
    )
    regions: list[Code] = Field(
        default_factory=list,
        max_length=20,
        description="Regional groups or M49 regions concerned.",
        json_schema_extra=enum_items("region"),
    )
    announced_publicly: bool = Field(
        default=False,
        description="Announced in public: at a public event, the commitment is then public.",
    )
    visibility: Code | None = Field(
        default=None,
        description="Who may see it; default: public when announced publicly at a public event, "
        "else the Committee side (and always the owner's side).",
        json_schema_extra={"enum": list(VISIBILITIES)},
    )


class FulfilmentInput(_Input):
    kind: Code = Field(
        description="funding_entry, assistance_project, action_plan or edition.",
        json_schema_extra=enum("fulfilment_kind"),
    )
    record: RecordId = Field(description="The number of the record (an edition's id).")
    field: Code = Field(
        default="",
        description="For an edition: the matrix field that changed in it.",
    )
    note: Annotated[str, NOTE] = ""


class CommitmentTransition(_Input):
    to: Code = Field(
        description="The next status, e.g. delivered.", json_schema_extra=enum("commitment_status")
    )
    effective_on: date | None = Field(
        default=None,
        description="When the change took effect (default today; not before the last change, "
        "not in the future).",
    )
    note: Annotated[str, NOTE] = ""
    delivery_evidence: Annotated[str, SUMMARY] = Field(
        default="", description="What shows delivery (a reference, an address)."
    )
    fulfilments: list[FulfilmentInput] = Field(default_factory=list, max_length=20)


class OwnerRead(BaseModel):
    kind: str = Field(description="state or organisation")
    code: str = Field(description="ISO3 or the organisation's code")
    name: str


class EventRefRead(BaseModel):
    id: int
    title: str
    kind: str
    starts_on: date


class StatusChangeRead(BaseModel):
    from_status: str
    to_status: str
    effective_on: date
    note: str
    changed_by: str = Field(description="The role of who changed it (to the public).")


class FulfilmentRead(BaseModel):
    kind: str
    record: int
    label: str
    page: str
    field: str
    note: str


class CommitmentRead(BaseModel):
    id: int
    owner: OwnerRead
    event: EventRefRead | None = Field(description="The event, if you may see it.")
    statement: int | None = Field(description="The statement, if you may see it.")
    kind: str
    title: str
    description: str
    announced_on: date
    target_date: date | None
    fields: list[str]
    regions: list[str]
    status: str
    overdue: bool = Field(description="Past its target date, neither delivered nor withdrawn.")
    delivered_on: date | None
    delivery_evidence: str
    visibility: str
    history: list[StatusChangeRead]
    fulfilments: list[FulfilmentRead] = Field(
        description="The records that fulfil it, those you may see."
    )
    allowed_actions: list[str]
    page: str
    synthetic: bool


class CommitmentDetail(Envelope):
    commitment: CommitmentRead


class CommitmentList(Envelope):
    items: list[CommitmentRead]
    total: int
    page: int
    page_size: int
    facets: Facets | None = FACETS_FIELD


class OutcomeItemRead(BaseModel):
    commitment: int
    title: str
    owner: OwnerRead
    kind: str
    announced_on: date
    target_date: date | None
    status: str = Field(description="Its status as of the date.")
    since: date = Field(description="When it took that status.")
    overdue: bool = Field(description="Overdue as of the date.")


class OutcomeRead(Envelope):
    event: EventRefRead
    as_of: date
    items: list[OutcomeItemRead]
    counts: dict[str, int] = Field(description="Commitments per status as of the date.")
