"""/api/v1/coverage and /api/v1/trends: coverage on any date and how it changed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from un1540.io.csv_export import compare_csv, coverage_csv, trends_csv
from un1540.schemas.coverage import CompareRead, CoverageRead, TrendRead
from un1540.schemas.vocabularies import enum
from un1540.services.coverage.reads.coverage import (
    compare_states,
    coverage_summary,
    coverage_trends,
    parse_states,
)
from un1540.services.kernel.paging import SUMMARY
from un1540.services.matrix.counting import Selection
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


def get_selection(
    section: Annotated[
        str | None,
        Query(
            description="Count only this section's cells, e.g. op3ab.",
            json_schema_extra=enum("section"),
        ),
    ] = None,
    field: Annotated[
        str | None,
        Query(
            description="Count only this field's cells, e.g. op2.manufacture.",
            json_schema_extra=enum("field"),
        ),
    ] = None,
    weapon: Annotated[
        str | None,
        Query(
            description="Count only cells of this weapon category: nw, cw, bw.",
            json_schema_extra=enum("weapon"),
        ),
    ] = None,
    group: Annotated[
        str | None,
        Query(
            description="Count only States of this regional group, e.g. african.",
            json_schema_extra=enum("group"),
        ),
    ] = None,
    state: Annotated[
        str | None,
        Query(
            description="Count only this State (ISO alpha-3), e.g. FRA.",
            json_schema_extra=enum("state"),
        ),
    ] = None,
) -> Selection:
    return Selection(
        section=section,
        field=field,
        weapon=weapon,
        group=group,
        state=state.upper() if state else None,
    )


SelectionDep = Annotated[Selection, Depends(get_selection)]
FromQuery = Annotated[date, Query(alias="from", description="Start date, YYYY-MM-DD.")]
ToQuery = Annotated[date, Query(alias="to", description="End date, YYYY-MM-DD.")]


@router.get("/coverage", summary="Coverage summary", response_model=CoverageRead, responses=ERRORS)
def coverage(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    selection: SelectionDep,
    by: ByQuery = "global",
    as_of: AsOfQuery = None,
) -> Response:
    """Marks counted over each State's counted edition; the method is in the response."""
    return json_model(
        coverage_summary(
            session, viewer=viewer, by=by, as_of=as_of, selection=selection, paging=paging
        )
    )


@router.get(
    "/coverage.csv",
    summary="Coverage summary as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def coverage_as_csv(
    session: SessionDep,
    viewer: ViewerDep,
    selection: SelectionDep,
    by: ByQuery = "global",
    as_of: AsOfQuery = None,
) -> Response:
    result = coverage_summary(
        session, viewer=viewer, by=by, as_of=as_of, selection=selection, paging=SUMMARY
    )
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
        session, viewer=viewer, start=date_from, end=date_to, by=by, paging=SUMMARY
    )
    return csv_response(
        trends_csv(result),
        filename=f"trends-by-{by}-{date_from.isoformat()}-{date_to.isoformat()}.csv",
        synthetic=result.synthetic,
    )


StatesQuery = Annotated[
    str,
    Query(max_length=100, description="2 to 5 State codes separated by commas, e.g. FRA,NGA,BRA."),
]
CompareByQuery = Annotated[
    Literal["global", "section", "weapon", "column", "field"],
    Query(description="Breakdown shown for each State."),
]


@router.get("/compare", summary="States side by side", response_model=CompareRead, responses=ERRORS)
def compare(
    session: SessionDep,
    viewer: ViewerDep,
    states: StatesQuery,
    by: CompareByQuery = "section",
    as_of: AsOfQuery = None,
) -> Response:
    """Two to five States' coverage, each broken down the same way."""
    return json_model(
        compare_states(session, viewer=viewer, states=parse_states(states), by=by, as_of=as_of)
    )


@router.get(
    "/compare.csv",
    summary="States side by side, as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def compare_as_csv(
    session: SessionDep,
    viewer: ViewerDep,
    states: StatesQuery,
    by: CompareByQuery = "section",
    as_of: AsOfQuery = None,
) -> Response:
    """One row per State and key."""
    codes = parse_states(states)
    result = compare_states(session, viewer=viewer, states=codes, by=by, as_of=as_of)
    return csv_response(
        compare_csv(result),
        filename=f"compare-{'-'.join(codes)}-by-{by}.csv",
        synthetic=result.synthetic,
    )
