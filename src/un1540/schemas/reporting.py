"""National reports and reporting status: the register of a State's reports, the status of every
State on a date, the timeline of first reports, and the reporting figures of a review."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope
from un1540.schemas.matrix import StateRef


class ReportRead(BaseModel):
    """One report on the resolution: the first national report, an addendum or additional
    information."""

    id: int
    kind: str = Field(description="national_report, addendum or additional_information.")
    issued_on: date | None
    language: str
    title: str
    symbol: str
    url: str
    visibility: str
    origin: str


class StateReportingRead(BaseModel):
    iso3: str
    name: str
    group: str | None = Field(description="Regional group counting the State for elections.")
    region: str = Field(description="M49 region code name.")
    status: str = Field(description="reported or never_reported, on `as_of`.")
    first_report_on: date | None = Field(description="Date of the first report on `as_of`.")
    last_report_on: date | None = Field(description="Date of the latest report on `as_of`.")
    years_since_last_report: float | None
    reports: int = Field(description="Reports dated on or before `as_of` the caller may see.")


class ReportingCount(BaseModel):
    key: str
    label: str
    states: int
    reported: int
    never_reported: int
    share_reported: float | None = Field(description="A share: 0.5 is half.")


class ReportingList(Envelope):
    as_of: date
    states: int
    reported: int
    never_reported: int
    by_group: list[ReportingCount]
    by_region: list[ReportingCount]
    items: list[StateReportingRead]
    basis: str


class TimelinePoint(BaseModel):
    on: date
    reported: int = Field(description="States that had reported by this date.")
    reports_received: int = Field(description="Reports dated in the year up to this date.")
    by_group: dict[str, int] = Field(description="States that had reported, by regional group.")


class ReportingTimeline(Envelope):
    to_date: date
    groups: dict[str, str] = Field(description="Regional group codes and their names.")
    points: list[TimelinePoint]
    basis: str


class StateReports(Envelope):
    """A State's register of reports (every one the caller may see, dated or not) and its
    reporting status on `as_of`."""

    state: StateRef
    as_of: date
    status: StateReportingRead
    items: list[ReportRead]
    basis: str


class ReviewReportingRow(BaseModel):
    key: str
    label: str
    states: int
    reported_start: int
    reported_end: int


class ReviewReporting(BaseModel):
    """Reporting figures of a comprehensive review (public reports only)."""

    synthetic: bool = Field(description="Any report counted is synthetic demo data.")
    states: int
    reported_start: int
    reported_end: int
    never_reported_end: int
    first_reports_in_period: int = Field(description="States whose first report is in the period.")
    reports_in_period: int = Field(description="Reports dated after `from` up to `to`.")
    by_kind_in_period: dict[str, int]
    by_group: list[ReviewReportingRow]
    never_reported: list[StateRef] = Field(description="States without a report on `to`.")
