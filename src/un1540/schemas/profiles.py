"""The State profile and the organisation page: one shape gathering every domain's records.

`contacts`, `reporting` and `action_plans` come from their domains' reads (contacts: the public
summary for everyone, the contacts themselves only to those who may see them). An
organisation's `trainings` is None: not gathered here, which never means "none exist"."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope
from un1540.schemas.contacts import ContactProfileRead, ContactRead, TrainingCourseRead
from un1540.schemas.incidents import IncidentRead
from un1540.schemas.matrix import StateRef
from un1540.schemas.reporting import StateReports
from un1540.schemas.visits import VisitRead


class SectionGaps(BaseModel):
    section: str
    title: str
    blank: int = Field(description="Cells of the section with no information (blank).")
    by_weapon: dict[str, int] = Field(description="Blank cells per weapon category.")
    fields: list[str] = Field(description="Fields of the section with at least one blank cell.")


class MatrixSnapshot(BaseModel):
    edition: int
    approved_on: date | None
    framework: str
    measures: int
    applicable: int
    blank: int
    coverage: float | None
    gaps: list[SectionGaps]


class EditionPoint(BaseModel):
    number: int
    status: str
    approved_on: date | None
    measures: int
    coverage: float | None


class DocumentPoint(BaseModel):
    id: int
    kind: str
    title: str
    symbol: str
    issued_on: date | None


class RequestPoint(BaseModel):
    id: int
    title: str
    status: str
    received_on: date
    open: bool
    fields: list[str]


class ProjectPoint(BaseModel):
    id: int
    title: str
    status: str
    request: int
    provider: str
    start_on: date | None
    end_on: date | None


class FundingPoint(BaseModel):
    id: int
    kind: str
    donor: str
    amount: float
    currency: str
    made_on: date
    project: int


class OfferPoint(BaseModel):
    id: int
    title: str
    help_types: list[str]
    fields: list[str]
    sections: list[str]


class ProfileIncidents(BaseModel):
    total: int = Field(
        description="Incidents concerning the State (reported by the organisation) that you may "
        "see record by record; restricted ones count only for those entitled to them."
    )
    items: list[IncidentRead] = Field(description="The most recent of them (at most 20).")


class StateProfile(Envelope):
    state: StateRef
    matrix: MatrixSnapshot | None = Field(
        description="The latest approved edition you may see, with its gaps; null if none."
    )
    editions: list[EditionPoint]
    documents: list[DocumentPoint]
    visits: list[VisitRead]
    requests: list[RequestPoint]
    projects: list[ProjectPoint]
    funding_received: list[FundingPoint]
    contacts: ContactProfileRead | None = Field(
        default=None,
        description="Points of contact: the public summary, and the details to "
        "those who may see them.",
    )
    reporting: StateReports | None = Field(
        default=None, description="Reporting status and the reports the reader may see."
    )
    action_plans: Any | None = Field(
        default=None,
        description="The action plans the reader may see, with measures by status and the "
        "progress the matrix shows.",
    )
    incidents: ProfileIncidents | None = Field(
        default=None, description="Incidents concerning the State that the reader may see."
    )


class OrganisationProfile(Envelope):
    code: str
    acronym: str
    name: str
    kind: str
    url: str
    offers: list[OfferPoint]
    projects: list[ProjectPoint]
    funding_given: list[FundingPoint]
    requests: list[RequestPoint]
    visits: list[VisitRead]
    contacts: list[ContactRead] | None = Field(
        default=None, description="Its points of contact the reader may see."
    )
    trainings: list[TrainingCourseRead] | None = Field(
        default=None,
        description="The Committee's training courses it took part in: named among the funders "
        "or in the source's note, or attended by its recorded contacts.",
    )
    incidents: ProfileIncidents | None = Field(
        default=None,
        description="Incidents the organisation reported as their source that the reader may see.",
    )
