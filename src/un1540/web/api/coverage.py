"""/api/v1/coverage and /api/v1/trends: coverage on any date and how it changed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from un1540.io.csv_export import coverage_csv, trends_csv
from un1540.schemas.coverage import CoverageRead, TrendRead
from un1540.services.coverage import coverage_summary, coverage_trends
from un1540.services.paging import ALL
from un1540.web.api.common import CSV_RESPONSE, ERRORS
from un1540.web.deps import PagingDep, SessionDep, ViewerDep
from un1540.web.responses import csv_response, json_model

router = APIRouter(tags=["Coverage"])

ByQuery = Annotated[
    Literal["global", "group", "region", "section", "weapon", "column", "state", "field"],
    Query(description="Breakdown; omit for the global figure."),
]
AsOfQuery = Annotated[
    date | None,
    Query(
        description=(
            "YYYY-MM-DD: count the edition of each State in force on this date. "
            "Omit for each State's latest approved edition."
        )
    ),
]
FromQuery = Annotated[date, Query(alias="from", description="Start date, YYYY-MM-DD.")]
ToQuery = Annotated[date, Query(alias="to", description="End date, YYYY-MM-DD.")]


@router.get("/coverage", summary="Coverage summary", response_model=CoverageRead, responses=ERRORS)
def coverage(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    by: ByQuery = "global",
    as_of: AsOfQuery = None,
) -> Response:
    """Marks counted over each State's counted edition; the method is in the response."""
    return json_model(coverage_summary(session, viewer=viewer, by=by, as_of=as_of, paging=paging))


@router.get(
    "/coverage.csv",
    summary="Coverage summary as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def coverage_as_csv(
    session: SessionDep, viewer: ViewerDep, by: ByQuery = "global", as_of: AsOfQuery = None
) -> Response:
    result = coverage_summary(session, viewer=viewer, by=by, as_of=as_of, paging=ALL)
    suffix = f"-{as_of.isoformat()}" if as_of else ""
    return csv_response(
        coverage_csv(result), filename=f"coverage-by-{by}{suffix}.csv", synthetic=result.synthetic
    )


@router.get("/trends", summary="Coverage trends", response_model=TrendRead, responses=ERRORS)
def trends(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    date_from: FromQuery,
    date_to: ToQuery,
    by: ByQuery = "global",
) -> Response:
    """Coverage on `from` and on `to`, the change, and a point at each year's end between."""
    return json_model(
        coverage_trends(session, viewer=viewer, start=date_from, end=date_to, by=by, paging=paging)
    )


@router.get(
    "/trends.csv",
    summary="Coverage trends as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def trends_as_csv(
    session: SessionDep,
    viewer: ViewerDep,
    date_from: FromQuery,
    date_to: ToQuery,
    by: ByQuery = "global",
) -> Response:
    """One row per key and date of the series."""
    result = coverage_trends(
        session, viewer=viewer, start=date_from, end=date_to, by=by, paging=ALL
    )
    return csv_response(
        trends_csv(result),
        filename=f"trends-by-{by}-{date_from.isoformat()}-{date_to.isoformat()}.csv",
        synthetic=result.synthetic,
    )
