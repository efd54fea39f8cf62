"""/api/v1/reporting: every State's reporting status on a date, the timeline of first reports,
and a State's register of national reports (docs/reporting.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from un1540.io.csv_export import reporting_csv
from un1540.schemas.reporting import ReportingList, ReportingTimeline, StateReports
from un1540.schemas.vocabularies import enum
from un1540.services.reporting.reads import reporting_status, reporting_timeline, state_reports
from un1540.web.api.common import CSV_RESPONSE, ERRORS, Iso3Path
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.responses import csv_response, json_model

router = APIRouter(tags=["Reporting"])

AsOfQuery = Annotated[
    date | None,
    Query(
        description=(
            "YYYY-MM-DD, from 2004-04-28 (resolution 1540) to today: the status on this date. "
            "Omit for today."
        )
    ),
]
GroupQuery = Annotated[
    str | None,
    Query(
        max_length=40,
        description="Only the States of this regional group (members, participants, observers).",
        json_schema_extra=enum("group"),
    ),
]
RegionQuery = Annotated[
    str | None,
    Query(
        max_length=40,
        description="Only the States of this M49 region, sub-region or intermediate region.",
        json_schema_extra=enum("m49_area"),
    ),
]


@router.get(
    "/reporting",
    summary="Reporting status of every State",
    response_model=ReportingList,
    responses=ERRORS,
)
def reporting(
    session: SessionDep,
    viewer: ViewerDep,
    as_of: AsOfQuery = None,
    group: GroupQuery = None,
    region: RegionQuery = None,
) -> Response:
    """Per State: reported or never reported on `as_of`, the first and the latest report date,
    years since the latest; counts by regional group and region. Only the reports the caller
    may see are counted (the public: the public reports)."""
    return json_model(
        reporting_status(session, viewer=viewer, as_of=as_of, group=group, region=region)
    )


@router.get(
    "/reporting.csv",
    summary="Reporting status of every State as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def reporting_as_csv(
    session: SessionDep,
    viewer: ViewerDep,
    as_of: AsOfQuery = None,
    group: GroupQuery = None,
    region: RegionQuery = None,
) -> Response:
    result = reporting_status(session, viewer=viewer, as_of=as_of, group=group, region=region)
    return csv_response(
        reporting_csv(result),
        filename=f"reporting-{result.as_of.isoformat()}.csv",
        synthetic=result.synthetic,
    )


@router.get(
    "/reporting/timeline",
    summary="States that had reported, year by year",
    response_model=ReportingTimeline,
    responses=ERRORS,
)
def timeline(
    session: SessionDep,
    viewer: ViewerDep,
    to: Annotated[
        date | None,
        Query(description="YYYY-MM-DD, from 2004-04-28 to today: the last point (omit: today)."),
    ] = None,
) -> Response:
    """At the end of each year from 2004: States that had reported, in all and by regional
    group, and the reports dated that year."""
    return json_model(reporting_timeline(session, viewer=viewer, to=to))


@router.get(
    "/states/{iso3}/reports",
    summary="A State's national reports",
    response_model=StateReports,
    responses=ERRORS,
)
def reports_of_state(
    session: SessionDep, viewer: ViewerDep, iso3: Iso3Path, as_of: AsOfQuery = None
) -> Response:
    """The register of a State's reports the caller may see (first report, addenda, additional
    information; oldest first, undated last) and its reporting status on `as_of`."""
    return json_model(state_reports(session, viewer=viewer, iso3=iso3, as_of=as_of))
