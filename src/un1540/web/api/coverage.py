"""/api/v1/coverage: coverage summaries."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from un1540.io.csv_export import coverage_csv
from un1540.schemas.coverage import CoverageRead
from un1540.services.coverage import coverage_summary
from un1540.services.paging import ALL
from un1540.web.api.common import CSV_RESPONSE, ERRORS
from un1540.web.deps import PagingDep, SessionDep, ViewerDep
from un1540.web.responses import csv_response, json_model

router = APIRouter(tags=["Coverage"])

ByQuery = Annotated[
    Literal["global", "group", "region", "section", "weapon", "column", "state", "field"],
    Query(description="Breakdown; omit for the global figure."),
]


@router.get("/coverage", summary="Coverage summary", response_model=CoverageRead, responses=ERRORS)
def coverage(
    session: SessionDep, viewer: ViewerDep, paging: PagingDep, by: ByQuery = "global"
) -> Response:
    """Marks counted over each State's latest approved edition; the method is in the response."""
    return json_model(coverage_summary(session, viewer=viewer, by=by, paging=paging))


@router.get(
    "/coverage.csv",
    summary="Coverage summary as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def coverage_as_csv(session: SessionDep, viewer: ViewerDep, by: ByQuery = "global") -> Response:
    result = coverage_summary(session, viewer=viewer, by=by, paging=ALL)
    return csv_response(
        coverage_csv(result), filename=f"coverage-by-{by}.csv", synthetic=result.synthetic
    )
